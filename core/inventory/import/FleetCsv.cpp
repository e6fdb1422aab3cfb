// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/FleetCsv.h"

#include "inventory/RecordNames.h"
#include "inventory/import/Csv.h"
#include "inventory/import/InventoryJson.h"

namespace certdeck::inventory {

QStringList FleetCsv::header()
{
    return {QStringLiteral("host"),       QStringLiteral("port"),   QStringLiteral("sni"),
            QStringLiteral("sni_set"),    QStringLiteral("group"),  QStringLiteral("tags"),
            QStringLiteral("kind"),       QStringLiteral("issuer"), QStringLiteral("not_after"),
            QStringLiteral("days_left"),  QStringLiteral("status"), QStringLiteral("notes"),
            QStringLiteral("connect_to"), QStringLiteral("address")};
}

QByteArray FleetCsv::write(const QList<FleetCsvRow>& rows, const QDateTime& nowUtc, int warnDays)
{
    QByteArray out = Csv::record(header());
    for (const FleetCsvRow& r : rows) {
        const Endpoint& e = r.endpoint;
        QString issuer;
        QString notAfter;
        QString daysText;
        if (r.certificate) {
            issuer = r.certificate->issuer;
            if (r.certificate->notAfterUtc.isValid()) {
                notAfter = r.certificate->notAfterUtc.toUTC().toString(Qt::ISODate);
                // FleetView's count, so the CSV and the Fleet page agree.
                daysText = QString::number(daysLeft(r.certificate, nowUtc).value_or(0));
            }
        }
        const QString status = expiryStateWord(expiryState(r.certificate, nowUtc, warnDays));
        out += Csv::record({e.host, QString::number(e.port), sniSent(e),
                            sniIsSet(e) ? QStringLiteral("yes") : QStringLiteral("no"), e.group,
                            e.tags.join(u';'), serverKindName(e.serverKind), issuer, notAfter,
                            daysText, status, e.notes, e.addressOverride,
                            endpointAddress(e.host, e.port)});
    }
    return out;
}

} // namespace certdeck::inventory
