// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>

namespace certdeck::crypto {
class PrivateKey;
}

namespace certdeck::inventory {

class OsKeyring;
class Store;

/// Private keys held in the OS keyring instead of the passphrase vault: the
/// keyring keeps the key (PKCS#8 DER) under an id; the store keeps only that
/// id, the description and the key's SPKI SHA-256 (protection OsKeyring, no
/// ciphertext). A key read back must match that SPKI hash. Blocking: call
/// off the GUI thread.
class KeyringKeys
{
public:
    KeyringKeys(Store& store, const OsKeyring& keyring);

    /// Puts `key` in the keyring, then records it in the store; if the store
    /// refuses, the keyring entry is removed again. The new key id.
    [[nodiscard]] Result<qint64> storeKey(const crypto::PrivateKey& key,
                                          const QString& description = {});
    /// Reads key `id` from the keyring. A record that is not keyring-held,
    /// a missing entry, or an entry holding another key is an error naming
    /// the key.
    [[nodiscard]] Result<crypto::PrivateKey> loadKey(qint64 id) const;

private:
    Store& m_store;
    const OsKeyring& m_keyring;
};

} // namespace certdeck::inventory
