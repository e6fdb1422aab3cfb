// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/FleetCsv.h"

#include "inventory/import/Csv.h"
#include "inventory/import/InventoryJson.h"

namespace certdeck::inventory {

QStringList FleetCsv::header()
{
    return {QStringLiteral("host"),   QStringLiteral("port"),      QStringLiteral("sni"),
            QStringLiteral("group"),  QStringLiteral("tags"),      QStringLiteral("kind"),
            QStringLiteral("issuer"), QStringLiteral("not_after"), QStringLiteral("days_left"),
            QStringLiteral("notes"),  QStringLiteral("address")};
}

QByteArray FleetCsv::write(const QList<FleetCsvRow>& rows, const QDateTime& nowUtc)
{
    QByteArray out = Csv::record(header());
    for (const FleetCsvRow& r : rows) {
        const Endpoint& e = r.endpoint;
        QString issuer;
        QString notAfter;
        QString daysLeft;
        if (r.certificate) {
            issuer = r.certificate->issuer;
            if (r.certificate->notAfterUtc.isValid()) {
                notAfter = r.certificate->notAfterUtc.toUTC().toString(Qt::ISODate);
                const qint64 secs = nowUtc.secsTo(r.certificate->notAfterUtc);
                // Same rounding as Certificate::daysLeft: 1 s past expiry is -1.
                daysLeft = QString::number(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
            }
        }
        out += Csv::record({e.host, QString::number(e.port), e.sniName, e.group, e.tags.join(u';'),
                            serverKindName(e.serverKind), issuer, notAfter, daysLeft, e.notes,
                            e.addressOverride});
    }
    return out;
}

} // namespace certdeck::inventory
