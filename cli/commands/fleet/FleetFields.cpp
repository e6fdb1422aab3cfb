// SPDX-License-Identifier: GPL-3.0-or-later
#include "FleetFields.h"

#include "inventory/FleetView.h"
#include "inventory/RecordNames.h"

#include <QJsonArray>

namespace certdeck::cli {

using inventory::Endpoint;

FleetExpiry fleetExpiry(const std::optional<inventory::CertificateRecord>& current,
                        const QDateTime& now, int warnDays)
{
    FleetExpiry x;
    // The console's functions, so a row says the same on the Fleet page.
    x.status = inventory::expiryStateWord(inventory::expiryState(current, now, warnDays));
    const auto days = inventory::daysLeft(current, now);
    if (!days) {
        x.date = x.days = QStringLiteral("-");
        x.notAfter = x.daysLeft = QJsonValue::Null;
        return x;
    }
    const QDateTime end = current->notAfterUtc.toUTC();
    x.date = end.toString(QStringLiteral("yyyy-MM-dd"));
    x.days = QString::number(*days);
    x.notAfter = end.toString(Qt::ISODate);
    x.daysLeft = double(*days);
    return x;
}

QJsonObject fleetEndpointJson(const Endpoint& e)
{
    QJsonObject o{
        {QStringLiteral("id"), e.id},
        {QStringLiteral("host"), e.host},
        {QStringLiteral("port"), e.port},
        {QStringLiteral("address"), inventory::endpointAddress(e.host, e.port)},
        {QStringLiteral("sni"), inventory::sniSent(e)},
        {QStringLiteral("sniSet"), inventory::sniIsSet(e)},
        {QStringLiteral("connectTo"), e.addressOverride},
        {QStringLiteral("group"), e.group},
        {QStringLiteral("tags"), QJsonArray::fromStringList(e.tags)},
        {QStringLiteral("kind"), inventory::serverKindName(e.serverKind)},
        {QStringLiteral("notes"), e.notes},
        {QStringLiteral("revision"), e.revision},
        {QStringLiteral("created"), e.createdUtc.toString(Qt::ISODate)},
        {QStringLiteral("updated"), e.updatedUtc.toString(Qt::ISODate)},
        {QStringLiteral("updatedBy"), e.updatedBy},
    };
    o.insert(QStringLiteral("deployTargetId"),
             e.deployTargetId ? QJsonValue(*e.deployTargetId) : QJsonValue());
    o.insert(QStringLiteral("trustBundleId"),
             e.trustBundleId ? QJsonValue(*e.trustBundleId) : QJsonValue());
    return o;
}

QJsonObject fleetEndpointJson(const Endpoint& e, const FleetExpiry& expiry)
{
    QJsonObject o = fleetEndpointJson(e);
    o.insert(QStringLiteral("notAfter"), expiry.notAfter);
    o.insert(QStringLiteral("daysLeft"), expiry.daysLeft);
    o.insert(QStringLiteral("status"), expiry.status);
    return o;
}

const QCommandLineOption& warnDaysOption()
{
    static const QCommandLineOption o(
        QStringLiteral("warn-days"),
        QStringLiteral("EXPIRING below DAYS days left (default %1, as the console).")
            .arg(inventory::DefaultWarnDays),
        QStringLiteral("DAYS"), QString::number(inventory::DefaultWarnDays));
    return o;
}

Result<int> warnDaysOf(const QCommandLineParser& p)
{
    bool ok = false;
    const int days = p.value(warnDaysOption()).toInt(&ok);
    if (!ok || days < 0) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("--warn-days needs a number of days"));
    }
    return days;
}

QString utcText(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QStringLiteral("-");
}

} // namespace certdeck::cli
