// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/AcmeAccounts.h"
#include "common/ThreadedOperation.h"
#include "crypto/PrivateKey.h"
#include "inventory/Records.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace certdeck::acme {

/// What to do with a stored ACME account (see AcmeAccountStore).
struct AcmeAccountTask
{
    enum class Action
    {
        Create,        ///< register a new account (or adopt the key's existing one) and store it
        Refresh,       ///< ask the CA for the account's status and contact, and store them
        UpdateContact, ///< replace the contact list
        Deactivate,    ///< deactivate for good (RFC 8555 7.3.6)
        Rollover       ///< replace the account key (RFC 8555 7.3.5)
    };
    Action action = Action::Refresh;
    /// Where the inventory is (Store::openUrl); the worker thread connects to it
    /// (checked once per process, not per job).
    QString storeLocation;
    /// The vault's master passphrase. With initVault, the store's vault has
    /// none yet and is set up with this one first.
    QByteArray vaultPassphrase;
    bool initVault = false;
    /// Every action but Create: the stored account.
    qint64 accountId = 0;

    /// Create: a name for the account (empty: the directory's host and port),
    /// the CA, the PEM roots trusted for its TLS (empty: the system's), and
    /// what to ask for.
    QString name;
    QUrl directoryUrl;
    QString trustFile;
    AccountRequest request;
    /// Create: an existing key to import; Rollover: the new key. Null: a new
    /// ECDSA P-256 key is made.
    crypto::PrivateKey key;
    /// UpdateContact: the new list.
    QStringList contact;
};

/// One account action on a worker thread of its own (ThreadedOperation):
/// opens the store, unlocks the vault, talks to the CA on that thread's event
/// loop, and records the outcome before it reports done. The result is the
/// stored account as it is afterwards. Progress names each step; cancel()
/// aborts the exchange in flight at once. A new key (Create, Rollover) is
/// sealed in the vault only with the record that uses it, in one transaction
/// after the CA has answered: an action that fails, is cancelled or killed
/// leaves no key behind.
/// Keys and EAB MAC keys never appear in progress, errors or the audit log.
class AcmeAccountJob : public ThreadedOperation<inventory::IssuerRecord>
{
public:
    explicit AcmeAccountJob(AcmeAccountTask task, QObject* parent = nullptr);

    /// The same work as an Operation on the calling thread's event loop (the
    /// CLI runs it in its own loop; the job runs it on its worker thread).
    [[nodiscard]] static std::unique_ptr<TypedOperation<inventory::IssuerRecord>>
    flow(AcmeAccountTask task);
};

} // namespace certdeck::acme
