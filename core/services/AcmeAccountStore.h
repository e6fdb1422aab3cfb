// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"
#include "acme/protocol/JwsKey.h"
#include "common/Result.h"
#include "inventory/Records.h"

#include <QList>
#include <QString>
#include <QUrl>

namespace certdeck::inventory {
class KeyVault;
class Store;
} // namespace certdeck::inventory

namespace certdeck::acme {

/// ACME accounts kept in the inventory: an issuer record (kind AcmeAccount)
/// with the directory, account URL, contact, last known status, the CA's
/// TLS trust file and the key's algorithm and thumbprint, and the account
/// key itself sealed in the key vault (never in clear on disk). Listing needs
/// no passphrase; anything that reads or writes a key needs the vault
/// unlocked.
///
/// After a key rollover the old key's record is deleted from the store: the
/// CA no longer accepts it, and a retired private key kept around is only a
/// liability. The audit log keeps both thumbprints.
///
/// Uses the store and vault from their thread only (blocking: not on the
/// GUI thread).
class AcmeAccountStore
{
public:
    AcmeAccountStore(inventory::Store& store, inventory::KeyVault& vault);

    /// The stored ACME accounts, by name.
    [[nodiscard]] Result<QList<inventory::IssuerRecord>> list() const;
    /// The account named `nameOrId`, or with that numeric id.
    [[nodiscard]] Result<inventory::IssuerRecord> find(const QString& nameOrId) const;
    /// The only account for `directory`: NotFound when there is none, a
    /// Conflict naming them when there are several.
    [[nodiscard]] Result<inventory::IssuerRecord> onlyFor(const QUrl& directory) const;
    /// `base` if no issuer has that name yet, else "base (2)", "base (3)"...
    [[nodiscard]] Result<QString> freeName(const QString& base) const;

    /// Records a registered account and seals its key in the vault (needs it
    /// unlocked), in one transaction: both are stored or neither. Called once
    /// the CA has answered, so a failed or interrupted registration leaves no
    /// key behind.
    [[nodiscard]] Result<inventory::IssuerRecord> add(const QString& name, const QUrl& directory,
                                                      const QString& trustFile,
                                                      const AccountInfo& info, const JwsKey& key);
    /// Decrypts the account's key (vault unlocked).
    [[nodiscard]] Result<JwsKey> loadKey(const inventory::IssuerRecord& account) const;
    /// Saves what the CA said about the account (URL, status, contact).
    [[nodiscard]] Result<inventory::IssuerRecord> updateFromServer(inventory::IssuerRecord account,
                                                                   const AccountInfo& info);
    /// After a successful rollover: seals `newKey` in the vault, makes it the
    /// account's key and deletes the old key's record, in one transaction.
    [[nodiscard]] Result<inventory::IssuerRecord> adoptKey(inventory::IssuerRecord account,
                                                           const JwsKey& newKey);

    /// Client options for talking to the account's CA: its directory and,
    /// when a trust file was given, only the roots in it.
    [[nodiscard]] static Result<AcmeClientOptions>
    clientOptions(const inventory::IssuerRecord& account);

private:
    inventory::Store& m_store;
    inventory::KeyVault& m_vault;
};

} // namespace certdeck::acme
