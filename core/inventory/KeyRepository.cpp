// SPDX-License-Identifier: GPL-3.0-or-later
// Keys: ciphertext or an OS keyring id, never a plain key.
#include "KeyRepository.h"

#include "RecordNames.h"
#include "Store.h"
#include "internal/SqlSupport.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>

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

// The columns read with each user of a key, for userLabel().
QString userColumns(const QString& table)
{
    if (table == QLatin1String("issuers")) {
        return QStringLiteral("id, kind, name");
    }
    if (table == QLatin1String("certificates")) {
        return QStringLiteral("id, subject");
    }
    return QStringLiteral("id");
}

// "ACME account 'prod' (#3)": the user as people know it. `q` is on a row
// selected with userColumns() after the key id.
QString userLabel(const QString& table, const QSqlQuery& q)
{
    const QString id = q.value(1).toString();
    if (table == QLatin1String("issuers")) {
        const QString kind = q.value(2).toString() == QLatin1String("local-ca")
                                 ? QStringLiteral("local CA")
                                 : QStringLiteral("ACME account");
        return QStringLiteral("%1 '%2' (#%3)").arg(kind, q.value(3).toString(), id);
    }
    if (table == QLatin1String("certificates")) {
        const QString subject = q.value(2).toString();
        return subject.isEmpty() ? QStringLiteral("certificate #%1").arg(id)
                                 : QStringLiteral("certificate #%1 (%2)").arg(id, subject);
    }
    return QStringLiteral("%1 #%2").arg(table, id);
}

// Deletes key `id` unless a reference names it: checked in the same
// transaction as the delete, so a key that became used meanwhile stays.
Status deleteUnusedKey(const QSqlDatabase& db, qint64 id, const QString& location)
{
    QStringList counts;
    for (const KeyReference& ref : KeyRepository::references()) {
        counts
            << QStringLiteral("(SELECT count(*) FROM %1 WHERE %2 = ?)").arg(ref.table, ref.column);
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT ") + counts.join(QStringLiteral(" + ")));
    for (qsizetype i = 0; i < counts.size(); ++i) {
        q.addBindValue(id);
    }
    if (auto e = execPrepared(q, QStringLiteral("Cannot check key %1").arg(id)); !e) {
        return e;
    }
    if (q.next() && q.value(0).toLongLong() > 0) {
        return fail(ErrorCode::Conflict,
                    QStringLiteral("Key %1 is still used by an issuer or a certificate").arg(id),
                    location);
    }
    QSqlQuery del(db);
    del.prepare(QStringLiteral("DELETE FROM keys WHERE id = ?"));
    del.addBindValue(id);
    if (auto e = execPrepared(del, QStringLiteral("Cannot delete key %1").arg(id)); !e) {
        return e;
    }
    if (del.numRowsAffected() != 1) {
        return fail(ErrorCode::NotFound, QStringLiteral("No key with id %1").arg(id), location);
    }
    return {};
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
    return mutate(QStringLiteral("key.remove"), QStringLiteral("key %1").arg(id),
                  [&]() -> Status { return deleteUnusedKey(db(), id, location()); });
}

const QList<KeyReference>& KeyRepository::references()
{
    // Add a column here when the schema gains one that references keys(id).
    static const QList<KeyReference> all = {
        {QStringLiteral("issuers"), QStringLiteral("account_key_id")},
        {QStringLiteral("certificates"), QStringLiteral("key_id")},
    };
    return all;
}

Result<QList<KeyUsage>> KeyRepository::usage() const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT id, description, spki_sha256, protection, keyring_id, "
                             "created_utc FROM keys ORDER BY id"));
    if (auto s = execPrepared(q, QStringLiteral("Cannot list the keys")); !s) {
        return tl::unexpected(s.error());
    }
    QList<KeyUsage> out;
    QHash<qint64, qsizetype> index;
    while (q.next()) {
        KeyUsage u;
        u.key.id = q.value(0).toLongLong();
        u.key.description = q.value(1).toString();
        u.key.spkiSha256 = q.value(2).toByteArray();
        u.key.protection =
            keyProtectionFromName(q.value(3).toString()).value_or(KeyProtection::MasterPassphrase);
        u.key.keyringId = q.value(4).toString();
        u.key.createdUtc = internal::timeFromText(q.value(5).toString());
        index.insert(u.key.id, out.size());
        out << u;
    }
    for (const KeyReference& ref : references()) {
        QSqlQuery users(db());
        users.prepare(QStringLiteral("SELECT %1, %2 FROM %3 WHERE %1 IS NOT NULL ORDER BY id")
                          .arg(ref.column, userColumns(ref.table), ref.table));
        if (auto s = execPrepared(users, QStringLiteral("Cannot read what uses the keys")); !s) {
            return tl::unexpected(s.error());
        }
        while (users.next()) {
            const auto at = index.constFind(users.value(0).toLongLong());
            if (at != index.constEnd()) {
                out[*at].usedBy << userLabel(ref.table, users);
            }
        }
    }
    return out;
}

Result<QList<KeyRecord>> KeyRepository::unused() const
{
    auto all = usage();
    if (!all) {
        return tl::unexpected(all.error());
    }
    QList<KeyRecord> out;
    for (const KeyUsage& u : std::as_const(*all)) {
        if (u.isUnused()) {
            out << u.key;
        }
    }
    return out;
}

Status KeyRepository::removeUnused(const QList<qint64>& ids)
{
    QStringList names;
    for (const qint64 id : ids) {
        names << QString::number(id);
    }
    const QString subject = (ids.size() == 1 ? QStringLiteral("key ") : QStringLiteral("keys ")) +
                            names.join(QStringLiteral(", "));
    return mutate(QStringLiteral("key.prune"), subject, [&]() -> Status {
        for (const qint64 id : ids) {
            if (auto s = deleteUnusedKey(db(), id, location()); !s) {
                return s;
            }
        }
        return {};
    });
}

} // namespace certdeck::inventory
