// SPDX-License-Identifier: GPL-3.0-or-later
// Keys: ciphertext or an OS keyring id, never a plain key.
#include "KeyRepository.h"

#include "RecordNames.h"
#include "Store.h"
#include "internal/SqlSupport.h"

#include <QSqlDatabase>

namespace certdeck::inventory {

using internal::execPrepared;

namespace {

const QString kKeyColumns =
    QStringLiteral("id, description, spki_sha256, protection, encrypted, keyring_id, created_utc");

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

} // namespace

Result<qint64> KeyRepository::add(const KeyRecord& key)
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
    const QString subject = QStringLiteral("key %1").arg(
        key.description.isEmpty() ? QString::fromLatin1(key.spkiSha256.toHex()) : key.description);
    return mutateReturningId(QStringLiteral("key.add"), subject, [&]() -> Result<qint64> {
        QSqlQuery q(db());
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
        return insertReturningId(q, QStringLiteral("Cannot store the key"));
    });
}

Result<KeyRecord> KeyRepository::get(qint64 id) const
{
    QSqlQuery q(db());
    if (auto s = readById(q, kKeyColumns, QStringLiteral("keys"), QStringLiteral("key"), id); !s) {
        return tl::unexpected(s.error());
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

Result<std::optional<qint64>> KeyRepository::idBySpki(const QByteArray& spkiSha256) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT id FROM keys WHERE spki_sha256 = ? ORDER BY id DESC"));
    q.addBindValue(spkiSha256);
    if (auto s = internal::execPrepared(q, QStringLiteral("Cannot look up the key")); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return std::optional<qint64>();
    }
    return std::optional<qint64>(q.value(0).toLongLong());
}

Status KeyRepository::remove(qint64 id)
{
    return mutate(QStringLiteral("key.remove"), QStringLiteral("key %1").arg(id), [&]() -> Status {
        QSqlQuery q(db());
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
                location());
        }
        QSqlQuery del(db());
        del.prepare(QStringLiteral("DELETE FROM keys WHERE id = ?"));
        del.addBindValue(id);
        if (auto e = execPrepared(del, QStringLiteral("Cannot delete key %1").arg(id)); !e) {
            return e;
        }
        if (del.numRowsAffected() != 1) {
            return fail(ErrorCode::NotFound, QStringLiteral("No key with id %1").arg(id),
                        location());
        }
        return {};
    });
}

} // namespace certdeck::inventory
