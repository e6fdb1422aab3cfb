// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "inventory/StoreRepository.h"

#include <optional>

namespace certdeck::inventory {

/// Private key records: ciphertext from the KeyVault or an OS keyring id,
/// never a plain key (`store.keys()`).
class KeyRepository : public StoreRepository
{
public:
    explicit KeyRepository(Store& store)
        : StoreRepository(store)
    {}

    /// Stores a key's ciphertext. Refuses a record with neither ciphertext nor
    /// keyring id, and anything that looks like an unencrypted PEM key.
    [[nodiscard]] Result<qint64> add(const KeyRecord& key);
    [[nodiscard]] Result<KeyRecord> get(qint64 id) const;
    /// The newest key whose public half has this SHA-256 SPKI pin, or
    /// nullopt: links a certificate signed from a CSR to its key in the vault.
    [[nodiscard]] Result<std::optional<qint64>> idBySpki(const QByteArray& spkiSha256) const;
    /// Deletes a key record (and so its ciphertext); a key still used by an
    /// issuer or a certificate is a Conflict, and nothing is deleted.
    [[nodiscard]] Status remove(qint64 id);
};

} // namespace certdeck::inventory
