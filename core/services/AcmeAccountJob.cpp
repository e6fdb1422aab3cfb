// SPDX-License-Identifier: GPL-3.0-or-later
#include "services/AcmeAccountJob.h"

#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "services/AcmeAccountStore.h"

#include <optional>

namespace certdeck::acme {

using inventory::IssuerRecord;

namespace {

QString defaultName(const QUrl& directory)
{
    return directory.port() > 0
               ? QStringLiteral("%1:%2").arg(directory.host()).arg(directory.port())
               : directory.host();
}

/// The account action on the calling thread's event loop. The inventory
/// steps are short blocking calls (scrypt, SQL); each exchange with the CA is
/// asynchronous, so cancel() aborts the one in flight at once. A change the
/// CA has made is always recorded, cancelled or not.
class AccountFlow : public TypedOperation<IssuerRecord>
{
public:
    explicit AccountFlow(AcmeAccountTask task)
        : TypedOperation<IssuerRecord>(nullptr)
        , m_task(std::move(task))
    {}

protected:
    void onStart() override;
    void onCancel() override
    {
        if (m_client) {
            // The exchange's callback ends the flow; no key was stored yet.
            m_client->abortAll();
        }
        finishWith(fail(ErrorCode::Cancelled, QStringLiteral("cancelled")));
    }

private:
    Status open();
    void create();
    void change();
    void changeFound(const Result<AccountInfo>& found);
    void rollover();
    void save(const Result<AccountInfo>& info);

    AcmeAccountTask m_task;
    std::unique_ptr<inventory::Store> m_store;
    std::unique_ptr<inventory::KeyVault> m_vault;
    std::unique_ptr<AcmeAccountStore> m_accounts;
    // Destroyed first: it never calls back afterwards, so `this` is safe in
    // its callbacks.
    std::unique_ptr<AcmeClient> m_client;
    IssuerRecord m_account;
};

void AccountFlow::onStart()
{
    if (const Status opened = open(); !opened) {
        finishWith(tl::unexpected(opened.error()));
        return;
    }
    if (m_task.action == AcmeAccountTask::Action::Create) {
        create();
    } else {
        change();
    }
}

Status AccountFlow::open()
{
    reportProgress(QStringLiteral("Opening the inventory"), 0.0, m_task.storeLocation);
    auto store = inventory::Store::openUrl(m_task.storeLocation);
    if (!store) {
        return tl::unexpected(store.error());
    }
    m_store = std::move(*store);
    m_vault = std::make_unique<inventory::KeyVault>(*m_store);
    reportProgress(QStringLiteral("Unlocking the key vault"), 0.05,
                   QStringLiteral("deriving the master key"));
    const Status unlocked = m_task.initVault ? m_vault->init(m_task.vaultPassphrase)
                                             : m_vault->unlock(m_task.vaultPassphrase);
    if (!unlocked) {
        return unlocked;
    }
    m_accounts = std::make_unique<AcmeAccountStore>(*m_store, *m_vault);
    return {};
}

void AccountFlow::create()
{
    const AcmeAccountTask& task = m_task;
    if (!task.directoryUrl.isValid() || task.directoryUrl.scheme() != QLatin1String("https")) {
        finishWith(fail(ErrorCode::InvalidInput,
                        QStringLiteral("the directory must be an https URL, not '%1'")
                            .arg(task.directoryUrl.toString())));
        return;
    }
    IssuerRecord draft;
    draft.name = task.name;
    draft.directoryUrl = task.directoryUrl.toString();
    draft.trustFile = task.trustFile;
    auto options = AcmeAccountStore::clientOptions(draft);
    if (!options) {
        finishWith(tl::unexpected(options.error()));
        return;
    }
    auto name = task.name.trimmed().isEmpty() ? m_accounts->freeName(defaultName(task.directoryUrl))
                                              : Result<QString>(task.name.trimmed());
    if (!name) {
        finishWith(tl::unexpected(name.error()));
        return;
    }
    // A name clash is found before the CA hears of anything.
    if (auto existing = m_accounts->find(*name); existing) {
        finishWith(fail(ErrorCode::Conflict,
                        QStringLiteral("an ACME account named '%1' is already stored").arg(*name)));
        return;
    }
    crypto::PrivateKey key = task.key;
    if (key.isNull()) {
        reportProgress(QStringLiteral("Account key"), 0.1,
                       QStringLiteral("generating an ECDSA P-256 key"));
        auto made = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
        if (!made) {
            finishWith(tl::unexpected(made.error()));
            return;
        }
        key = *made;
    }
    auto jws = JwsKey::fromPrivateKey(key);
    if (!jws) {
        finishWith(tl::unexpected(jws.error()));
        return;
    }
    // The key stays in memory until the CA has answered: it is sealed in the
    // vault together with the account record, in one transaction, so a
    // failed, cancelled or killed registration leaves no key behind. (A kill
    // after the CA made the account and before that commit leaves an
    // account at the CA whose key is gone: harmless, nothing can sign for it.)
    reportProgress(QStringLiteral("Registering"), 0.4,
                   QStringLiteral("asking %1 for an account").arg(task.directoryUrl.toString()));
    if (isEnding()) {
        return;
    }
    m_client = std::make_unique<AcmeClient>(*options);
    m_client->setAccount(*jws);
    AcmeAccounts::create(
        *m_client, task.request, [this, name = *name, jws = *jws](const Result<AccountInfo>& info) {
            if (!info) {
                finishWith(tl::unexpected(info.error()));
                return;
            }
            reportProgress(QStringLiteral("Saving"), 0.9,
                           QStringLiteral("recording the account and its key in "
                                          "the inventory"));
            finishWith(m_accounts->add(name, m_task.directoryUrl, m_task.trustFile, *info, jws));
        });
}

void AccountFlow::change()
{
    auto account = m_accounts->find(QString::number(m_task.accountId));
    if (!account) {
        finishWith(tl::unexpected(account.error()));
        return;
    }
    m_account = *account;
    auto options = AcmeAccountStore::clientOptions(m_account);
    if (!options) {
        finishWith(tl::unexpected(options.error()));
        return;
    }
    auto key = m_accounts->loadKey(m_account);
    if (!key) {
        finishWith(tl::unexpected(key.error()));
        return;
    }
    reportProgress(QStringLiteral("Signing in"), 0.3,
                   QStringLiteral("looking the account up at %1").arg(m_account.directoryUrl));
    if (isEnding()) {
        return;
    }
    m_client = std::make_unique<AcmeClient>(*options);
    m_client->setAccount(*key);
    AcmeAccounts::find(*m_client, [this](const Result<AccountInfo>& found) { changeFound(found); });
}

void AccountFlow::changeFound(const Result<AccountInfo>& found)
{
    if (!found) {
        finishWith(tl::unexpected(found.error()));
        return;
    }
    using Action = AcmeAccountTask::Action;
    const auto then = [this](const Result<AccountInfo>& info) {
        save(info);
    };
    switch (m_task.action) {
    case Action::Create:
    case Action::Refresh:
        save(found);
        return;
    case Action::UpdateContact:
        reportProgress(QStringLiteral("Updating"), 0.6, QStringLiteral("replacing the contact"));
        if (!isEnding()) {
            AcmeAccounts::updateContact(*m_client, m_task.contact, then);
        }
        return;
    case Action::Deactivate:
        reportProgress(QStringLiteral("Deactivating"), 0.6,
                       QStringLiteral("deactivating the account for good"));
        if (!isEnding()) {
            AcmeAccounts::deactivate(*m_client, then);
        }
        return;
    case Action::Rollover:
        rollover();
        return;
    }
}

void AccountFlow::rollover()
{
    crypto::PrivateKey next = m_task.key;
    if (next.isNull()) {
        reportProgress(QStringLiteral("New key"), 0.4,
                       QStringLiteral("generating an ECDSA P-256 key"));
        auto made = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
        if (!made) {
            finishWith(tl::unexpected(made.error()));
            return;
        }
        next = *made;
    }
    auto nextJws = JwsKey::fromPrivateKey(next);
    if (!nextJws) {
        finishWith(tl::unexpected(nextJws.error()));
        return;
    }
    // As for a new account, the new key is sealed only once the CA has
    // accepted it, in the transaction that makes it the account's key and
    // deletes the old one.
    reportProgress(QStringLiteral("Rolling over"), 0.6,
                   QStringLiteral("asking the CA to replace the account key"));
    if (isEnding()) {
        return;
    }
    AcmeAccounts::rollover(*m_client, *nextJws,
                           [this, nextJws = *nextJws](const Result<AccountInfo>& info) {
                               if (!info) {
                                   finishWith(tl::unexpected(info.error()));
                                   return;
                               }
                               auto adopted = m_accounts->adoptKey(m_account, nextJws);
                               if (!adopted) {
                                   finishWith(tl::unexpected(adopted.error()));
                                   return;
                               }
                               m_account = *adopted;
                               save(info);
                           });
}

void AccountFlow::save(const Result<AccountInfo>& info)
{
    if (!info) {
        finishWith(tl::unexpected(info.error()));
        return;
    }
    // Recorded even when cancelled meanwhile: the CA has made the change.
    reportProgress(QStringLiteral("Saving"), 0.9,
                   QStringLiteral("recording the account in the inventory"));
    finishWith(m_accounts->updateFromServer(m_account, *info));
}

} // namespace

AcmeAccountJob::AcmeAccountJob(AcmeAccountTask task, QObject* parent)
    : ThreadedOperation<IssuerRecord>(
          [task = std::move(task)](const WorkerLink&) { return flow(task); }, parent)
{}

std::unique_ptr<TypedOperation<IssuerRecord>> AcmeAccountJob::flow(AcmeAccountTask task)
{
    return std::make_unique<AccountFlow>(std::move(task));
}

} // namespace certdeck::acme
