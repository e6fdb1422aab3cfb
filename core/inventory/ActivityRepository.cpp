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

AuditEntry auditFromRow(const QSqlQuery& q)
{
    AuditEntry e;
    e.id = q.value(0).toLongLong();
    e.atUtc = internal::timeFromText(q.value(1).toString());
    e.actor = q.value(2).toString();
    e.action = q.value(3).toString();
    e.subject = q.value(4).toString();
    e.result = q.value(5).toString();
    e.detail = q.value(6).toString();
    return e;
}

// A LIKE pattern that matches `text` literally anywhere (escape: '\').
QString containsPattern(QString text)
{
    text.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'%', QStringLiteral("\\%"))
        .replace(u'_', QStringLiteral("\\_"));
    return u'%' + text + u'%';
}

bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'.' || c == u'-' || c == u'_';
}

// Whether `subject` names `token` as a whole: "a.example:443" is not named
// by "ba.example:443" nor "a.example:4430", "endpoint #1" not by "#12". An
// address followed by " (SNI name)" names the endpoint with that SNI only
// (`sni`: this endpoint's SNI name, or its host when it has none).
bool namesWhole(const QString& subject, const QString& token, const QString& sni = {})
{
    static const QString sniMark = QStringLiteral(" (SNI ");
    for (qsizetype at = subject.indexOf(token, 0, Qt::CaseInsensitive); at >= 0;
         at = subject.indexOf(token, at + 1, Qt::CaseInsensitive)) {
        const qsizetype end = at + token.size();
        const bool startOk = at == 0 || !isNameChar(subject.at(at - 1));
        const bool endOk = end == subject.size() || !subject.at(end).isLetterOrNumber();
        if (!startOk || !endOk) {
            continue;
        }
        if (!sni.isEmpty() && QStringView(subject).mid(end).startsWith(sniMark)) {
            const qsizetype from = end + sniMark.size();
            const qsizetype close = subject.indexOf(u')', from);
            if (subject.mid(from, close < 0 ? -1 : close - from)
                    .compare(sni, Qt::CaseInsensitive) != 0) {
                continue;
            }
        }
        return true;
    }
    return false;
}

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
        entries << auditFromRow(q);
    }
    return entries;
}

Result<QList<AuditEntry>> ActivityRepository::auditLogFor(const Endpoint& endpoint, int limit) const
{
    const QString address = endpointAddress(endpoint.host, endpoint.port);
    const QString byId = QStringLiteral("endpoint #%1").arg(endpoint.id);
    const QString sni = endpoint.sniName.isEmpty() ? endpoint.host : endpoint.sniName;
    // LIKE narrows the rows (case-insensitive for ASCII in SQLite, not in
    // PostgreSQL: lower() on both sides); namesWhole() drops the rows where
    // the address is only part of a longer name or port.
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT id, at_utc, actor, action, subject, result, detail "
                             "FROM audit_log WHERE lower(subject) LIKE lower(?) ESCAPE '\\' "
                             "OR subject LIKE ? ESCAPE '\\' ORDER BY id DESC"));
    q.addBindValue(containsPattern(address));
    q.addBindValue(containsPattern(byId));
    if (auto s = internal::execPrepared(q, QStringLiteral("Cannot read the audit log")); !s) {
        return tl::unexpected(s.error());
    }
    QList<AuditEntry> entries;
    while (entries.size() < limit && q.next()) {
        AuditEntry e = auditFromRow(q);
        if (namesWhole(e.subject, address, sni) || namesWhole(e.subject, byId)) {
            entries << std::move(e);
        }
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
