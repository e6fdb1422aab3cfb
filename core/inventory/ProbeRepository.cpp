// SPDX-License-Identifier: GPL-3.0-or-later
// The probe history.
#include "ProbeRepository.h"

#include "RecordNames.h"
#include "Store.h"
#include "internal/SqlSupport.h"

#include <QSqlDatabase>

namespace certdeck::inventory {

using internal::execPrepared;

namespace {

const QStringList kProbeStatuses = {QStringLiteral("ok"), QStringLiteral("warning"),
                                    QStringLiteral("critical"), QStringLiteral("error")};

// The first six columns of a probes row: id, endpoint_id, at_utc, status,
// grade, served_certificate_id.
ProbeRecord probeFromRow(const QSqlQuery& q)
{
    ProbeRecord p;
    p.id = q.value(0).toLongLong();
    p.endpointId = q.value(1).toLongLong();
    p.atUtc = internal::timeFromText(q.value(2).toString());
    p.status = q.value(3).toString();
    p.grade = q.value(4).toString();
    p.servedCertificateId = internal::idFrom(q.value(5));
    return p;
}

} // namespace

Result<qint64> ProbeRepository::add(const ProbeRecord& probe)
{
    if (auto c = internal::oneOf(probe.status, kProbeStatuses, QStringLiteral("probe status"));
        !c) {
        return tl::unexpected(c.error());
    }
    const auto ep = m_store.endpoints().get(probe.endpointId);
    if (!ep) {
        return tl::unexpected(ep.error());
    }
    return mutateReturningId(
        QStringLiteral("probe.add"), endpointAddress(ep->host, ep->port), [&]() -> Result<qint64> {
            QSqlQuery q(db());
            q.prepare(QStringLiteral("INSERT INTO probes (endpoint_id, at_utc, status, grade, "
                                     "served_certificate_id, report_json) VALUES "
                                     "(?, ?, ?, ?, ?, ?) RETURNING id"));
            q.addBindValue(probe.endpointId);
            q.addBindValue(internal::timeText(
                probe.atUtc.isValid() ? probe.atUtc : QDateTime::currentDateTimeUtc()));
            q.addBindValue(probe.status);
            q.addBindValue(probe.grade);
            q.addBindValue(internal::idOrNull(probe.servedCertificateId));
            q.addBindValue(probe.reportJson);
            return insertReturningId(q, QStringLiteral("Cannot store the probe"));
        });
}

Result<QList<ProbeRecord>> ProbeRepository::history(qint64 endpointId, int limit) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT id, endpoint_id, at_utc, status, grade, "
                             "served_certificate_id, report_json FROM probes WHERE endpoint_id = "
                             "? ORDER BY at_utc DESC, id DESC LIMIT ?"));
    q.addBindValue(endpointId);
    q.addBindValue(limit);
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the probe history")); !s) {
        return tl::unexpected(s.error());
    }
    QList<ProbeRecord> out;
    while (q.next()) {
        ProbeRecord p = probeFromRow(q);
        p.reportJson = q.value(6).toByteArray();
        out << p;
    }
    return out;
}

Result<QHash<qint64, ProbeRecord>> ProbeRepository::latest() const
{
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, endpoint_id, at_utc, status, grade, served_certificate_id "
                             "FROM (SELECT id, endpoint_id, at_utc, status, grade, "
                             "served_certificate_id, ROW_NUMBER() OVER (PARTITION BY endpoint_id "
                             "ORDER BY at_utc DESC, id DESC) AS newest FROM probes) p WHERE "
                             "p.newest = 1"));
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the latest probes")); !s) {
        return tl::unexpected(s.error());
    }
    QHash<qint64, ProbeRecord> out;
    while (q.next()) {
        ProbeRecord p = probeFromRow(q);
        out.insert(p.endpointId, p);
    }
    return out;
}

} // namespace certdeck::inventory
