// SPDX-License-Identifier: GPL-3.0-or-later
// Store: keys (ciphertext only), certificates (DER plus query columns) and
// the certificate history of endpoints.
#include "RecordNames.h"
#include "Store.h"
#include "crypto/Certificate.h"
#include "internal/SqlSupport.h"

#include <QSqlDatabase>

namespace certdeck::inventory {

using internal::execPrepared;

namespace {

// PEM labels of private keys that are not encrypted. An encrypted PKCS#8
// ("ENCRYPTED PRIVATE KEY") or our own envelope is fine.
bool looksLikePlainKey(const QByteArray& bytes)
{
    // Legacy encrypted PEM keeps the old labels and says so in a header.
    if (bytes.contains("Proc-Type: 4,ENCRYPTED")) {
        return false;
    }
    for (const char* label : {"-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
                              "-----BEGIN EC PRIVATE KEY-----", "-----BEGIN DSA PRIVATE KEY-----",
                              "-----BEGIN OPENSSH PRIVATE KEY-----"}) {
        if (bytes.contains(label)) {
            return true;
        }
    }
    return false;
}

const QString kCertificateColumns =
    QStringLiteral("id, der, subject, issuer, sans, serial_hex, sha256_hex, not_before_utc, "
                   "not_after_utc, key_id");

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
    return c;
}

} // namespace

Result<qint64> Store::addKey(const KeyRecord& key)
{
    if (key.encrypted.isEmpty() && key.keyringId.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A key record needs its ciphertext or an OS keyring id; the "
                                   "store never holds plain keys"),
                    key.description);
    }
    if (looksLikePlainKey(key.encrypted)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Refusing to store an unencrypted private key"),
                    key.description);
    }
    qint64 id = 0;
    const QString subject = QStringLiteral("key %1").arg(
        key.description.isEmpty() ? QString::fromLatin1(key.spkiSha256.toHex()) : key.description);
    const Status s = mutate(QStringLiteral("key.add"), subject, [&]() -> Status {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        q.prepare(QStringLiteral("INSERT INTO keys (description, spki_sha256, protection, "
                                 "encrypted, keyring_id, created_utc) VALUES (?, ?, ?, ?, ?, ?) "
                                 "RETURNING id"));
        q.addBindValue(key.description);
        q.addBindValue(key.spkiSha256);
        q.addBindValue(keyProtectionName(key.protection));
        q.addBindValue(key.encrypted);
        q.addBindValue(key.keyringId);
        q.addBindValue(internal::timeText(
            key.createdUtc.isValid() ? key.createdUtc : QDateTime::currentDateTimeUtc()));
        if (auto e = execPrepared(q, QStringLiteral("Cannot store the key")); !e) {
            return e;
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

Result<KeyRecord> Store::key(qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT id, description, spki_sha256, protection, encrypted, "
                             "keyring_id, created_utc FROM keys WHERE id = ?"));
    q.addBindValue(id);
    if (auto s = execPrepared(q, QStringLiteral("Cannot read key %1").arg(id)); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return fail(ErrorCode::NotFound, QStringLiteral("No key with id %1").arg(id), m_location);
    }
    KeyRecord k;
    k.id = q.value(0).toLongLong();
    k.description = q.value(1).toString();
    k.spkiSha256 = q.value(2).toByteArray();
    k.protection =
        keyProtectionFromName(q.value(3).toString()).value_or(KeyProtection::MasterPassphrase);
    k.encrypted = q.value(4).toByteArray();
    k.keyringId = q.value(5).toString();
    k.createdUtc = internal::timeFromText(q.value(6).toString());
    return k;
}

Status Store::removeKey(qint64 id)
{
    return mutate(QStringLiteral("key.remove"), QStringLiteral("key %1").arg(id), [&]() -> Status {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        q.prepare(QStringLiteral("SELECT (SELECT count(*) FROM issuers WHERE account_key_id = ?) "
                                 "+ (SELECT count(*) FROM certificates WHERE key_id = ?)"));
        q.addBindValue(id);
        q.addBindValue(id);
        if (auto e = execPrepared(q, QStringLiteral("Cannot check key %1").arg(id)); !e) {
            return e;
        }
        if (q.next() && q.value(0).toLongLong() > 0) {
            return fail(
                ErrorCode::Conflict,
                QStringLiteral("Key %1 is still used by an issuer or a certificate").arg(id),
                m_location);
        }
        QSqlQuery del(QSqlDatabase::database(m_connectionName, false));
        del.prepare(QStringLiteral("DELETE FROM keys WHERE id = ?"));
        del.addBindValue(id);
        if (auto e = execPrepared(del, QStringLiteral("Cannot delete key %1").arg(id)); !e) {
            return e;
        }
        if (del.numRowsAffected() != 1) {
            return fail(ErrorCode::NotFound, QStringLiteral("No key with id %1").arg(id),
                        m_location);
        }
        return {};
    });
}

Result<qint64> Store::upsertCertificate(const crypto::Certificate& certificate,
                                        std::optional<qint64> keyId)
{
    if (certificate.isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No certificate to store"));
    }
    const QString sha256 =
        QString::fromLatin1(certificate.fingerprint(QCryptographicHash::Sha256).toHex());
    const auto existing = certificateBySha256(sha256);
    if (!existing) {
        return tl::unexpected(existing.error());
    }
    if (*existing) {
        return (*existing)->id;
    }
    qint64 id = 0;
    const QString subject =
        QStringLiteral("certificate %1 (%2)").arg(certificate.subject(), sha256);
    const Status s = mutate(QStringLiteral("certificate.add"), subject, [&]() -> Status {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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
        if (auto e = execPrepared(q, QStringLiteral("Cannot store the certificate")); !e) {
            return e;
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

Result<CertificateRecord> Store::certificate(qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT %1 FROM certificates WHERE id = ?").arg(kCertificateColumns));
    q.addBindValue(id);
    if (auto s = execPrepared(q, QStringLiteral("Cannot read certificate %1").arg(id)); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return fail(ErrorCode::NotFound, QStringLiteral("No certificate with id %1").arg(id),
                    m_location);
    }
    return certificateFromRow(q);
}

Result<std::optional<CertificateRecord>> Store::certificateBySha256(const QString& sha256Hex) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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

Result<qint64> Store::addCertificateVersion(qint64 endpointId, qint64 certificateId,
                                            VersionState state)
{
    const auto ep = endpointInternal(endpointId);
    if (!ep) {
        return tl::unexpected(ep.error());
    }
    qint64 id = 0;
    const QString subject = QStringLiteral("%1 certificate %2 %3")
                                .arg(endpointAddress(ep->host, ep->port))
                                .arg(certificateId)
                                .arg(versionStateName(state));
    const Status s = mutate(QStringLiteral("certificate.version"), subject, [&]() -> Status {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        q.prepare(QStringLiteral("INSERT INTO certificate_versions (endpoint_id, certificate_id, "
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

Result<QList<CertificateVersion>> Store::certificateVersions(qint64 endpointId) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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

Result<QHash<qint64, CertificateRecord>> Store::currentCertificates() const
{
    // The newest version per endpoint (same order as certificateVersions()),
    // by a window function: SQLite >= 3.25 and PostgreSQL both have it.
    QString columns;
    for (const QString& c : kCertificateColumns.split(QStringLiteral(", "))) {
        columns +=
            (columns.isEmpty() ? QString() : QStringLiteral(", ")) + QStringLiteral("c.") + c;
    }
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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
        out.insert(q.value(10).toLongLong(), certificateFromRow(q));
    }
    return out;
}

} // namespace certdeck::inventory
