// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl acme: option readers shared by its actions.
#include "AcmeCliSupport.h"

#include "OperationRunner.h"
#include "acme/protocol/Base64Url.h"
#include "common/HostPort.h"
#include "common/SecureFile.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "services/AcmeAccountStore.h"

#include <QFileInfo>

namespace certdeck::cli::acmecli {

void progressLine(CommandContext& ctx, const QString& step, const QString& message)
{
    printProgress(ctx, QStringLiteral("acme"), step, Operation::Indeterminate, message);
}

Status runToEnd(CommandContext& ctx, Operation& op)
{
    return OperationRunner(ctx, QStringLiteral("acme")).run(op);
}

Result<AcmeClientOptions> clientOptions(const QCommandLineParser& p, const AcmeOptions& o)
{
    if (!p.isSet(o.directory)) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("--directory URL is required"));
    }
    AcmeClientOptions c;
    c.directoryUrl = QUrl(p.value(o.directory));
    if (!c.directoryUrl.isValid() || c.directoryUrl.scheme() != QLatin1String("https")) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("--directory must be an https URL, not '%1'").arg(p.value(o.directory)));
    }
    if (p.isSet(o.caFile)) {
        auto anchors = AcmeClient::loadTrustAnchors(p.value(o.caFile));
        if (!anchors) {
            return tl::unexpected(anchors.error());
        }
        c.trustAnchors = *anchors;
    }
    return c;
}

Result<PrivateKey> accountKey(CommandContext& ctx, const QCommandLineParser& p,
                              const AcmeOptions& o, bool create, bool* created)
{
    if (!p.isSet(o.accountKey)) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("--account-key FILE is required"));
    }
    const QString path = p.value(o.accountKey);
    Secret pass;
    auto read = o.accountPass.read(p, ctx.err);
    if (!read) {
        return tl::unexpected(read.error());
    }
    pass.bytes = std::move(*read);
    *created = false;
    if (!QFileInfo::exists(path)) {
        if (!create) {
            return fail(ErrorCode::NotFound,
                        QStringLiteral("the account key %1 does not exist (make it with 'acme "
                                       "account new')")
                            .arg(path));
        }
        auto key = PrivateKey::generate(crypto::KeyType::EcdsaP256);
        if (!key) {
            return tl::unexpected(key.error());
        }
        QByteArray pem;
        if (pass.bytes.isEmpty()) {
            pem = key->toPkcs8Pem();
        } else {
            auto enc = key->toEncryptedPkcs8Pem(pass.bytes);
            if (!enc) {
                return tl::unexpected(enc.error());
            }
            pem = *enc;
        }
        WriteOptions secret;
        secret.secret = true;
        if (auto w = writeFileAtomically(path, pem, secret); !w) {
            return tl::unexpected(w.error());
        }
        OPENSSL_cleanse(pem.data(), static_cast<size_t>(pem.size()));
        *created = true;
        return key;
    }
    auto data = readFileCapped(path, 1024 * 1024);
    if (!data) {
        return tl::unexpected(data.error());
    }
    if (PrivateKey::isEncrypted(*data) && pass.bytes.isEmpty()) {
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("the account key %1 is encrypted: give --passphrase-file or "
                                   "--passphrase-env")
                        .arg(path));
    }
    auto key = PrivateKey::fromData(*data, pass.bytes, path);
    OPENSSL_cleanse(data->data(), static_cast<size_t>(data->size()));
    return key;
}

Result<std::optional<EabCredentials>> eabCredentials(const QCommandLineParser& p,
                                                     const AcmeOptions& o)
{
    const bool macGiven = p.isSet(o.eabFile) || p.isSet(o.eabEnv);
    if (!p.isSet(o.eabKid) && !macGiven) {
        return std::optional<EabCredentials>();
    }
    if (!p.isSet(o.eabKid) || !macGiven) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("external account binding needs --eab-kid and the MAC key "
                                   "(--eab-hmac-file or --eab-hmac-env)"));
    }
    auto encoded = readPassphrase(p.isSet(o.eabFile) ? p.value(o.eabFile) : QString(),
                                  p.isSet(o.eabEnv) ? p.value(o.eabEnv) : QString());
    if (!encoded) {
        return tl::unexpected(encoded.error());
    }
    auto mac = fromBase64Url(encoded->trimmed());
    OPENSSL_cleanse(encoded->data(), static_cast<size_t>(encoded->size()));
    if (!mac || mac->isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the EAB MAC key is not base64url (as the CA hands it out)"));
    }
    return std::optional<EabCredentials>(EabCredentials{p.value(o.eabKid), *mac});
}

Result<Dns01Settings> dns01Settings(const QCommandLineParser& p, const AcmeOptions& o)
{
    Dns01Settings settings;
    // ADDR or ADDR:PORT; an IPv6 address with a port is written [ADDR]:PORT.
    auto server = parseAddressPort(p.value(o.dnsServer), 53);
    if (!server) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("--dns-server %1").arg(server.error().message));
    }
    settings.server = dns::DnsServer{QHostAddress(server->host), server->port};
    auto text = readFileCapped(p.value(o.tsigKeyFile), 64 * 1024);
    if (!text) {
        return tl::unexpected(text.error());
    }
    auto key = dns::TsigKey::fromBindKeyFile(*text, p.value(o.tsigKeyFile));
    OPENSSL_cleanse(text->data(), static_cast<size_t>(text->size()));
    if (!key) {
        return tl::unexpected(key.error());
    }
    settings.key = *key;
    settings.zone = p.value(o.dnsZone);
    return settings;
}

Result<QByteArray> vaultPassphrase(CommandContext& ctx, const QCommandLineParser& p,
                                   const AcmeOptions& o)
{
    auto pass = o.vaultPass.read(p, ctx.err);
    if (pass && pass->isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("stored ACME accounts keep their key in the key vault: give "
                                   "its master passphrase with --vault-passphrase-file FILE or "
                                   "--vault-passphrase-env VAR (or use --account-key FILE)"));
    }
    return pass;
}

Result<inventory::IssuerRecord> pickStoredAccount(CommandContext& ctx, const QCommandLineParser& p,
                                                  const AcmeOptions& o)
{
    if (!p.isSet(o.account) && !p.isSet(o.directory)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("name the account: --account NAME, --directory URL (its only "
                                   "stored account) or --account-key FILE"));
    }
    auto store = ctx.store();
    if (!store) {
        return tl::unexpected(store.error());
    }
    inventory::KeyVault vault(**store);
    AcmeAccountStore accounts(**store, vault);
    return p.isSet(o.account) ? accounts.find(p.value(o.account))
                              : accounts.onlyFor(QUrl(p.value(o.directory)));
}

Result<StoredAccountKey> storedAccountKey(CommandContext& ctx, const QCommandLineParser& p,
                                          const AcmeOptions& o)
{
    auto account = pickStoredAccount(ctx, p, o);
    if (!account) {
        return tl::unexpected(account.error());
    }
    Secret pass;
    auto read = vaultPassphrase(ctx, p, o);
    if (!read) {
        return tl::unexpected(read.error());
    }
    pass.bytes = std::move(*read);
    auto store = ctx.store();
    if (!store) {
        return tl::unexpected(store.error());
    }
    inventory::KeyVault vault(**store);
    if (auto unlocked = vault.unlock(pass.bytes); !unlocked) {
        return tl::unexpected(unlocked.error());
    }
    AcmeAccountStore accounts(**store, vault);
    auto key = accounts.loadKey(*account);
    if (!key) {
        return tl::unexpected(key.error());
    }
    // --directory/--ca-file given with --account override the stored ones.
    auto options = p.isSet(o.directory) && p.isSet(o.account)
                       ? clientOptions(p, o)
                       : AcmeAccountStore::clientOptions(*account);
    if (!options) {
        return tl::unexpected(options.error());
    }
    progressLine(ctx, QStringLiteral("account"),
                 QStringLiteral("using the stored account '%1'").arg(account->name));
    return StoredAccountKey{*account, key->privateKey(), *options};
}

} // namespace certdeck::cli::acmecli
