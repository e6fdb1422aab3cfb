// SPDX-License-Identifier: GPL-3.0-or-later
// Store: issuers, renewal policies, probe history and alerts.
#include "RecordNames.h"
#include "Store.h"
#include "internal/SqlSupport.h"

#include <QSqlDatabase>

namespace certdeck::inventory {

using internal::execPrepared;

namespace {

const QStringList kKeyTypes = {QStringLiteral("rsa2048"), QStringLiteral("rsa3072"),
                               QStringLiteral("rsa4096"), QStringLiteral("p256"),
                               QStringLiteral("p384"),    QStringLiteral("ed25519")};
const QStringList kChallenges = {QStringLiteral("http-01"), QStringLiteral("dns-01"),
                                 QStringLiteral("tls-alpn-01")};
const QStringList kProbeStatuses = {QStringLiteral("ok"), QStringLiteral("warning"),
                                    QStringLiteral("critical"), QStringLiteral("error")};
const QStringList kSeverities = {QStringLiteral("warning"), QStringLiteral("critical")};

QString issuerKindName(IssuerRecord::Kind k)
{
    return k == IssuerRecord::Kind::LocalCa ? QStringLiteral("local-ca")
                                            : QStringLiteral("acme-account");
}

Status oneOf(const QString& value, const QStringList& allowed, const QString& what)
{
    if (allowed.contains(value)) {
        return {};
    }
    return fail(ErrorCode::InvalidInput, QStringLiteral("Unknown %1 '%2'; use one of: %3")
                                             .arg(what, value, allowed.join(QLatin1String(", "))));
}

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

Result<qint64> Store::insertReturningId(QSqlQuery& q, const QString& what)
{
    if (auto e = execPrepared(q, what); !e) {
        return tl::unexpected(e.error());
    }
    if (!q.next()) {
        return fail(ErrorCode::Database, QStringLiteral("The store returned no id"), m_location);
    }
    return q.value(0).toLongLong();
}

namespace {

const QString kIssuerColumns =
    QStringLiteral("id, kind, name, directory_url, account_url, account_key_id, contact, status, "
                   "trust_file, key_algorithm, key_thumbprint, updated_utc");

IssuerRecord issuerFromRow(const QSqlQuery& q)
{
    IssuerRecord i;
    i.id = q.value(0).toLongLong();
    i.kind = q.value(1).toString() == QLatin1String("local-ca") ? IssuerRecord::Kind::LocalCa
                                                                : IssuerRecord::Kind::AcmeAccount;
    i.name = q.value(2).toString();
    i.directoryUrl = q.value(3).toString();
    i.accountUrl = q.value(4).toString();
    i.accountKeyId = internal::idFrom(q.value(5));
    i.contact = q.value(6).toString().split(u'\n', Qt::SkipEmptyParts);
    i.status = q.value(7).toString();
    i.trustFile = q.value(8).toString();
    i.keyAlgorithm = q.value(9).toString();
    i.keyThumbprint = q.value(10).toString();
    i.updatedUtc = internal::timeFromText(q.value(11).toString());
    return i;
}

// The columns after the id, in kIssuerColumns order.
void bindIssuer(QSqlQuery& q, const IssuerRecord& issuer)
{
    q.addBindValue(issuerKindName(issuer.kind));
    q.addBindValue(issuer.name.trimmed());
    q.addBindValue(issuer.directoryUrl);
    q.addBindValue(issuer.accountUrl);
    q.addBindValue(internal::idOrNull(issuer.accountKeyId));
    q.addBindValue(issuer.contact.join(u'\n'));
    q.addBindValue(issuer.status);
    q.addBindValue(issuer.trustFile);
    q.addBindValue(issuer.keyAlgorithm);
    q.addBindValue(issuer.keyThumbprint);
    q.addBindValue(internal::nowText());
}

Status checkIssuer(const IssuerRecord& issuer)
{
    if (issuer.name.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("An issuer needs a name"));
    }
    for (const QString& c : issuer.contact) {
        if (c.contains(u'\n')) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("A contact cannot span lines: '%1'").arg(c.trimmed()));
        }
    }
    return {};
}

} // namespace

Result<qint64> Store::addIssuer(const IssuerRecord& issuer)
{
    if (auto bad = checkIssuer(issuer); !bad) {
        return tl::unexpected(bad.error());
    }
    qint64 id = 0;
    const Status s =
        mutate(QStringLiteral("issuer.add"), QStringLiteral("issuer %1").arg(issuer.name),
               [&]() -> Status {
                   QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
                   q.prepare(QStringLiteral("INSERT INTO issuers (kind, name, directory_url, "
                                            "account_url, account_key_id, contact, status, "
                                            "trust_file, key_algorithm, key_thumbprint, "
                                            "updated_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                            "?) RETURNING id"));
                   bindIssuer(q, issuer);
                   if (!internal::execBound(q)) {
                       if (internal::isUniqueViolation(q.lastError())) {
                           return fail(ErrorCode::Conflict,
                                       QStringLiteral("An issuer named '%1' already exists")
                                           .arg(issuer.name.trimmed()));
                       }
                       return tl::unexpected(internal::dbError(
                           QStringLiteral("Cannot add the issuer"), q.lastError(), m_location));
                   }
                   if (!q.next()) {
                       return fail(ErrorCode::Database, QStringLiteral("The store returned no id"),
                                   m_location);
                   }
                   id = q.value(0).toLongLong();
                   return {};
               });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return id;
}

Result<QList<IssuerRecord>> Store::issuers() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT %1 FROM issuers ORDER BY name").arg(kIssuerColumns));
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the issuers")); !s) {
        return tl::unexpected(s.error());
    }
    QList<IssuerRecord> out;
    while (q.next()) {
        out << issuerFromRow(q);
    }
    return out;
}

Result<IssuerRecord> Store::issuer(qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT %1 FROM issuers WHERE id = ?").arg(kIssuerColumns));
    q.addBindValue(id);
    if (auto s = execPrepared(q, QStringLiteral("Cannot read issuer %1").arg(id)); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return fail(ErrorCode::NotFound, QStringLiteral("No issuer with id %1").arg(id),
                    m_location);
    }
    return issuerFromRow(q);
}

Status Store::updateIssuer(const IssuerRecord& issuer)
{
    if (auto bad = checkIssuer(issuer); !bad) {
        return bad;
    }
    return mutate(
        QStringLiteral("issuer.update"), QStringLiteral("issuer %1").arg(issuer.name),
        [&]() -> Status {
            QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
            q.prepare(QStringLiteral("UPDATE issuers SET kind = ?, name = ?, directory_url = ?, "
                                     "account_url = ?, account_key_id = ?, contact = ?, status = "
                                     "?, trust_file = ?, key_algorithm = ?, key_thumbprint = ?, "
                                     "updated_utc = ? WHERE id = ?"));
            bindIssuer(q, issuer);
            q.addBindValue(issuer.id);
            if (!internal::execBound(q)) {
                if (internal::isUniqueViolation(q.lastError())) {
                    return fail(ErrorCode::Conflict,
                                QStringLiteral("An issuer named '%1' already exists")
                                    .arg(issuer.name.trimmed()));
                }
                return tl::unexpected(internal::dbError(QStringLiteral("Cannot update the issuer"),
                                                        q.lastError(), m_location));
            }
            if (q.numRowsAffected() != 1) {
                return fail(ErrorCode::NotFound,
                            QStringLiteral("No issuer with id %1").arg(issuer.id), m_location);
            }
            return {};
        });
}

Result<RenewalPolicy> Store::setRenewalPolicy(const RenewalPolicy& policy)
{
    for (const Status& check :
         {oneOf(policy.keyType, kKeyTypes, QStringLiteral("key type")),
          oneOf(policy.challenge, kChallenges, QStringLiteral("challenge"))}) {
        if (!check) {
            return tl::unexpected(check.error());
        }
    }
    if (policy.renewBeforeDays < 1 || policy.renewBeforeDays > 365) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Renew %1 days before expiry? Use 1 to 365 days")
                        .arg(policy.renewBeforeDays));
    }
    const auto ep = endpointInternal(policy.endpointId);
    if (!ep) {
        return tl::unexpected(ep.error());
    }
    const Status s = mutate(
        QStringLiteral("renewal-policy.set"), endpointAddress(ep->host, ep->port), [&]() -> Status {
            QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
            q.prepare(QStringLiteral("DELETE FROM renewal_policies WHERE endpoint_id = ?"));
            q.addBindValue(policy.endpointId);
            if (auto e = execPrepared(q, QStringLiteral("Cannot replace the renewal policy")); !e) {
                return e;
            }
            q.prepare(QStringLiteral("INSERT INTO renewal_policies (endpoint_id, key_type, "
                                     "renew_before_days, challenge, issuer_id) VALUES "
                                     "(?, ?, ?, ?, ?) RETURNING id"));
            q.addBindValue(policy.endpointId);
            q.addBindValue(policy.keyType);
            q.addBindValue(policy.renewBeforeDays);
            q.addBindValue(policy.challenge);
            q.addBindValue(internal::idOrNull(policy.issuerId));
            auto id = insertReturningId(q, QStringLiteral("Cannot store the renewal policy"));
            return id ? Status() : Status(tl::unexpected(id.error()));
        });
    if (!s) {
        return tl::unexpected(s.error());
    }
    auto stored = renewalPolicy(policy.endpointId);
    if (!stored) {
        return tl::unexpected(stored.error());
    }
    return stored->value_or(RenewalPolicy{});
}

Result<std::optional<RenewalPolicy>> Store::renewalPolicy(qint64 endpointId) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT id, endpoint_id, key_type, renew_before_days, challenge, "
                             "issuer_id FROM renewal_policies WHERE endpoint_id = ?"));
    q.addBindValue(endpointId);
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the renewal policy")); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return std::optional<RenewalPolicy>();
    }
    RenewalPolicy p;
    p.id = q.value(0).toLongLong();
    p.endpointId = q.value(1).toLongLong();
    p.keyType = q.value(2).toString();
    p.renewBeforeDays = q.value(3).toInt();
    p.challenge = q.value(4).toString();
    p.issuerId = internal::idFrom(q.value(5));
    return std::optional<RenewalPolicy>(p);
}

Result<qint64> Store::addProbe(const ProbeRecord& probe)
{
    if (auto c = oneOf(probe.status, kProbeStatuses, QStringLiteral("probe status")); !c) {
        return tl::unexpected(c.error());
    }
    const auto ep = endpointInternal(probe.endpointId);
    if (!ep) {
        return tl::unexpected(ep.error());
    }
    qint64 id = 0;
    const Status s =
        mutate(QStringLiteral("probe.add"), endpointAddress(ep->host, ep->port), [&]() -> Status {
            QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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
            auto r = insertReturningId(q, QStringLiteral("Cannot store the probe"));
            if (!r) {
                return tl::unexpected(r.error());
            }
            id = *r;
            return {};
        });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return id;
}

Result<QList<ProbeRecord>> Store::probes(qint64 endpointId, int limit) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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

Result<QHash<qint64, ProbeRecord>> Store::latestProbes() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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

Result<qint64> Store::raiseAlert(const AlertRecord& alert)
{
    if (auto c = oneOf(alert.severity, kSeverities, QStringLiteral("alert severity")); !c) {
        return tl::unexpected(c.error());
    }
    if (alert.code.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("An alert needs a code"));
    }
    QString subject = alert.code;
    if (alert.endpointId) {
        const auto ep = endpointInternal(*alert.endpointId);
        if (!ep) {
            return tl::unexpected(ep.error());
        }
        subject = endpointAddress(ep->host, ep->port) + u' ' + alert.code;
    }
    qint64 id = 0;
    const Status s = mutate(QStringLiteral("alert.raise"), subject, [&]() -> Status {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        q.prepare(QStringLiteral("INSERT INTO alerts (endpoint_id, code, severity, message, "
                                 "raised_utc) VALUES (?, ?, ?, ?, ?) RETURNING id"));
        q.addBindValue(internal::idOrNull(alert.endpointId));
        q.addBindValue(alert.code);
        q.addBindValue(alert.severity);
        q.addBindValue(alert.message);
        q.addBindValue(internal::timeText(
            alert.raisedUtc.isValid() ? alert.raisedUtc : QDateTime::currentDateTimeUtc()));
        auto r = insertReturningId(q, QStringLiteral("Cannot store the alert"));
        if (!r) {
            return tl::unexpected(r.error());
        }
        id = *r;
        return {};
    });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return id;
}

Status Store::resolveAlert(qint64 alertId)
{
    return mutate(
        QStringLiteral("alert.resolve"), QStringLiteral("alert %1").arg(alertId), [&]() -> Status {
            QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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

Result<QList<AlertRecord>> Store::openAlerts() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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
