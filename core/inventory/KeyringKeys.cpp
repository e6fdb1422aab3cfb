// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeyringKeys.h"

#include "OsKeyring.h"
#include "Store.h"
#include "crypto/PrivateKey.h"
#include "crypto/Wipe.h"
#include "inventory/internal/Log.h"

#include <QRandomGenerator>

namespace certdeck::inventory {

KeyringKeys::KeyringKeys(Store& store, const OsKeyring& keyring)
    : m_store(store)
    , m_keyring(keyring)
{}

Result<qint64> KeyringKeys::storeKey(const crypto::PrivateKey& key, const QString& description)
{
    if (key.isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No key to store"));
    }
    const QByteArray spki = key.spkiSha256();
    // The id names the key's public half (not secret) plus a random part, so
    // two stores on one desktop never share an entry.
    const QString keyringId =
        QStringLiteral("certdeck-key-%1-%2")
            .arg(QString::fromLatin1(spki.toHex().left(16)))
            .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
    QByteArray der = key.toPkcs8Der();
    const Status written = m_keyring.write(keyringId, der);
    crypto::wipe(der);
    if (!written) {
        return tl::unexpected(written.error());
    }
    KeyRecord record;
    record.description = description.isEmpty() ? key.description() : description;
    record.spkiSha256 = spki;
    record.protection = KeyProtection::OsKeyring;
    record.keyringId = keyringId;
    auto id = m_store.keys().add(record);
    if (!id) {
        // Best effort: the store's error is the one to report.
        (void)m_keyring.remove(keyringId);
        return tl::unexpected(id.error());
    }
    qCDebug(lcInventory).noquote() << "key" << *id << "held in the OS keyring as" << keyringId;
    return id;
}

Result<crypto::PrivateKey> KeyringKeys::loadKey(qint64 id) const
{
    auto record = m_store.keys().get(id);
    if (!record) {
        return tl::unexpected(record.error());
    }
    const QString what = QStringLiteral("Key %1").arg(id);
    if (record->protection != KeyProtection::OsKeyring || record->keyringId.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is protected by the master passphrase, not held in the OS "
                                   "keyring")
                        .arg(what));
    }
    auto der = m_keyring.read(record->keyringId);
    if (!der) {
        Error e = der.error();
        e.message = QStringLiteral("%1 (%2): %3").arg(what, record->description, e.message);
        return tl::unexpected(e);
    }
    auto key = crypto::PrivateKey::fromDer(*der, {}, what);
    crypto::wipe(*der);
    if (!key) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("%1: the keyring entry %2 is not a private key")
                        .arg(what, record->keyringId),
                    key.error().message);
    }
    if (key->spkiSha256() != record->spkiSha256) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("%1: the keyring entry %2 holds another key than the one "
                                   "recorded (public key hash differs)")
                        .arg(what, record->keyringId));
    }
    qCDebug(lcInventory).noquote()
        << "key" << id << "read from the OS keyring entry" << record->keyringId;
    return key;
}

} // namespace certdeck::inventory
