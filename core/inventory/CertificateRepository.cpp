// SPDX-License-Identifier: GPL-3.0-or-later
// Certificates (DER plus query columns), the certificate history of
// endpoints, and the renewal windows CAs suggested (ARI, RFC 9773), one per
// certificate, found by its SHA-256 fingerprint.
#include "CertificateRepository.h"

#include "RecordNames.h"
#include "Store.h"
#include "crypto/Certificate.h"
#include "internal/SqlSupport.h"

#include <QSet>
#include <QSqlDatabase>

namespace certdeck::inventory {

using internal::execPrepared;

namespace {

const QString kCertificateColumns =
    QStringLiteral("id, der, subject, issuer, sans, serial_hex, sha256_hex, not_before_utc, "
                   "not_after_utc, key_id, issued_by_id, issuer_id, source, revoked_utc, "
                   "revocation_reason, revoked_by");
constexpr int kCertificateColumnCount = 16;

CertificateRecord certificateFromRow(const QSqlQuery& q)
{
    CertificateRecord c;
    c.id = q.value(0).toLongLong();
    c.der = q.value(1).toByteArray();
    c.subject = q.value(2).toString();
    c.issuer = q.value(3).toString();
    c.sans = q.value(4).toString().split(u',', Qt::SkipEmptyParts);
    c.serialHex = q.value(5).toString();
    c.sha256Hex = q.value(6).toString();
    c.notBeforeUtc = internal::timeFromText(q.value(7).toString());
    c.notAfterUtc = internal::timeFromText(q.value(8).toString());
    c.keyId = internal::idFrom(q.value(9));
    c.issuedById = internal::idFrom(q.value(10));
    c.issuerId = internal::idFrom(q.value(11));
    c.source =
        certificateSourceFromName(q.value(12).toString()).value_or(CertificateSource::Unknown);
    const QString revoked = q.value(13).toString();
    if (!revoked.isEmpty()) {
        c.revocation = CertificateRevocation{internal::timeFromText(revoked),
                                             q.value(14).toString(), q.value(15).toString()};
    }
    return c;
}

} // namespace

Result<qint64> CertificateRepository::upsert(const crypto::Certificate& certificate,
                                             std::optional<qint64> keyId)
{
    if (certificate.isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No certificate to store"));
    }
    const QString sha256 =
        QString::fromLatin1(certificate.fingerprint(QCryptographicHash::Sha256).toHex());
    const auto existing = bySha256(sha256);
    if (!existing) {
        return tl::unexpected(existing.error());
    }
    if (*existing) {
        return (*existing)->id;
    }
    const QString subject =
        QStringLiteral("certificate %1 (%2)").arg(certificate.subject(), sha256);
    return mutateReturningId(QStringLiteral("certificate.add"), subject, [&]() -> Result<qint64> {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("INSERT INTO certificates (der, subject, issuer, sans, "
                                 "serial_hex, sha256_hex, not_before_utc, not_after_utc, key_id) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
        q.addBindValue(certificate.toDer());
        q.addBindValue(certificate.subject());
        q.addBindValue(certificate.issuer());
        q.addBindValue((certificate.dnsNames() + certificate.ipAddresses()).join(u','));
        q.addBindValue(certificate.serialHex());
        q.addBindValue(sha256);
        q.addBindValue(internal::timeText(certificate.notBefore()));
        q.addBindValue(internal::timeText(certificate.notAfter()));
        q.addBindValue(internal::idOrNull(keyId));
        return insertReturningId(q, QStringLiteral("Cannot store the certificate"));
    });
}

Result<CertificateRecord> CertificateRepository::get(qint64 id) const
{
    QSqlQuery q(db());
    if (auto s = readById(q, kCertificateColumns, QStringLiteral("certificates"),
                          QStringLiteral("certificate"), id);
        !s) {
        return tl::unexpected(s.error());
    }
    return certificateFromRow(q);
}

Result<qint64> CertificateRepository::record(const QList<crypto::Certificate>& chain,
                                             const CertificateOrigin& origin)
{
    if (chain.isEmpty() || chain.constFirst().isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No certificate to record"));
    }
    const crypto::Certificate& leaf = chain.constFirst();
    const QString subject =
        QStringLiteral("certificate %1 (%2)")
            .arg(leaf.subject(),
                 QString::fromLatin1(leaf.fingerprint(QCryptographicHash::Sha256).toHex()));
    const QString source = certificateSourceName(origin.source);
    return mutateReturningId(
        QStringLiteral("certificate.record"), subject, [&]() -> Result<qint64> {
            QList<qint64> ids;
            for (qsizetype i = 0; i < chain.size(); ++i) {
                auto id = upsert(chain.at(i));
                if (!id) {
                    return tl::unexpected(id.error());
                }
                ids << *id;
            }
            auto known = get(ids.constFirst());
            if (!known) {
                return tl::unexpected(known.error());
            }
            if (origin.keyId && known->keyId && *known->keyId != *origin.keyId) {
                return fail(ErrorCode::Conflict,
                            QStringLiteral("%1 is recorded with key #%2, not key #%3")
                                .arg(subject)
                                .arg(*known->keyId)
                                .arg(*origin.keyId));
            }
            for (qsizetype i = 0; i < ids.size(); ++i) {
                // COALESCE and the empty-source test keep what was known.
                QSqlQuery q(db());
                q.prepare(QStringLiteral(
                    "UPDATE certificates SET key_id = COALESCE(key_id, ?), issuer_id = "
                    "COALESCE(issuer_id, ?), issued_by_id = COALESCE(issued_by_id, ?), source = "
                    "CASE "
                    "WHEN source = '' OR source = 'unknown' THEN ? ELSE source END WHERE id = ?"));
                const bool isLeaf = i == 0;
                q.addBindValue(internal::idOrNull(isLeaf ? origin.keyId : std::nullopt));
                q.addBindValue(internal::idOrNull(isLeaf ? origin.issuerId : std::nullopt));
                // A self-signed root is not linked to itself.
                const bool hasNext = i + 1 < ids.size() && ids.at(i + 1) != ids.at(i);
                q.addBindValue(internal::idOrNull(hasNext ? std::optional<qint64>(ids.at(i + 1))
                                                          : std::nullopt));
                q.addBindValue(origin.source == CertificateSource::Unknown ? QString() : source);
                q.addBindValue(ids.at(i));
                if (auto e = execPrepared(q, QStringLiteral("Cannot record the certificate")); !e) {
                    return tl::unexpected(e.error());
                }
            }
            return ids.constFirst();
        });
}

Result<QList<CertificateRecord>> CertificateRepository::chain(qint64 id) const
{
    QList<CertificateRecord> out;
    QSet<qint64> seen;
    std::optional<qint64> next = id;
    while (next && !seen.contains(*next)) {
        seen.insert(*next);
        auto c = get(*next);
        if (!c) {
            if (out.isEmpty()) {
                return tl::unexpected(c.error());
            }
            break; // a link to a row that is gone ends the chain
        }
        next = c->issuedById;
        out << *c;
    }
    return out;
}

Result<QList<CertificateRecord>> CertificateRepository::list() const
{
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM certificates ORDER BY not_after_utc DESC, id DESC")
                  .arg(kCertificateColumns));
    if (auto s = execPrepared(q, QStringLiteral("Cannot list the certificates")); !s) {
        return tl::unexpected(s.error());
    }
    QList<CertificateRecord> out;
    while (q.next()) {
        out << certificateFromRow(q);
    }
    return out;
}

Status CertificateRepository::markRevoked(qint64 id, const CertificateRevocation& revocation)
{
    auto c = get(id);
    if (!c) {
        return tl::unexpected(c.error());
    }
    if (c->revocation) {
        return {};
    }
    const QString subject =
        QStringLiteral("certificate %1 serial %2 (%3)%4")
            .arg(c->subject, c->serialHex, revocation.foundBy,
                 revocation.reason.isEmpty() ? QString()
                                             : QStringLiteral(": ") + revocation.reason);
    return mutate(QStringLiteral("certificate.revoked"), subject, [&]() -> Status {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("UPDATE certificates SET revoked_utc = ?, revocation_reason = ?, "
                                 "revoked_by = ? WHERE id = ? AND revoked_utc = ''"));
        q.addBindValue(internal::timeText(revocation.atUtc.isValid()
                                              ? revocation.atUtc.toUTC()
                                              : QDateTime::currentDateTimeUtc()));
        q.addBindValue(revocation.reason);
        q.addBindValue(revocation.foundBy);
        q.addBindValue(id);
        return execPrepared(q, QStringLiteral("Cannot mark the certificate revoked"));
    });
}

Result<std::optional<CertificateRecord>>
CertificateRepository::bySha256(const QString& sha256Hex) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM certificates WHERE sha256_hex = ?")
                  .arg(kCertificateColumns));
    q.addBindValue(sha256Hex.toLower().remove(u':'));
    if (auto s = execPrepared(q, QStringLiteral("Cannot look up the certificate")); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return std::optional<CertificateRecord>();
    }
    return std::optional<CertificateRecord>(certificateFromRow(q));
}

Result<qint64> CertificateRepository::addVersion(qint64 endpointId, qint64 certificateId,
                                                 VersionState state)
{
    const auto ep = m_store.endpoints().get(endpointId);
    if (!ep) {
        return tl::unexpected(ep.error());
    }
    const QString subject = QStringLiteral("%1 certificate %2 %3")
                                .arg(endpointAddress(ep->host, ep->port))
                                .arg(certificateId)
                                .arg(versionStateName(state));
    return mutateReturningId(
        QStringLiteral("certificate.version"), subject, [&]() -> Result<qint64> {
            QSqlQuery q(db());
            q.prepare(
                QStringLiteral("INSERT INTO certificate_versions (endpoint_id, certificate_id, "
                               "state, at_utc) VALUES (?, ?, ?, ?) RETURNING id"));
            q.addBindValue(endpointId);
            q.addBindValue(certificateId);
            q.addBindValue(versionStateName(state));
            q.addBindValue(internal::nowText());
            if (!internal::execBound(q)) {
                return fail(ErrorCode::NotFound,
                            QStringLiteral("Cannot link certificate %1 to %2")
                                .arg(certificateId)
                                .arg(endpointAddress(ep->host, ep->port)),
                            q.lastError().text().trimmed());
            }
            return returnedId(q);
        });
}

Result<QList<CertificateVersion>> CertificateRepository::versions(qint64 endpointId) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT id, endpoint_id, certificate_id, state, at_utc FROM "
                             "certificate_versions WHERE endpoint_id = ? ORDER BY at_utc, id"));
    q.addBindValue(endpointId);
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the certificate history")); !s) {
        return tl::unexpected(s.error());
    }
    QList<CertificateVersion> out;
    while (q.next()) {
        CertificateVersion v;
        v.id = q.value(0).toLongLong();
        v.endpointId = q.value(1).toLongLong();
        v.certificateId = q.value(2).toLongLong();
        v.state = versionStateFromName(q.value(3).toString()).value_or(VersionState::Issued);
        v.atUtc = internal::timeFromText(q.value(4).toString());
        out << v;
    }
    return out;
}

Result<QHash<qint64, CertificateRecord>> CertificateRepository::current() const
{
    // The newest version per endpoint (same order as versions()),
    // by a window function: SQLite >= 3.25 and PostgreSQL both have it.
    QString columns;
    for (const QString& c : kCertificateColumns.split(QStringLiteral(", "))) {
        columns +=
            (columns.isEmpty() ? QString() : QStringLiteral(", ")) + QStringLiteral("c.") + c;
    }
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
                  "SELECT %1, v.endpoint_id FROM (SELECT endpoint_id, certificate_id, ROW_NUMBER() "
                  "OVER (PARTITION BY endpoint_id ORDER BY at_utc DESC, id DESC) AS newest FROM "
                  "certificate_versions) v JOIN certificates c ON c.id = v.certificate_id WHERE "
                  "v.newest = 1")
                  .arg(columns));
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the current certificates")); !s) {
        return tl::unexpected(s.error());
    }
    QHash<qint64, CertificateRecord> out;
    while (q.next()) {
        out.insert(q.value(kCertificateColumnCount).toLongLong(), certificateFromRow(q));
    }
    return out;
}

Result<RenewalWindow> CertificateRepository::setRenewalWindow(const QString& sha256Hex,
                                                              const RenewalWindow& window)
{
    const QString sha256 = sha256Hex.toLower();
    if (!window.windowStartUtc.isValid() || !window.windowEndUtc.isValid() ||
        window.windowEndUtc < window.windowStartUtc) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A renewal window needs a start and an end not before it"),
                    sha256);
    }
    auto cert = bySha256(sha256);
    if (!cert) {
        return tl::unexpected(cert.error());
    }
    if (!*cert) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("No certificate with SHA-256 fingerprint %1 in the inventory")
                        .arg(sha256),
                    location());
    }
    RenewalWindow stored = window;
    stored.certificateId = (*cert)->id;
    stored.fetchedUtc =
        window.fetchedUtc.isValid() ? window.fetchedUtc.toUTC() : QDateTime::currentDateTimeUtc();
    const QString subject = QStringLiteral("certificate %1 (%2)").arg((*cert)->subject, sha256);
    const Status s = mutate(QStringLiteral("renewal-window.set"), subject, [&]() -> Status {
        QSqlQuery del(db());
        del.prepare(QStringLiteral("DELETE FROM renewal_windows WHERE certificate_id = ?"));
        del.addBindValue(stored.certificateId);
        if (auto e = execPrepared(del, QStringLiteral("Cannot replace the renewal window")); !e) {
            return e;
        }
        QSqlQuery q(db());
        q.prepare(QStringLiteral("INSERT INTO renewal_windows (certificate_id, window_start_utc, "
                                 "window_end_utc, explanation_url, retry_after_utc, fetched_utc) "
                                 "VALUES (?, ?, ?, ?, ?, ?)"));
        q.addBindValue(stored.certificateId);
        q.addBindValue(internal::timeText(stored.windowStartUtc));
        q.addBindValue(internal::timeText(stored.windowEndUtc));
        q.addBindValue(stored.explanationUrl);
        q.addBindValue(internal::timeText(stored.retryAfterUtc));
        q.addBindValue(internal::timeText(stored.fetchedUtc));
        return execPrepared(q, QStringLiteral("Cannot store the renewal window"));
    });
    if (!s) {
        return tl::unexpected(s.error());
    }
    // What a reader gets back: times at the store's one-second precision.
    stored.windowStartUtc = internal::timeFromText(internal::timeText(stored.windowStartUtc));
    stored.windowEndUtc = internal::timeFromText(internal::timeText(stored.windowEndUtc));
    stored.retryAfterUtc = internal::timeFromText(internal::timeText(stored.retryAfterUtc));
    stored.fetchedUtc = internal::timeFromText(internal::timeText(stored.fetchedUtc));
    return stored;
}

Result<std::optional<RenewalWindow>>
CertificateRepository::renewalWindow(const QString& sha256Hex) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT w.certificate_id, w.window_start_utc, w.window_end_utc, "
                             "w.explanation_url, w.retry_after_utc, w.fetched_utc "
                             "FROM renewal_windows w JOIN certificates c ON c.id = "
                             "w.certificate_id WHERE c.sha256_hex = ?"));
    q.addBindValue(sha256Hex.toLower());
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the renewal window")); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return std::optional<RenewalWindow>();
    }
    RenewalWindow w;
    w.certificateId = q.value(0).toLongLong();
    w.windowStartUtc = internal::timeFromText(q.value(1).toString());
    w.windowEndUtc = internal::timeFromText(q.value(2).toString());
    w.explanationUrl = q.value(3).toString();
    w.retryAfterUtc = internal::timeFromText(q.value(4).toString());
    w.fetchedUtc = internal::timeFromText(q.value(5).toString());
    return std::optional<RenewalWindow>(w);
}

} // namespace certdeck::inventory
