// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "inventory/StoreRepository.h"

#include <QList>
#include <QStringList>
#include <optional>

namespace certdeck::inventory {

/// A key record (without its ciphertext) and what uses it.
struct KeyUsage
{
    KeyRecord key;
    /// Each record that references the key, for people: "ACME account
    /// 'prod' (#3)", "certificate #7 (CN=www.example.org)". Empty: nothing
    /// uses the key.
    QStringList usedBy;
    [[nodiscard]] bool isUnused() const { return usedBy.isEmpty(); }
};

/// A column that references keys(id). Every such column of the schema is in
/// KeyRepository::references(), so a key it names is never reported unused
/// nor pruned (tests/core/inventory/test_key_usage.cpp checks the schema).
struct KeyReference
{
    QString table;
    QString column;
};

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

    /// Every key (ciphertext left out) with what uses it, by id.
    [[nodiscard]] Result<QList<KeyUsage>> usage() const;
    /// The keys nothing uses (ciphertext left out), by id.
    [[nodiscard]] Result<QList<KeyRecord>> unused() const;
    /// Deletes the keys `ids` in one transaction, audited as one key.prune:
    /// if any of them is used (also if it became used meanwhile) or does not
    /// exist, nothing is deleted and the error names it.
    [[nodiscard]] Status removeUnused(const QList<qint64>& ids);

    /// The columns of the schema that reference keys(id).
    [[nodiscard]] static const QList<KeyReference>& references();
};

} // namespace certdeck::inventory
