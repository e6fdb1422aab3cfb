// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl acme account new|show|update|deactivate|rollover.
#include "AcmeCliSupport.h"
#include "common/CallbackOperation.h"
#include "common/SecureFile.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "services/AcmeAccountJob.h"
#include "services/AcmeAccountStore.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace certdeck::cli::acmecli {

namespace {

QJsonObject accountJson(const AccountInfo& a, const JwsKey& key)
{
    QJsonArray contact;
    for (const QString& c : a.contact) {
        contact.append(c);
    }
    return QJsonObject{{QStringLiteral("account"), a.url.toString()},
                       {QStringLiteral("status"), a.status},
                       {QStringLiteral("created"), a.created},
                       {QStringLiteral("contact"), contact},
                       {QStringLiteral("keyAlgorithm"), jwsAlgorithmName(key.algorithm())},
                       {QStringLiteral("keyThumbprint"), QString::fromLatin1(key.thumbprint())}};
}

// A P-256 key read from `path`, or made there (0600) when it does not exist.
Result<PrivateKey> loadOrCreateKey(CommandContext& ctx, const QString& path)
{
    if (QFileInfo::exists(path)) {
        auto data = readFileCapped(path, 1024 * 1024);
        if (!data) {
            return tl::unexpected(data.error());
        }
        auto key = PrivateKey::fromData(*data, {}, path);
        OPENSSL_cleanse(data->data(), static_cast<size_t>(data->size()));
        return key;
    }
    auto key = PrivateKey::generate(crypto::KeyType::EcdsaP256);
    if (!key) {
        return key;
    }
    QByteArray pem = key->toPkcs8Pem();
    WriteOptions secret;
    secret.secret = true;
    auto written = writeFileAtomically(path, pem, secret);
    OPENSSL_cleanse(pem.data(), static_cast<size_t>(pem.size()));
    if (!written) {
        return tl::unexpected(written.error());
    }
    progressLine(ctx, QStringLiteral("account key"),
                 QStringLiteral("created %1 (ECDSA P-256)").arg(path));
    return key;
}

QJsonObject storedJson(const inventory::IssuerRecord& a)
{
    QJsonArray contact;
    for (const QString& c : a.contact) {
        contact.append(c);
    }
    return QJsonObject{{QStringLiteral("id"), a.id},
                       {QStringLiteral("name"), a.name},
                       {QStringLiteral("directory"), a.directoryUrl},
                       {QStringLiteral("account"), a.accountUrl},
                       {QStringLiteral("status"), a.status},
                       {QStringLiteral("contact"), contact},
                       {QStringLiteral("caFile"), a.trustFile},
                       {QStringLiteral("keyAlgorithm"), a.keyAlgorithm},
                       {QStringLiteral("keyThumbprint"), a.keyThumbprint},
                       {QStringLiteral("stored"), true}};
}

void printStored(CommandContext& ctx, const inventory::IssuerRecord& a)
{
    if (ctx.json) {
        printJson(ctx.out, storedJson(a));
        return;
    }
    ctx.out << "Name          " << a.name << " (id " << a.id << ")\n"
            << "Directory     " << a.directoryUrl << "\n"
            << "Account       " << a.accountUrl << "\n"
            << "Status        " << a.status << "\n"
            << "Contact       "
            << (a.contact.isEmpty() ? QStringLiteral("-") : a.contact.join(QStringLiteral(", ")))
            << "\n"
            << "Key           " << a.keyAlgorithm << ", thumbprint " << a.keyThumbprint
            << " (in the key vault)\n";
    ctx.out.flush();
}

ExitCode runList(CommandContext& ctx)
{
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    inventory::KeyVault vault(**store);
    auto all = AcmeAccountStore(**store, vault).list();
    if (!all) {
        return reportError(ctx, all.error());
    }
    if (ctx.json) {
        QJsonArray list;
        for (const inventory::IssuerRecord& a : std::as_const(*all)) {
            list.append(storedJson(a));
        }
        printJson(ctx.out, QJsonObject{{QStringLiteral("accounts"), list}});
        return ExitCode::Ok;
    }
    if (all->isEmpty()) {
        ctx.out << "No stored ACME account (make one with 'certdeckctl acme account new')\n";
    }
    for (const inventory::IssuerRecord& a : std::as_const(*all)) {
        ctx.out << a.id << "  " << a.name << "  " << (a.status.isEmpty() ? "?" : a.status) << "  "
                << a.directoryUrl << "  "
                << (a.contact.isEmpty() ? QStringLiteral("-") : a.contact.join(u',')) << "  "
                << a.keyAlgorithm << " " << a.keyThumbprint << "\n";
    }
    ctx.out.flush();
    return ExitCode::Ok;
}

// new|show|update|deactivate|rollover on an account kept in the inventory.
ExitCode runStored(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                   const QString& action)
{
    Secret pass;
    auto read = vaultPassphrase(ctx, p, o);
    if (!read) {
        return usageError(ctx, read.error().message);
    }
    pass.bytes = std::move(*read);
    AcmeAccountTask task;
    task.storeLocation = ctx.dbPath;
    task.vaultPassphrase = pass.bytes;
    if (action == QLatin1String("new")) {
        auto options = clientOptions(p, o);
        if (!options) {
            return reportError(ctx, options.error());
        }
        auto eab = eabCredentials(p, o);
        if (!eab) {
            return reportError(ctx, eab.error());
        }
        task.action = AcmeAccountTask::Action::Create;
        task.directoryUrl = options->directoryUrl;
        task.trustFile =
            p.isSet(o.caFile) ? QFileInfo(p.value(o.caFile)).absoluteFilePath() : QString();
        task.name = p.value(o.name);
        task.request.contact = p.values(o.contact);
        task.request.termsOfServiceAgreed = p.isSet(o.agreeTos);
        task.request.eab = *eab;
    } else {
        auto account = pickStoredAccount(ctx, p, o);
        if (!account) {
            return reportError(ctx, account.error());
        }
        task.accountId = account->id;
        if (action == QLatin1String("show")) {
            task.action = AcmeAccountTask::Action::Refresh;
        } else if (action == QLatin1String("update")) {
            task.action = AcmeAccountTask::Action::UpdateContact;
            task.contact = p.values(o.contact);
        } else if (action == QLatin1String("deactivate")) {
            task.action = AcmeAccountTask::Action::Deactivate;
        } else {
            task.action = AcmeAccountTask::Action::Rollover;
            if (p.isSet(o.newKey)) {
                // An existing key file is imported; none is written in clear.
                auto data = readFileCapped(p.value(o.newKey), 1024 * 1024);
                if (!data) {
                    return reportError(ctx, data.error());
                }
                auto key = PrivateKey::fromData(*data, {}, p.value(o.newKey));
                OPENSSL_cleanse(data->data(), static_cast<size_t>(data->size()));
                if (!key) {
                    return reportError(ctx, key.error());
                }
                task.key = *key;
            }
        }
    }
    // The CLI has no GUI to keep responsive: the flow runs in its own loop.
    const auto flow = AcmeAccountJob::flow(std::move(task));
    runToEnd(ctx, *flow);
    auto result = flow->result();
    if (!result) {
        return reportError(ctx, result.error());
    }
    printStored(ctx, *result);
    if (action == QLatin1String("rollover")) {
        progressLine(ctx, QStringLiteral("account key"),
                     QStringLiteral("the account now signs with the new key (thumbprint %1); the "
                                    "old key was deleted from the vault")
                         .arg(result->keyThumbprint));
    }
    if (action == QLatin1String("deactivate")) {
        return result->status == QLatin1String("deactivated") ? ExitCode::Ok : ExitCode::Critical;
    }
    return result->status == QLatin1String("valid") ? ExitCode::Ok : ExitCode::Critical;
}

// account new --account-key FILE with a vault passphrase: the key's account
// is also kept in the inventory.
Status importAccount(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                     const AccountInfo& info, const JwsKey& key, const QByteArray& passphrase)
{
    auto store = ctx.store();
    if (!store) {
        return tl::unexpected(store.error());
    }
    inventory::KeyVault vault(**store);
    if (auto unlocked = vault.unlock(passphrase); !unlocked) {
        return unlocked;
    }
    AcmeAccountStore accounts(**store, vault);
    const QUrl directory(p.value(o.directory));
    QString name = p.value(o.name).trimmed();
    if (name.isEmpty()) {
        auto free = accounts.freeName(
            directory.port() > 0
                ? QStringLiteral("%1:%2").arg(directory.host()).arg(directory.port())
                : directory.host());
        if (!free) {
            return tl::unexpected(free.error());
        }
        name = *free;
    }
    // The key and the account record are stored in one transaction.
    auto added = accounts.add(
        name, directory,
        p.isSet(o.caFile) ? QFileInfo(p.value(o.caFile)).absoluteFilePath() : QString(), info, key);
    if (!added) {
        return tl::unexpected(added.error());
    }
    progressLine(ctx, QStringLiteral("inventory"),
                 QStringLiteral("stored as '%1'; the key is sealed in the key vault").arg(name));
    return {};
}

} // namespace

ExitCode runAccount(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                    const QStringList& pos)
{
    static const QStringList actions = {QStringLiteral("new"),      QStringLiteral("show"),
                                        QStringLiteral("update"),   QStringLiteral("deactivate"),
                                        QStringLiteral("rollover"), QStringLiteral("list")};
    if (pos.size() != 2 || !actions.contains(pos.at(1))) {
        return usageError(ctx, QStringLiteral("'acme account' needs an action: %1")
                                   .arg(actions.join(QStringLiteral(", "))));
    }
    const QString action = pos.at(1);
    const bool isNew = action == QLatin1String("new");
    if (p.isSet(o.accountKey) && p.isSet(o.account)) {
        return usageError(ctx, QStringLiteral("give the stored --account or --account-key FILE, "
                                              "not both"));
    }
    if (action == QLatin1String("deactivate") && !p.isSet(o.force)) {
        return usageError(ctx, QStringLiteral("deactivating an account cannot be undone: give "
                                              "--force to do it"));
    }
    if (action == QLatin1String("list")) {
        return runList(ctx);
    }
    if (action == QLatin1String("update") && !p.isSet(o.contact)) {
        return usageError(ctx, QStringLiteral("'acme account update' needs --contact"));
    }
    if (!p.isSet(o.accountKey)) {
        return runStored(ctx, p, o, action);
    }
    if (action == QLatin1String("rollover") && !p.isSet(o.newKey)) {
        return usageError(ctx, QStringLiteral("'acme account rollover' with --account-key needs "
                                              "--new-key FILE"));
    }
    Secret importPass;
    if (isNew && o.vaultPass.isSet(p)) {
        auto read = vaultPassphrase(ctx, p, o);
        if (!read) {
            return usageError(ctx, read.error().message);
        }
        importPass.bytes = std::move(*read);
    }
    auto options = clientOptions(p, o);
    if (!options) {
        return reportError(ctx, options.error());
    }
    auto eab = eabCredentials(p, o);
    if (!eab) {
        return reportError(ctx, eab.error());
    }
    bool created = false;
    auto key = accountKey(ctx, p, o, isNew, &created);
    if (!key) {
        return reportError(ctx, key.error());
    }
    if (created) {
        progressLine(ctx, QStringLiteral("account key"),
                     QStringLiteral("created %1 (ECDSA P-256)").arg(p.value(o.accountKey)));
    }
    auto jwsKey = JwsKey::fromPrivateKey(*key);
    if (!jwsKey) {
        return reportError(ctx, jwsKey.error());
    }
    AcmeClient client(*options);
    client.setAccount(*jwsKey);
    std::optional<JwsKey> next;
    if (action == QLatin1String("rollover")) {
        auto nextKey = loadOrCreateKey(ctx, p.value(o.newKey));
        if (!nextKey) {
            return reportError(ctx, nextKey.error());
        }
        auto nextJws = JwsKey::fromPrivateKey(*nextKey);
        if (!nextJws) {
            return reportError(ctx, nextJws.error());
        }
        next = *nextJws;
    }
    if (isNew) {
        progressLine(ctx, QStringLiteral("account"),
                     QStringLiteral("registering with %1").arg(options->directoryUrl.toString()));
    } else {
        progressLine(
            ctx, QStringLiteral("account"),
            QStringLiteral("looking the account up at %1").arg(options->directoryUrl.toString()));
    }
    const auto exchange = [&](const CallbackOperation<AccountInfo>::Done& done) {
        if (isNew) {
            AccountRequest req;
            req.contact = p.values(o.contact);
            req.termsOfServiceAgreed = p.isSet(o.agreeTos);
            req.eab = *eab;
            AcmeAccounts::create(client, req, done);
        } else if (action == QLatin1String("show")) {
            AcmeAccounts::find(client, done);
        } else {
            // The account URL first, then the change.
            AcmeAccounts::find(client, [&, done](const Result<AccountInfo>& found) {
                if (!found) {
                    done(found);
                } else if (action == QLatin1String("update")) {
                    AcmeAccounts::updateContact(client, p.values(o.contact), done);
                } else if (action == QLatin1String("deactivate")) {
                    AcmeAccounts::deactivate(client, done);
                } else {
                    AcmeAccounts::rollover(client, *next, done);
                }
            });
        }
    };
    CallbackOperation<AccountInfo> op(exchange, [&client] { client.abortAll(); });
    runToEnd(ctx, op);
    const Result<AccountInfo> result = op.result();
    if (!result) {
        return reportError(ctx, result.error());
    }
    const AccountInfo& a = *result;
    if (isNew && !importPass.bytes.isEmpty()) {
        if (auto imported = importAccount(ctx, p, o, a, client.key(), importPass.bytes);
            !imported) {
            return reportError(ctx, imported.error());
        }
    }
    if (ctx.json) {
        printJson(ctx.out, accountJson(a, client.key()));
    } else {
        ctx.out << "Account       " << a.url.toString() << "\n"
                << "Status        " << a.status << (a.created ? " (created now)" : "") << "\n"
                << "Contact       "
                << (a.contact.isEmpty() ? QStringLiteral("-")
                                        : a.contact.join(QStringLiteral(", ")))
                << "\n"
                << "Key           " << jwsAlgorithmName(client.key().algorithm()) << ", thumbprint "
                << client.key().thumbprint() << "\n";
        ctx.out.flush();
    }
    if (action == QLatin1String("rollover")) {
        progressLine(ctx, QStringLiteral("account key"),
                     QStringLiteral("the account now signs with %1; keep it and retire %2")
                         .arg(p.value(o.newKey), p.value(o.accountKey)));
    }
    if (action == QLatin1String("deactivate")) {
        return a.status == QLatin1String("deactivated") ? ExitCode::Ok : ExitCode::Critical;
    }
    return a.status == QLatin1String("valid") ? ExitCode::Ok : ExitCode::Critical;
}

} // namespace certdeck::cli::acmecli
