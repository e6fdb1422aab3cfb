// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl acme account new|show|update|deactivate|rollover.
#include "AcmeCliSupport.h"
#include "common/SecureFile.h"

#include <QEventLoop>
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

} // namespace

ExitCode runAccount(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                    const QStringList& pos)
{
    static const QStringList actions = {QStringLiteral("new"), QStringLiteral("show"),
                                        QStringLiteral("update"), QStringLiteral("deactivate"),
                                        QStringLiteral("rollover")};
    if (pos.size() != 2 || !actions.contains(pos.at(1))) {
        return usageError(ctx, QStringLiteral("'acme account' needs an action: %1")
                                   .arg(actions.join(QStringLiteral(", "))));
    }
    const QString action = pos.at(1);
    if (action == QLatin1String("deactivate") && !p.isSet(o.force)) {
        return usageError(ctx, QStringLiteral("deactivating an account cannot be undone: give "
                                              "--force to do it"));
    }
    if (action == QLatin1String("rollover") && !p.isSet(o.newKey)) {
        return usageError(ctx, QStringLiteral("'acme account rollover' needs --new-key FILE"));
    }
    if (action == QLatin1String("update") && !p.isSet(o.contact)) {
        return usageError(ctx, QStringLiteral("'acme account update' needs --contact"));
    }
    const bool isNew = pos.at(1) == QLatin1String("new");
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
    QEventLoop loop;
    std::optional<Result<AccountInfo>> result;
    auto done = [&](const Result<AccountInfo>& r) {
        result = r;
        loop.quit();
    };
    if (isNew) {
        AccountRequest req;
        req.contact = p.values(o.contact);
        req.termsOfServiceAgreed = p.isSet(o.agreeTos);
        req.eab = *eab;
        progressLine(ctx, QStringLiteral("account"),
                     QStringLiteral("registering with %1").arg(options->directoryUrl.toString()));
        AcmeAccounts::create(client, req, done);
    } else if (action == QLatin1String("show")) {
        AcmeAccounts::find(client, done);
    } else {
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
        // The account URL first, then the change.
        AcmeAccounts::find(client, [&, next](const Result<AccountInfo>& found) {
            if (!found) {
                done(found);
                return;
            }
            if (action == QLatin1String("update")) {
                AcmeAccounts::updateContact(client, p.values(o.contact), done);
            } else if (action == QLatin1String("deactivate")) {
                AcmeAccounts::deactivate(client, done);
            } else {
                AcmeAccounts::rollover(client, *next, done);
            }
        });
    }
    if (!result) {
        loop.exec();
    }
    if (!*result) {
        return reportError(ctx, result->error(), ExitCode::Critical);
    }
    const AccountInfo& a = **result;
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
