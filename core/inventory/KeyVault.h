// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>
#include <array>
#include <cstdint>

namespace certdeck::crypto {
class PrivateKey;
}

namespace certdeck::inventory {

class Store;

/// The scrypt cost of a vault's master key. The defaults take about 0.1 s
/// and 32 MiB; tests may lower N.
struct ScryptCost
{
    std::uint64_t n = std::uint64_t{1} << 15;
    std::uint32_t r = 8;
    std::uint32_t p = 1;
};

/// Private keys in the store, encrypted under a master key derived from a
/// passphrase with scrypt. The store keeps the KDF parameters, the salt and
/// a verifier (an AES-256-GCM-sealed known constant) in its `vault` table,
/// never the passphrase or the derived key. Each key is its PKCS#8 DER sealed
/// with AES-256-GCM under a fresh 96-bit nonce, bound to its SPKI SHA-256 as
/// associated data.
///
/// Holds the derived key in memory while unlocked; it is wiped on lock()
/// and destruction. Uses the store from the store's thread only.
class KeyVault
{
public:
    explicit KeyVault(Store& store);
    ~KeyVault();
    KeyVault(const KeyVault&) = delete;
    KeyVault& operator=(const KeyVault&) = delete;

    /// True once init() has run on this store.
    [[nodiscard]] Result<bool> isInitialized() const;
    /// The stored scrypt cost (NotFound before init()).
    [[nodiscard]] Result<ScryptCost> cost() const;

    /// Sets the master passphrase of a store without one, and unlocks. An
    /// empty passphrase is refused; a second init() is a Conflict.
    [[nodiscard]] Status init(const QByteArray& passphrase, const ScryptCost& cost = {});
    /// Derives the master key and checks it against the verifier: a wrong
    /// passphrase is ErrorCode::Crypto "wrong master passphrase".
    [[nodiscard]] Status unlock(const QByteArray& passphrase);
    [[nodiscard]] bool isUnlocked() const { return m_unlocked; }
    /// Forgets the derived key (wiped).
    void lock();

    /// Encrypts `key` and stores it (protection MasterPassphrase); the new id.
    [[nodiscard]] Result<qint64> storeKey(const crypto::PrivateKey& key,
                                          const QString& description = {});
    /// Decrypts key `id`. Tampered ciphertext or a key that is not the one its
    /// record names is ErrorCode::Crypto naming the key.
    [[nodiscard]] Result<crypto::PrivateKey> loadKey(qint64 id) const;

    /// Re-encrypts every passphrase-protected key and the verifier under
    /// `newPassphrase`, in one transaction: if any key cannot be re-encrypted,
    /// nothing changes and `oldPassphrase` still opens every key. Leaves the
    /// vault unlocked with the new key on success.
    [[nodiscard]] Status changePassphrase(const QByteArray& oldPassphrase,
                                          const QByteArray& newPassphrase,
                                          const ScryptCost& cost = {});

    /// How many keys the vault protects.
    [[nodiscard]] Result<int> keyCount() const;

private:
    Store& m_store;
    std::array<unsigned char, 32> m_key{};
    bool m_unlocked = false;
};

} // namespace certdeck::inventory
