// SPDX-License-Identifier: GPL-3.0-or-later
// The audit log and alerts.
#include "ActivityRepository.h"

#include "RecordNames.h"
#include "Store.h"
#include "internal/SqlSupport.h"

#include <QSqlDatabase>

namespace certdeck::inventory {

using internal::execPrepared;

namespace {

const QStringList kSeverities = {QStringLiteral("warning"), QStringLiteral("critical")};

AlertRecord alertFromRow(const QSqlQuery& q)
{
    AlertRecord a;
    a.id = q.value(0).toLongLong();
    a.endpointId = internal::idFrom(q.value(1));
    a.code = q.value(2).toString();
    a.severity = q.value(3).toString();
    a.message = q.value(4).toString();
    a.raisedUtc = internal::timeFromText(q.value(5).toString());
    if (!q.value(6).isNull()) {
        a.resolvedUtc = internal::timeFromText(q.value(6).toString());
    }
    return a;
}

} // namespace

Status ActivityRepository::audit(const QString& actor, const QString& action,
                                 const QString& subject, const QString& result,
                                 const QString& detail)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("INSERT INTO audit_log (at_utc, actor, action, subject, result, "
                             "detail) VALUES (?, ?, ?, ?, ?, ?)"));
    q.addBindValue(internal::nowText());
    q.addBindValue(actor);
    q.addBindValue(action);
    q.addBindValue(subject);
    q.addBindValue(result);
    q.addBindValue(detail);
    return internal::execPrepared(q, QStringLiteral("Cannot write the audit log"));
}

Result<QList<AuditEntry>> ActivityRepository::auditLog(int limit) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT id, at_utc, actor, action, subject, result, detail "
                             "FROM audit_log ORDER BY id DESC LIMIT ?"));
    q.addBindValue(limit);
    if (auto s = internal::execPrepared(q, QStringLiteral("Cannot read the audit log")); !s) {
        return tl::unexpected(s.error());
    }
    QList<AuditEntry> entries;
    while (q.next()) {
        AuditEntry e;
        e.id = q.value(0).toLongLong();
        e.atUtc = internal::timeFromText(q.value(1).toString());
        e.actor = q.value(2).toString();
        e.action = q.value(3).toString();
        e.subject = q.value(4).toString();
        e.result = q.value(5).toString();
        e.detail = q.value(6).toString();
        entries << e;
    }
    return entries;
}

Result<qint64> ActivityRepository::raiseAlert(const AlertRecord& alert)
{
    if (auto c = internal::oneOf(alert.severity, kSeverities, QStringLiteral("alert severity"));
        !c) {
        return tl::unexpected(c.error());
    }
    if (alert.code.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("An alert needs a code"));
    }
    QString subject = alert.code;
    if (alert.endpointId) {
        const auto ep = m_store.endpoints().get(*alert.endpointId);
        if (!ep) {
            return tl::unexpected(ep.error());
        }
        subject = endpointAddress(ep->host, ep->port) + u' ' + alert.code;
    }
    return mutateReturningId(QStringLiteral("alert.raise"), subject, [&]() -> Result<qint64> {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("INSERT INTO alerts (endpoint_id, code, severity, message, "
                                 "raised_utc) VALUES (?, ?, ?, ?, ?) RETURNING id"));
        q.addBindValue(internal::idOrNull(alert.endpointId));
        q.addBindValue(alert.code);
        q.addBindValue(alert.severity);
        q.addBindValue(alert.message);
        q.addBindValue(internal::timeText(
            alert.raisedUtc.isValid() ? alert.raisedUtc : QDateTime::currentDateTimeUtc()));
        return insertReturningId(q, QStringLiteral("Cannot store the alert"));
    });
}

Status ActivityRepository::resolveAlert(qint64 alertId)
{
    return mutate(
        QStringLiteral("alert.resolve"), QStringLiteral("alert %1").arg(alertId), [&]() -> Status {
            QSqlQuery q(db());
            q.prepare(QStringLiteral("UPDATE alerts SET resolved_utc = ? WHERE id = ? "
                                     "AND resolved_utc IS NULL"));
            q.addBindValue(internal::nowText());
            q.addBindValue(alertId);
            if (auto e = execPrepared(q, QStringLiteral("Cannot resolve the alert")); !e) {
                return e;
            }
            if (q.numRowsAffected() != 1) {
                return fail(ErrorCode::NotFound,
                            QStringLiteral("No open alert with id %1").arg(alertId));
            }
            return {};
        });
}

Result<QList<AlertRecord>> ActivityRepository::openAlerts() const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT id, endpoint_id, code, severity, message, raised_utc, "
                             "resolved_utc FROM alerts WHERE resolved_utc IS NULL ORDER BY "
                             "raised_utc DESC, id DESC"));
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the alerts")); !s) {
        return tl::unexpected(s.error());
    }
    QList<AlertRecord> out;
    while (q.next()) {
        out << alertFromRow(q);
    }
    return out;
}

} // namespace certdeck::inventory
