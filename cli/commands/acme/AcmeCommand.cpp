// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl acme: ACME accounts and certificate issuance (RFC 8555) with
// HTTP-01, against any ACME server whose TLS certificate the given CA file
// (or the system) trusts. Secrets (account key passphrase, EAB MAC key) come
// from files or environment variables only.
#include "AcmeCliSupport.h"
#include "CliSupport.h"
#include "PassphraseOption.h"
#include "acme/order/AcmeIssueFlow.h"
#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"
#include "acme/protocol/AcmeRevocation.h"
#include "acme/protocol/Base64Url.h"
#include "common/CallbackOperation.h"
#include "common/SecureFile.h"
#include "crypto/PrivateKey.h"
#include "inventory/Store.h"
#include "services/IssueService.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSslCertificate>
#include <openssl/crypto.h>

namespace certdeck::cli {

namespace {

using namespace certdeck::cli::acmecli;

const QStringList kChallenges{QStringLiteral("http-01"), QStringLiteral("dns-01"),
                              QStringLiteral("tls-alpn-01")};

/// Secret bytes wiped when they go out of scope.
ExitCode runIssue(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                  const QStringList& pos)
{
    if (pos.size() != 1) {
        return usageError(ctx, QStringLiteral("'acme issue' takes options only"));
    }
    const QString challenge =
        p.isSet(o.challenge) ? p.value(o.challenge) : QStringLiteral("http-01");
    if (!kChallenges.contains(challenge)) {
        return unknownValue(ctx, QStringLiteral("challenge"), challenge, kChallenges);
    }
    const bool dns01 = challenge == QLatin1String("dns-01");
    const bool tlsAlpn = challenge == QLatin1String("tls-alpn-01");
    if (tlsAlpn && !p.isSet(o.tlsPort)) {
        return usageError(ctx, QStringLiteral("tls-alpn-01 needs --tls-port"));
    }
    if (p.isSet(o.keyOut) != p.isSet(o.certOut)) {
        return usageError(ctx, QStringLiteral("give --key-out and --cert-out together"));
    }
    const bool byStoredAccount = !p.isSet(o.accountKey);
    const bool sealKey = byStoredAccount || o.vaultPass.isSet(p);
    if (!sealKey && !p.isSet(o.keyOut)) {
        return usageError(ctx, QStringLiteral("with --account-key the certificate key needs "
                                              "--key-out and --cert-out, or a vault passphrase "
                                              "to be sealed in the key vault"));
    }
    if (!dns01 && !tlsAlpn && p.isSet(o.webroot) == p.isSet(o.httpPort)) {
        return usageError(ctx, QStringLiteral("give one of --http-port (built-in responder) or "
                                              "--webroot"));
    }
    if (dns01 && !p.isSet(o.dnsHook) && (!p.isSet(o.dnsServer) || !p.isSet(o.tsigKeyFile))) {
        return usageError(ctx, QStringLiteral("dns-01 needs --dns-server and --tsig-key-file, "
                                              "or --dns-hook"));
    }
    AcmeIssueSpec spec;
    for (const QString& d : p.values(o.domain)) {
        auto id = AcmeIdentifier::dns(d);
        if (!id) {
            return usageError(ctx, id.error().message);
        }
        spec.order.identifiers << *id;
    }
    for (const QString& a : p.values(o.ip)) {
        auto id = AcmeIdentifier::ip(a);
        if (!id) {
            return usageError(ctx, id.error().message);
        }
        spec.order.identifiers << *id;
    }
    if (spec.order.identifiers.isEmpty()) {
        return usageError(ctx, QStringLiteral("'acme issue' needs at least one -d NAME or --ip"));
    }
    // What the CA would refuse after sign-in is refused here, before any traffic.
    for (const QString& d : p.values(o.domain)) {
        if (!dns01 && d.startsWith(QLatin1String("*."))) {
            return usageError(ctx, QStringLiteral("%1 is a wildcard: CAs validate wildcards only "
                                                  "with dns-01, not %2 (RFC 8555 7.1.3)")
                                       .arg(d, challenge));
        }
    }
    if (dns01 && p.isSet(o.ip)) {
        return usageError(ctx, QStringLiteral("an IP address (--ip %1) cannot be validated with "
                                              "dns-01 (RFC 8738): use http-01 or tls-alpn-01")
                                   .arg(p.value(o.ip)));
    }
    if (p.isSet(o.accountKey) && p.isSet(o.account)) {
        return usageError(ctx, QStringLiteral("give the stored --account or --account-key FILE, "
                                              "not both"));
    }
    if (dns01 && p.isSet(o.dnsHook)) {
        spec.dns01HookProgram = p.value(o.dnsHook);
    } else if (dns01) {
        auto settings = dns01Settings(p, o);
        if (!settings) {
            return reportError(ctx, settings.error());
        }
        spec.dns01 = *settings;
    } else if (p.isSet(o.httpPort) || tlsAlpn) {
        const QCommandLineOption& portOption = tlsAlpn ? o.tlsPort : o.httpPort;
        bool ok = false;
        const uint port = p.value(portOption).toUInt(&ok);
        if (!ok || port == 0 || port > 65535) {
            return usageError(
                ctx, QStringLiteral("--%1 must be 1..65535").arg(portOption.names().constFirst()));
        }
        if (tlsAlpn) {
            spec.tlsAlpnPort = static_cast<quint16>(port);
        } else {
            spec.httpPort = static_cast<quint16>(port);
        }
        spec.httpAddress = p.isSet(o.httpAddress) ? QHostAddress(p.value(o.httpAddress))
                                                  : QHostAddress(QHostAddress::AnyIPv4);
        if (spec.httpAddress.isNull()) {
            return usageError(ctx, QStringLiteral("--http-address '%1' is not an IP address")
                                       .arg(p.value(o.httpAddress)));
        }
    } else {
        spec.webroot = p.value(o.webroot);
    }
    const auto type =
        crypto::keyTypeFromName(p.isSet(o.keyType) ? p.value(o.keyType) : QStringLiteral("p256"));
    if (!type) {
        return unknownValue(ctx, QStringLiteral("key-type"), p.value(o.keyType),
                            {QStringLiteral("p256"), QStringLiteral("p384"),
                             QStringLiteral("rsa2048"), QStringLiteral("rsa3072"),
                             QStringLiteral("rsa4096"), QStringLiteral("ed25519")});
    }
    const bool force = p.isSet(o.force);
    services::IssueTask task;
    if (p.isSet(o.keyOut)) {
        for (const QCommandLineOption* out : {&o.keyOut, &o.certOut}) {
            if (!force && QFileInfo::exists(p.value(*out))) {
                return reportError(
                    ctx,
                    Error{
                        ErrorCode::Conflict,
                        QStringLiteral("%1 exists; give --force to replace it").arg(p.value(*out)),
                        {}});
            }
        }
        auto kp = o.keyOutPass.read(p, ctx.err);
        if (!kp) {
            return reportError(ctx, kp.error());
        }
        task.files =
            services::IssueFiles{p.value(o.keyOut), p.value(o.certOut), force, std::move(*kp)};
    }
    if (p.isSet(o.replaces)) {
        auto replaced = replacesCertId(p.value(o.replaces));
        if (!replaced) {
            return reportError(ctx, replaced.error());
        }
        spec.order.replacesCertId = *replaced;
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    if (p.isSet(o.endpoint)) {
        auto endpoint = (*store)->endpoints().resolve(p.value(o.endpoint));
        if (!endpoint) {
            return reportError(ctx, endpoint.error());
        }
        task.endpointId = endpoint->id;
    }
    Secret vaultPass;
    if (byStoredAccount) {
        auto account = pickStoredAccount(ctx, p, o);
        if (!account) {
            return reportError(ctx, account.error());
        }
        task.accountId = account->id;
        // --directory/--ca-file given with --account override the stored ones.
        if (p.isSet(o.directory) && p.isSet(o.account)) {
            auto options = clientOptions(p, o);
            if (!options) {
                return reportError(ctx, options.error());
            }
            spec.client = *options;
        }
        progressLine(ctx, QStringLiteral("account"),
                     QStringLiteral("using the stored account '%1'").arg(account->name));
    } else {
        auto options = clientOptions(p, o);
        if (!options) {
            return reportError(ctx, options.error());
        }
        spec.client = *options;
        bool created = false;
        auto key = accountKey(ctx, p, o, false, &created);
        if (!key) {
            return reportError(ctx, key.error());
        }
        spec.accountKey = *key;
        spec.createAccount = p.isSet(o.agreeTos);
    }
    if (sealKey) {
        auto read = vaultPassphrase(ctx, p, o);
        if (!read) {
            return reportError(ctx, read.error());
        }
        vaultPass.bytes = std::move(*read);
        task.vaultPassphrase = vaultPass.bytes;
    }
    spec.account.termsOfServiceAgreed = p.isSet(o.agreeTos);
    spec.account.contact = p.values(o.contact);
    auto eab = eabCredentials(p, o);
    if (!eab) {
        return reportError(ctx, eab.error());
    }
    spec.account.eab = *eab;
    spec.order.preferredChainIssuer = p.value(o.preferredChain);
    task.storeLocation = ctx.dbPath;
    task.certificateKeyType = *type;
    task.issue = spec;

    // Issue -> key in the vault -> certificate recorded (and attached), as
    // the console does it.
    services::IssueService service(std::move(task));
    runToEnd(ctx, service);
    auto issued = service.result();
    if (!issued) {
        return reportError(ctx, issued.error());
    }
    const services::IssuedRecord& rec = service.recorded();
    const QString keyWhere =
        rec.keyId ? QStringLiteral("key vault key #%1").arg(*rec.keyId) : QString();
    if (ctx.json) {
        QJsonArray authz;
        for (const AuthorizationState& a : issued->authorizations) {
            authz.append(QJsonObject{{QStringLiteral("identifier"), a.identifier.toString()},
                                     {QStringLiteral("status"), a.status},
                                     {QStringLiteral("reused"), a.reused}});
        }
        QJsonArray alternates;
        for (const QUrl& u : issued->alternateUrls) {
            alternates.append(u.toString());
        }
        QJsonObject json{
            {QStringLiteral("certificateId"), rec.certificateId},
            {QStringLiteral("keyId"), rec.keyId ? QJsonValue(*rec.keyId) : QJsonValue()},
            {QStringLiteral("endpoint"),
             rec.endpointId ? QJsonValue(rec.endpointName) : QJsonValue()},
            {QStringLiteral("serial"), rec.serialHex},
            {QStringLiteral("sha256"), rec.sha256Hex},
            {QStringLiteral("notAfter"), rec.notAfterUtc.toString(Qt::ISODate)},
            {QStringLiteral("certificate"), p.value(o.certOut)},
            {QStringLiteral("key"), p.value(o.keyOut)},
            {QStringLiteral("certificateUrl"), issued->certificateUrl.toString()},
            {QStringLiteral("orderUrl"), issued->orderUrl.toString()},
            {QStringLiteral("alternates"), alternates},
            {QStringLiteral("authorizations"), authz},
            {QStringLiteral("badNonceRetries"), issued->badNonceRetries},
            {QStringLiteral("replacesSent"), issued->replacesSent}};
        printJson(ctx.out, json);
    } else {
        QStringList names;
        for (const AuthorizationState& a : issued->authorizations) {
            names << a.identifier.toString();
        }
        ctx.out << "Issued        " << names.join(QStringLiteral(", ")) << "\n"
                << "Recorded      certificate #" << rec.certificateId << ", serial "
                << rec.serialHex << ", expires " << rec.notAfterUtc.toString(Qt::ISODate) << "\n";
        if (rec.keyId) {
            ctx.out << "Key           " << keyWhere << "\n";
        }
        if (rec.endpointId) {
            ctx.out << "Endpoint      " << rec.endpointName
                    << " (issued; deployed once a probe sees it served)\n";
        }
        if (p.isSet(o.certOut)) {
            ctx.out << "Certificate   " << p.value(o.certOut) << "\n"
                    << "Key file      " << p.value(o.keyOut) << " (0600)\n";
        }
        ctx.out << "Order         " << issued->orderUrl.toString() << "\n";
        if (!issued->alternateUrls.isEmpty()) {
            ctx.out << "Alternates    " << issued->alternateUrls.size() << " other chain(s)\n";
        }
        if (issued->badNonceRetries > 0) {
            ctx.out << "Nonce retries " << issued->badNonceRetries << "\n";
        }
        ctx.out.flush();
    }
    return ExitCode::Ok;
}

ExitCode runRevoke(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                   const QStringList& pos)
{
    if (pos.size() != 1) {
        return usageError(ctx, QStringLiteral("'acme revoke' takes options only"));
    }
    if (!p.isSet(o.cert)) {
        return usageError(ctx, QStringLiteral("'acme revoke' needs --cert FILE"));
    }
    if (p.isSet(o.certKey) && (p.isSet(o.accountKey) || p.isSet(o.account))) {
        return usageError(ctx, QStringLiteral("sign the revocation with the account (--account, "
                                              "--account-key) or with --cert-key, one of them"));
    }
    if (p.isSet(o.accountKey) && p.isSet(o.account)) {
        return usageError(ctx, QStringLiteral("give the stored --account or --account-key FILE, "
                                              "not both"));
    }
    std::optional<RevocationReason> reason;
    if (p.isSet(o.reason)) {
        reason = revocationReasonFromName(p.value(o.reason));
        if (!reason) {
            return unknownValue(ctx, QStringLiteral("reason"), p.value(o.reason),
                                revocationReasonNames());
        }
    }
    auto data = readFileCapped(p.value(o.cert), 1024 * 1024);
    if (!data) {
        return reportError(ctx, data.error());
    }
    const QList<QSslCertificate> certs =
        QSslCertificate::fromData(*data, data->contains("-----BEGIN") ? QSsl::Pem : QSsl::Der);
    if (certs.isEmpty()) {
        return reportError(ctx,
                           Error{ErrorCode::InvalidInput,
                                 QStringLiteral("%1 holds no certificate").arg(p.value(o.cert)),
                                 {}});
    }
    Result<AcmeClientOptions> options = fail(ErrorCode::Internal, QString());
    Result<PrivateKey> key = fail(ErrorCode::Internal, QString());
    const bool byCertKey = p.isSet(o.certKey);
    const bool byStoredAccount = !byCertKey && !p.isSet(o.accountKey);
    if (byStoredAccount) {
        auto stored = storedAccountKey(ctx, p, o);
        if (!stored) {
            return reportError(ctx, stored.error());
        }
        options = stored->options;
        key = stored->key;
    } else {
        options = clientOptions(p, o);
    }
    if (!options) {
        return reportError(ctx, options.error());
    }
    if (byCertKey) {
        Secret pass;
        auto read = o.accountPass.read(p, ctx.err);
        if (!read) {
            return reportError(ctx, read.error());
        }
        pass.bytes = std::move(*read);
        auto keyData = readFileCapped(p.value(o.certKey), 1024 * 1024);
        if (!keyData) {
            return reportError(ctx, keyData.error());
        }
        key = PrivateKey::fromData(*keyData, pass.bytes, p.value(o.certKey));
        OPENSSL_cleanse(keyData->data(), static_cast<size_t>(keyData->size()));
    } else if (!byStoredAccount) {
        bool created = false;
        key = accountKey(ctx, p, o, false, &created);
    }
    if (!key) {
        return reportError(ctx, key.error());
    }
    auto jwsKey = JwsKey::fromPrivateKey(*key);
    if (!jwsKey) {
        return reportError(ctx, jwsKey.error());
    }
    AcmeClient client(*options);
    client.setAccount(*jwsKey);
    const QByteArray der = certs.constFirst().toDer();
    CallbackOperation<bool> op(
        [&](const CallbackOperation<bool>::Done& done) {
            if (byCertKey) {
                AcmeRevocation::revoke(client, der, reason, byCertKey, done);
                return;
            }
            AcmeAccounts::find(client, [&, done](const Result<AccountInfo>& a) {
                if (!a) {
                    done(tl::unexpected(a.error()));
                    return;
                }
                AcmeRevocation::revoke(client, der, reason, byCertKey, done);
            });
        },
        [&client] { client.abortAll(); });
    progressLine(ctx, QStringLiteral("revoke"),
                 QStringLiteral("asking %1 to revoke the certificate")
                     .arg(options->directoryUrl.toString()));
    runToEnd(ctx, op);
    const Result<bool> result = op.result();
    if (!result) {
        return reportError(ctx, result.error());
    }
    const QString serial = QString::fromLatin1(certs.constFirst().serialNumber());
    const QString reasonText =
        reason ? revocationReasonName(*reason) : QStringLiteral("none given");
    // The inventory's record says so from now on (when it has one).
    std::optional<qint64> recordId;
    auto store = existingStore(ctx);
    if (!store) {
        return reportError(ctx, store.error());
    }
    if (*store) {
        const QString sha256 =
            QString::fromLatin1(certs.constFirst().digest(QCryptographicHash::Sha256).toHex());
        auto record = (*store)->certificates().bySha256(sha256);
        if (!record) {
            return reportError(ctx, record.error());
        }
        if (*record) {
            inventory::CertificateRevocation revocation;
            revocation.atUtc = QDateTime::currentDateTimeUtc();
            revocation.reason = reason ? revocationReasonName(*reason) : QString();
            revocation.foundBy = QStringLiteral("acme");
            if (auto marked = (*store)->certificates().markRevoked((*record)->id, revocation);
                !marked) {
                Error e = marked.error();
                e.message = QStringLiteral("the CA revoked %1, but %2").arg(serial, e.message);
                return reportError(ctx, e);
            }
            recordId = (*record)->id;
        }
    }
    if (ctx.json) {
        printJson(ctx.out, QJsonObject{{QStringLiteral("revoked"), true},
                                       {QStringLiteral("serial"), serial},
                                       {QStringLiteral("reason"), reasonText},
                                       {QStringLiteral("certificateId"),
                                        recordId ? QJsonValue(*recordId) : QJsonValue()}});
    } else {
        ctx.out << "Revoked       " << serial << " (reason: " << reasonText << ")\n";
        if (recordId) {
            ctx.out << "Inventory     certificate #" << *recordId << " marked revoked\n";
        }
        ctx.out.flush();
    }
    return ExitCode::Ok;
}

ExitCode runAcme(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    AcmeOptions o;
    o.addTo(p);
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (!checkSubcommand(ctx, p, QStringLiteral("acme"), pos, &code)) {
        return code;
    }
    if (pos.isEmpty()) {
        return usageError(
            ctx, QStringLiteral("'acme' needs an action: account, issue, revoke or renewal-info"));
    }
    if (pos.first() == QLatin1String("account")) {
        return runAccount(ctx, p, o, pos);
    }
    if (pos.first() == QLatin1String("issue")) {
        return runIssue(ctx, p, o, pos);
    }
    if (pos.first() == QLatin1String("revoke")) {
        return runRevoke(ctx, p, o, pos);
    }
    if (pos.first() == QLatin1String("renewal-info")) {
        return runRenewalInfo(ctx, p, o, pos);
    }
    return usageError(
        ctx, QStringLiteral("unknown 'acme' action '%1' (account, issue, revoke or renewal-info)")
                 .arg(pos.first()));
}

} // namespace

QList<SubcommandSpec> acmeSubcommands()
{
    const QStringList server{QStringLiteral("directory"), QStringLiteral("ca-file")};
    const QStringList keyFile{QStringLiteral("account-key"), QStringLiteral("passphrase-file"),
                              QStringLiteral("passphrase-env")};
    const QStringList vault{QStringLiteral("vault-passphrase-file"),
                            QStringLiteral("vault-passphrase-env")};
    const QStringList registration{QStringLiteral("contact"), QStringLiteral("agree-tos"),
                                   QStringLiteral("eab-kid"), QStringLiteral("eab-hmac-file"),
                                   QStringLiteral("eab-hmac-env")};
    const QStringList stored = QStringList{QStringLiteral("account")} + server + keyFile + vault;
    const QString storedNotes = QStringLiteral(
        "The account is the stored one --account NAME|ID names (or the only one for\n"
        "--directory), its key unlocked from the key vault with the master passphrase;\n"
        "or the key in --account-key FILE. The ACME server's TLS certificate is always\n"
        "verified: --ca-file names the only roots trusted for it (default: the system's).");
    QStringList reasonList;
    for (const QString& r : revocationReasonNames()) {
        reasonList << QStringLiteral("%1 (%2)").arg(r).arg(
            static_cast<int>(*revocationReasonFromName(r)));
    }
    // Three a line, so the help stays within 80 columns.
    QString reasons;
    for (qsizetype i = 0; i < reasonList.size(); i += 3) {
        reasons += QStringLiteral("\n  ") + reasonList.mid(i, 3).join(QStringLiteral(", "));
    }
    return {
        {QStringLiteral("account new"),
         QStringLiteral("--directory URL [--ca-file PEM] (--account-key FILE | [--name NAME]\n"
                        "         --vault-passphrase-file F | --vault-passphrase-env V)\n"
                        "         [--contact mailto:ADDR]... [--agree-tos]\n"
                        "         [--eab-kid ID (--eab-hmac-file F | --eab-hmac-env VAR)]"),
         server + keyFile + vault + registration + QStringList{QStringLiteral("name")},
         QStringLiteral(
             "Registers an account. With --account-key FILE the key is made when missing\n"
             "(P-256, 0600, encrypted with --passphrase-file/-env); with a vault passphrase\n"
             "the account is stored in the inventory and its key sealed in the key vault.\n"
             "An existing account for the key is reported, not duplicated.")},
        {QStringLiteral("account list"), QString(), {}, QStringLiteral("The stored accounts.")},
        {QStringLiteral("account show"),
         QStringLiteral("(--account NAME|ID | --directory URL | "
                        "--account-key FILE) [passphrases]"),
         stored,
         QStringLiteral("Asks the CA for the account's state; exit 2 when it is not "
                        "valid.\n") +
             storedNotes},
        {QStringLiteral("account update"),
         QStringLiteral("(--account NAME|ID | ...) --contact mailto:ADDR..."),
         stored + QStringList{QStringLiteral("contact")},
         QStringLiteral("Replaces the account's contacts.\n") + storedNotes},
        {QStringLiteral("account deactivate"), QStringLiteral("(--account NAME|ID | ...) --force"),
         stored + QStringList{QStringLiteral("force")},
         QStringLiteral("Deactivates the account for good (--force says you mean it).\n") +
             storedNotes},
        {QStringLiteral("account rollover"),
         QStringLiteral("(--account NAME|ID | ...) [--new-key FILE]"),
         stored + QStringList{QStringLiteral("new-key")},
         QStringLiteral("Moves the account to a new key (--new-key FILE, made when missing;\n"
                        "required with --account-key).\n") +
             storedNotes},
        {QStringLiteral("issue"),
         QStringLiteral(
             "(--account NAME|ID | --account-key FILE | --directory URL) -d NAME... [--ip "
             "ADDR]...\n"
             "         [--challenge http-01|dns-01|tls-alpn-01]\n"
             "         http-01: (--http-port N [--http-address A] | --webroot DIR)\n"
             "         dns-01:  --dns-server ADDR[:PORT] --tsig-key-file FILE [--dns-zone ZONE]\n"
             "                  | --dns-hook PROGRAM\n"
             "         tls-alpn-01: --tls-port N [--http-address A]\n"
             "         [--endpoint ENDPOINT] [--key-out FILE --cert-out FILE]\n"
             "         [--key-type TYPE] [--force]\n"
             "         [--replaces CERTFILE] [--preferred-chain NAME]"),
         stored + registration +
             QStringList{QStringLiteral("domain"),
                         QStringLiteral("ip"),
                         QStringLiteral("challenge"),
                         QStringLiteral("http-port"),
                         QStringLiteral("http-address"),
                         QStringLiteral("webroot"),
                         QStringLiteral("tls-port"),
                         QStringLiteral("dns-server"),
                         QStringLiteral("tsig-key-file"),
                         QStringLiteral("dns-zone"),
                         QStringLiteral("dns-hook"),
                         QStringLiteral("key-out"),
                         QStringLiteral("cert-out"),
                         QStringLiteral("key-type"),
                         QStringLiteral("key-out-passphrase-file"),
                         QStringLiteral("key-out-passphrase-env"),
                         QStringLiteral("force"),
                         QStringLiteral("replaces"),
                         QStringLiteral("preferred-chain"),
                         QStringLiteral("endpoint")},
         QStringLiteral(
             "Orders a certificate and answers its challenges. --challenge: %1 (default\n"
             "http-01). Wildcards (-d '*.example.com') need dns-01; IP addresses cannot use\n"
             "dns-01: both are refused before anything is sent. --key-type: p256 (default),\n"
             "p384, rsa2048, rsa3072, rsa4096, ed25519. dns-01 sends RFC 2136 updates signed\n"
             "with the TSIG key, or runs --dns-hook with CERTDECK_ACME_ACTION present|cleanup,\n"
             "_IDENTIFIER, _DOMAIN, _RECORD, _VALUE. With --account-key, --agree-tos creates\n"
             "the account first. --replaces is sent only when the CA offers ARI.\n"
             "The certificate and its chain are recorded in the inventory (source acme, the\n"
             "account as issuer) and its key sealed in the key vault (vault passphrase);\n"
             "--endpoint attaches it there (its name must be among -d/--ip). --key-out and\n"
             "--cert-out also write files (required with --account-key and no vault).\n")
                 .arg(kChallenges.join(QStringLiteral(", "))) +
             storedNotes},
        {QStringLiteral("revoke"),
         QStringLiteral("--cert FILE (--account NAME|ID | --account-key FILE | --cert-key FILE)\n"
                        "         [--directory URL] [--ca-file PEM] [--reason REASON]"),
         stored + QStringList{QStringLiteral("cert"), QStringLiteral("cert-key"),
                              QStringLiteral("reason")},
         QStringLiteral("Asks the CA to revoke the certificate, signed by the account or by the\n"
                        "certificate's own key (--cert-key).\n"
                        "--reason (RFC 5280 CRLReason, name or number):%1\n"
                        "The other RFC 5280 reasons are not a subscriber's to give: cACompromise\n"
                        "(2) and aACompromise (10) belong to the CA and the attribute authority,\n"
                        "removeFromCRL (8) only takes an entry off a delta CRL.\n")
                 .arg(reasons) +
             storedNotes},
        {QStringLiteral("renewal-info"),
         QStringLiteral("--cert FILE (--account NAME|ID | --directory URL [--ca-file PEM]) "
                        "[--force]"),
         QStringList{QStringLiteral("account"), QStringLiteral("cert"), QStringLiteral("force")} +
             server,
         QStringLiteral(
             "The CA's suggested renewal window (ARI), kept with the certificate when it is\n"
             "in the inventory. The CA is the stored account's (--account; no passphrase\n"
             "needed) or --directory. A Retry-After the CA sent is honoured (--force asks\n"
             "anyway). Exit 1 once the window has opened.")},
    };
}

CERTDECK_COMMAND({QStringLiteral("acme"),
                  QStringLiteral("  acme account new|show --directory URL --account-key FILE   "
                                 "ACME account\n"
                                 "  acme issue -d NAME... --http-port N --key-out F --cert-out F   "
                                 "issue a certificate\n"
                                 "  acme revoke --cert F [--reason R]   revoke a certificate\n"
                                 "  acme renewal-info --cert F   the CA's renewal window (ARI)\n"),
                  runAcme, acmeSubcommands()});

} // namespace certdeck::cli