// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/AcmeAccountJob.h"

#include "acme/AcmeAccountStore.h"
#include "crypto/internal/KeyGenCallback.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"

#include <QEventLoop>
#include <QTimer>
#include <openssl/crypto.h>

namespace certdeck::acme {

using inventory::IssuerRecord;

namespace {

// Runs one asynchronous client call to its end on this thread's event loop
// (the worker's only loop); a cancel aborts the exchange in flight.
Result<AccountInfo> await(AcmeClient& client, const JobControl* control,
                          const std::function<void(AcmeClient::Done<AccountInfo>)>& start)
{
    QEventLoop loop;
    std::optional<Result<AccountInfo>> out;
    QTimer watch;
    watch.setInterval(100);
    QObject::connect(&watch, &QTimer::timeout, &loop, [&] {
        if (control != nullptr && control->isCancelled() && !out) {
            client.abortAll();
            out = fail(ErrorCode::Cancelled, QStringLiteral("cancelled"));
            loop.quit();
        }
    });
    start([&](const Result<AccountInfo>& r) {
        if (!out) {
            out = r;
            loop.quit();
        }
    });
    if (!out) {
        watch.start();
        loop.exec();
    }
    return *out;
}

void report(const JobControl* control, const QString& step, double fraction, const QString& message)
{
    if (control != nullptr) {
        control->reportProgress(step, fraction, message);
    }
}

QString defaultName(const QUrl& directory)
{
    return directory.port() > 0
               ? QStringLiteral("%1:%2").arg(directory.host()).arg(directory.port())
               : directory.host();
}

Result<IssuerRecord> create(const AcmeAccountTask& task, AcmeAccountStore& accounts,
                            const JobControl* control)
{
    if (!task.directoryUrl.isValid() || task.directoryUrl.scheme() != QLatin1String("https")) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the directory must be an https URL, not '%1'")
                        .arg(task.directoryUrl.toString()));
    }
    IssuerRecord draft;
    draft.name = task.name;
    draft.directoryUrl = task.directoryUrl.toString();
    draft.trustFile = task.trustFile;
    auto options = AcmeAccountStore::clientOptions(draft);
    if (!options) {
        return tl::unexpected(options.error());
    }
    auto name = task.name.trimmed().isEmpty() ? accounts.freeName(defaultName(task.directoryUrl))
                                              : Result<QString>(task.name.trimmed());
    if (!name) {
        return tl::unexpected(name.error());
    }
    // A name clash is found before the CA hears of anything.
    if (auto existing = accounts.find(*name); existing) {
        return fail(ErrorCode::Conflict,
                    QStringLiteral("an ACME account named '%1' is already stored").arg(*name));
    }
    crypto::PrivateKey key = task.key;
    if (key.isNull()) {
        report(control, QStringLiteral("Account key"), 0.1,
               QStringLiteral("generating an ECDSA P-256 key"));
        auto made = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
        if (!made) {
            return tl::unexpected(made.error());
        }
        key = *made;
    }
    auto jws = JwsKey::fromPrivateKey(key);
    if (!jws) {
        return tl::unexpected(jws.error());
    }
    auto keyId = accounts.stageKey(*jws, QStringLiteral("ACME account key (%1)").arg(*name));
    if (!keyId) {
        return tl::unexpected(keyId.error());
    }
    report(control, QStringLiteral("Registering"), 0.4,
           QStringLiteral("asking %1 for an account").arg(task.directoryUrl.toString()));
    AcmeClient client(*options);
    client.setAccount(*jws);
    auto info = await(client, control, [&](AcmeClient::Done<AccountInfo> done) {
        AcmeAccounts::create(client, task.request, std::move(done));
    });
    if (!info) {
        (void)accounts.discardKey(*keyId);
        return tl::unexpected(info.error());
    }
    report(control, QStringLiteral("Saving"), 0.9,
           QStringLiteral("recording the account in the inventory"));
    auto stored = accounts.add(*name, task.directoryUrl, task.trustFile, *info, *keyId, *jws);
    if (!stored) {
        (void)accounts.discardKey(*keyId);
        return tl::unexpected(stored.error());
    }
    return stored;
}

Result<IssuerRecord> change(const AcmeAccountTask& task, AcmeAccountStore& accounts,
                            const JobControl* control)
{
    auto account = accounts.find(QString::number(task.accountId));
    if (!account) {
        return tl::unexpected(account.error());
    }
    auto options = AcmeAccountStore::clientOptions(*account);
    if (!options) {
        return tl::unexpected(options.error());
    }
    auto key = accounts.loadKey(*account);
    if (!key) {
        return tl::unexpected(key.error());
    }
    AcmeClient client(*options);
    client.setAccount(*key);
    report(control, QStringLiteral("Signing in"), 0.3,
           QStringLiteral("looking the account up at %1").arg(account->directoryUrl));
    auto found = await(client, control, [&](AcmeClient::Done<AccountInfo> done) {
        AcmeAccounts::find(client, std::move(done));
    });
    if (!found) {
        return tl::unexpected(found.error());
    }
    using Action = AcmeAccountTask::Action;
    Result<AccountInfo> info = found;
    switch (task.action) {
    case Action::Create:
    case Action::Refresh:
        break;
    case Action::UpdateContact:
        report(control, QStringLiteral("Updating"), 0.6, QStringLiteral("replacing the contact"));
        info = await(client, control, [&](AcmeClient::Done<AccountInfo> done) {
            AcmeAccounts::updateContact(client, task.contact, std::move(done));
        });
        break;
    case Action::Deactivate:
        report(control, QStringLiteral("Deactivating"), 0.6,
               QStringLiteral("deactivating the account for good"));
        info = await(client, control, [&](AcmeClient::Done<AccountInfo> done) {
            AcmeAccounts::deactivate(client, std::move(done));
        });
        break;
    case Action::Rollover: {
        crypto::PrivateKey next = task.key;
        if (next.isNull()) {
            report(control, QStringLiteral("New key"), 0.4,
                   QStringLiteral("generating an ECDSA P-256 key"));
            auto made = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
            if (!made) {
                return tl::unexpected(made.error());
            }
            next = *made;
        }
        auto nextJws = JwsKey::fromPrivateKey(next);
        if (!nextJws) {
            return tl::unexpected(nextJws.error());
        }
        auto nextId = accounts.stageKey(
            *nextJws, QStringLiteral("ACME account key (%1, rolled over)").arg(account->name));
        if (!nextId) {
            return tl::unexpected(nextId.error());
        }
        report(control, QStringLiteral("Rolling over"), 0.6,
               QStringLiteral("asking the CA to replace the account key"));
        info = await(client, control, [&](AcmeClient::Done<AccountInfo> done) {
            AcmeAccounts::rollover(client, *nextJws, std::move(done));
        });
        if (!info) {
            (void)accounts.discardKey(*nextId);
            return tl::unexpected(info.error());
        }
        auto adopted = accounts.adoptKey(*account, *nextId, *nextJws);
        if (!adopted) {
            return tl::unexpected(adopted.error());
        }
        account = *adopted;
        break;
    }
    }
    if (!info) {
        return tl::unexpected(info.error());
    }
    report(control, QStringLiteral("Saving"), 0.9,
           QStringLiteral("recording the account in the inventory"));
    return accounts.updateFromServer(*account, *info);
}

} // namespace

AcmeAccountJob::AcmeAccountJob(AcmeAccountTask task, QObject* parent)
    : TypedJob<IssuerRecord>(
          [task = std::move(task)](const JobControl& control) { return run(task, &control); },
          parent)
{}

Result<IssuerRecord> AcmeAccountJob::run(const AcmeAccountTask& task, const JobControl* control)
{
    crypto::internal::ReleaseOpensslThreadState releaseOpenssl;
    report(control, QStringLiteral("Opening the inventory"), 0.0, task.storeLocation);
    auto store = inventory::Store::openUrl(task.storeLocation);
    if (!store) {
        return tl::unexpected(store.error());
    }
    inventory::KeyVault vault(**store);
    report(control, QStringLiteral("Unlocking the key vault"), 0.05,
           QStringLiteral("deriving the master key"));
    const Status unlocked =
        task.initVault ? vault.init(task.vaultPassphrase) : vault.unlock(task.vaultPassphrase);
    if (!unlocked) {
        return tl::unexpected(unlocked.error());
    }
    AcmeAccountStore accounts(**store, vault);
    if (task.action == AcmeAccountTask::Action::Create) {
        return create(task, accounts, control);
    }
    return change(task, accounts, control);
}

} // namespace certdeck::acme
