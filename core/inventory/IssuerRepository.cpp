// SPDX-License-Identifier: GPL-3.0-or-later
// Issuers (ACME accounts, local CAs) and renewal policies.
#include "IssuerRepository.h"

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

QString issuerKindName(IssuerRecord::Kind k)
{
    return k == IssuerRecord::Kind::LocalCa ? QStringLiteral("local-ca")
                                            : QStringLiteral("acme-account");
}

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

Result<qint64> IssuerRepository::add(const IssuerRecord& issuer)
{
    if (auto bad = checkIssuer(issuer); !bad) {
        return tl::unexpected(bad.error());
    }
    return mutateReturningId(
        QStringLiteral("issuer.add"), QStringLiteral("issuer %1").arg(issuer.name),
        [&]() -> Result<qint64> {
            QSqlQuery q(db());
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
                return tl::unexpected(internal::dbError(QStringLiteral("Cannot add the issuer"),
                                                        q.lastError(), location()));
            }
            return returnedId(q);
        });
}

Result<QList<IssuerRecord>> IssuerRepository::list() const
{
    QSqlQuery q(db());
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

Result<IssuerRecord> IssuerRepository::get(qint64 id) const
{
    QSqlQuery q(db());
    if (auto s =
            readById(q, kIssuerColumns, QStringLiteral("issuers"), QStringLiteral("issuer"), id);
        !s) {
        return tl::unexpected(s.error());
    }
    return issuerFromRow(q);
}

Status IssuerRepository::update(const IssuerRecord& issuer)
{
    if (auto bad = checkIssuer(issuer); !bad) {
        return bad;
    }
    return mutate(
        QStringLiteral("issuer.update"), QStringLiteral("issuer %1").arg(issuer.name),
        [&]() -> Status {
            QSqlQuery q(db());
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
                                                        q.lastError(), location()));
            }
            if (q.numRowsAffected() != 1) {
                return fail(ErrorCode::NotFound,
                            QStringLiteral("No issuer with id %1").arg(issuer.id), location());
            }
            return {};
        });
}

Result<RenewalPolicy> IssuerRepository::setRenewalPolicy(const RenewalPolicy& policy)
{
    for (const Status& check :
         {internal::oneOf(policy.keyType, kKeyTypes, QStringLiteral("key type")),
          internal::oneOf(policy.challenge, kChallenges, QStringLiteral("challenge"))}) {
        if (!check) {
            return tl::unexpected(check.error());
        }
    }
    if (policy.renewBeforeDays < 1 || policy.renewBeforeDays > 365) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Renew %1 days before expiry? Use 1 to 365 days")
                        .arg(policy.renewBeforeDays));
    }
    const auto ep = m_store.endpoints().get(policy.endpointId);
    if (!ep) {
        return tl::unexpected(ep.error());
    }
    const Status s = mutate(
        QStringLiteral("renewal-policy.set"), endpointAddress(ep->host, ep->port), [&]() -> Status {
            QSqlQuery q(db());
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

Result<std::optional<RenewalPolicy>> IssuerRepository::renewalPolicy(qint64 endpointId) const
{
    QSqlQuery q(db());
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

} // namespace certdeck::inventory
