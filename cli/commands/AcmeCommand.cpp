// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl acme: ACME accounts and certificate issuance (RFC 8555) with
// HTTP-01, against any ACME server whose TLS certificate the given CA file
// (or the system) trusts. Secrets (account key passphrase, EAB MAC key) come
// from files or environment variables only.
#include "CliSupport.h"
#include "PassphraseOption.h"
#include "acme/AcmeAccounts.h"
#include "acme/AcmeClient.h"
#include "acme/AcmeIssueJob.h"
#include "acme/AcmeRevocation.h"
#include "acme/Base64Url.h"
#include "common/SecureFile.h"
#include "crypto/PrivateKey.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSslCertificate>
#include <openssl/crypto.h>

namespace certdeck::cli {

namespace {

using namespace certdeck::acme;
using crypto::PrivateKey;

const char* const kAcmeUsage =
    "Usage:\n"
    "  certdeckctl acme account new  --directory URL [--ca-file PEM] --account-key FILE\n"
    "                                [--contact mailto:ADDR]... [--agree-tos]\n"
    "                                [--eab-kid ID (--eab-hmac-file F | --eab-hmac-env VAR)]\n"
    "  certdeckctl acme account show --directory URL [--ca-file PEM] --account-key FILE\n"
    "  certdeckctl acme issue --directory URL [--ca-file PEM] --account-key FILE\n"
    "                         -d NAME... [--ip ADDR]...\n"
    "                         [--challenge http-01|dns-01|tls-alpn-01]\n"
    "                         http-01: (--http-port N [--http-address A] | --webroot DIR)\n"
    "                         dns-01:  --dns-server ADDR[:PORT] --tsig-key-file FILE\n"
    "                                  [--dns-zone ZONE]\n"
    "                         tls-alpn-01: --tls-port N [--http-address A]\n"
    "                         --key-out FILE --cert-out FILE [--key-type p256] [--force]\n"
    "  certdeckctl acme revoke --directory URL [--ca-file PEM] --cert FILE\n"
    "                          (--account-key FILE | --cert-key FILE) [--reason R]\n"
    "  reasons: unspecified, keyCompromise, affiliationChanged, superseded,\n"
    "           cessationOfOperation, certificateHold, privilegeWithdrawn (or the number)\n"
    "  issue also takes --preferred-chain NAME: of alternate chains, take the one\n"
    "  whose root's name contains NAME.\n"
    "\n"
    "account new creates the account key FILE (P-256, mode 0600; encrypted when a\n"
    "passphrase is given) if it does not exist, then registers it; an existing\n"
    "account for the key is reported, not duplicated. issue creates the account\n"
    "first when --agree-tos is given, else the key's account must exist.\n"
    "The ACME server's TLS certificate is always verified: --ca-file names the\n"
    "only roots trusted for it (default: the system's roots).\n"
    "dns-01 sends RFC 2136 updates signed with the TSIG key (a BIND key file,\n"
    "hmac-sha256) to the zone's primary, waits until it serves the TXT record,\n"
    "and deletes the record afterwards. Wildcards (-d '*.example.com') need dns-01.\n"
    "Passphrase of the account key: --passphrase-file F or --passphrase-env VAR;\n"
    "to encrypt the new certificate key: --key-out-passphrase-file/-env.\n\n";

/// Secret bytes wiped when they go out of scope.
struct Secret
{
    QByteArray bytes;
    Secret() = default;
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    ~Secret()
    {
        if (!bytes.isEmpty()) {
            OPENSSL_cleanse(bytes.data(), static_cast<size_t>(bytes.size()));
        }
    }
};

struct AcmeOptions
{
    QCommandLineOption directory{QStringLiteral("directory"),
                                 QStringLiteral("ACME directory URL (https)."),
                                 QStringLiteral("URL")};
    QCommandLineOption caFile{QStringLiteral("ca-file"),
                              QStringLiteral("PEM roots trusted for the ACME server's TLS."),
                              QStringLiteral("PEM")};
    QCommandLineOption accountKey{QStringLiteral("account-key"),
                                  QStringLiteral("Account key file (PEM)."),
                                  QStringLiteral("FILE")};
    QCommandLineOption contact{QStringLiteral("contact"),
                               QStringLiteral("Account contact (mailto:...); repeatable."),
                               QStringLiteral("URI")};
    QCommandLineOption agreeTos{QStringLiteral("agree-tos"),
                                QStringLiteral("Agree to the CA's terms of service.")};
    QCommandLineOption eabKid{QStringLiteral("eab-kid"),
                              QStringLiteral("External account binding key ID."),
                              QStringLiteral("ID")};
    QCommandLineOption eabFile{QStringLiteral("eab-hmac-file"),
                               QStringLiteral("File holding the EAB MAC key (base64url)."),
                               QStringLiteral("FILE")};
    QCommandLineOption eabEnv{QStringLiteral("eab-hmac-env"),
                              QStringLiteral("Environment variable holding the EAB MAC key."),
                              QStringLiteral("VAR")};
    QCommandLineOption domain{{QStringLiteral("d"), QStringLiteral("domain")},
                              QStringLiteral("DNS name for the certificate; repeatable."),
                              QStringLiteral("NAME")};
    QCommandLineOption ip{QStringLiteral("ip"),
                          QStringLiteral("IP address for the certificate; repeatable."),
                          QStringLiteral("ADDR")};
    QCommandLineOption challenge{QStringLiteral("challenge"),
                                 QStringLiteral("Challenge type: http-01."),
                                 QStringLiteral("TYPE")};
    QCommandLineOption httpPort{QStringLiteral("http-port"),
                                QStringLiteral("Port of the built-in HTTP-01 responder."),
                                QStringLiteral("N")};
    QCommandLineOption httpAddress{QStringLiteral("http-address"),
                                   QStringLiteral("Address of the responder (default 0.0.0.0)."),
                                   QStringLiteral("ADDR")};
    QCommandLineOption webroot{QStringLiteral("webroot"),
                               QStringLiteral("Write HTTP-01 tokens under this document root."),
                               QStringLiteral("DIR")};
    QCommandLineOption tlsPort{QStringLiteral("tls-port"),
                               QStringLiteral("Port of the built-in TLS-ALPN-01 responder."),
                               QStringLiteral("N")};
    QCommandLineOption dnsServer{QStringLiteral("dns-server"),
                                 QStringLiteral("DNS-01: the zone's primary, ADDR or ADDR:PORT."),
                                 QStringLiteral("ADDR")};
    QCommandLineOption tsigKeyFile{QStringLiteral("tsig-key-file"),
                                   QStringLiteral("DNS-01: BIND key file with the TSIG key."),
                                   QStringLiteral("FILE")};
    QCommandLineOption dnsZone{QStringLiteral("dns-zone"),
                               QStringLiteral("DNS-01: the zone (default: asked from the server)."),
                               QStringLiteral("ZONE")};
    QCommandLineOption keyOut{QStringLiteral("key-out"),
                              QStringLiteral("Where to write the new certificate key (0600)."),
                              QStringLiteral("FILE")};
    QCommandLineOption certOut{QStringLiteral("cert-out"),
                               QStringLiteral("Where to write the certificate chain (PEM)."),
                               QStringLiteral("FILE")};
    QCommandLineOption keyType{QStringLiteral("key-type"),
                               QStringLiteral("Certificate key: p256 (default), p384, rsa2048, "
                                              "rsa3072, rsa4096, ed25519."),
                               QStringLiteral("TYPE")};
    QCommandLineOption cert{QStringLiteral("cert"),
                            QStringLiteral("revoke: the certificate (PEM or DER)."),
                            QStringLiteral("FILE")};
    QCommandLineOption certKey{QStringLiteral("cert-key"),
                               QStringLiteral("revoke: sign with the certificate's own key."),
                               QStringLiteral("FILE")};
    QCommandLineOption reason{QStringLiteral("reason"),
                              QStringLiteral("revoke: the reason (keyCompromise, superseded...)."),
                              QStringLiteral("R")};
    QCommandLineOption preferredChain{
        QStringLiteral("preferred-chain"),
        QStringLiteral("issue: prefer the alternate chain whose root's name contains NAME."),
        QStringLiteral("NAME")};
    QCommandLineOption force{QStringLiteral("force"),
                             QStringLiteral("Replace existing --key-out/--cert-out files.")};
    PassphraseOption accountPass;
    PassphraseOption keyOutPass{QStringLiteral("key-out-"), QStringLiteral("new key's ")};

    void addTo(QCommandLineParser& p) const
    {
        for (const QCommandLineOption* o :
             {&directory,   &caFile,  &accountKey, &contact,   &agreeTos,    &eabKid,
              &eabFile,     &eabEnv,  &domain,     &ip,        &challenge,   &httpPort,
              &httpAddress, &webroot, &tlsPort,    &dnsServer, &tsigKeyFile, &dnsZone,
              &keyOut,      &certOut, &keyType,    &force}) {
            p.addOption(*o);
        }
        for (const QCommandLineOption* o : {&cert, &certKey, &reason, &preferredChain}) {
            p.addOption(*o);
        }
        accountPass.addTo(p);
        keyOutPass.addTo(p);
    }
};

void progressLine(CommandContext& ctx, const QString& step, const QString& message)
{
    ctx.err << "certdeckctl: acme: " << step;
    if (!message.isEmpty() && message != step) {
        ctx.err << ": " << message;
    }
    ctx.err << "\n";
    ctx.err.flush();
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

/// Loads the account key, or with `create` makes a P-256 key when the file
/// does not exist yet (0600, encrypted when a passphrase was given).
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
    QString server = p.value(o.dnsServer);
    quint16 port = 53;
    // ADDR or ADDR:PORT; an IPv6 address with a port is written [ADDR]:PORT.
    const qsizetype colon = server.lastIndexOf(u':');
    if (colon > 0 && (server.count(u':') == 1 || server.startsWith(u'['))) {
        bool ok = false;
        const uint n = server.mid(colon + 1).toUInt(&ok);
        if (!ok || n == 0 || n > 65535) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("--dns-server '%1' has no valid port").arg(server));
        }
        port = static_cast<quint16>(n);
        server = server.left(colon).remove(u'[').remove(u']');
    }
    const QHostAddress address(server);
    if (address.isNull()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("--dns-server '%1' is not an IP address").arg(server));
    }
    settings.server = dns::DnsServer{address, port};
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

ExitCode runAccount(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                    const QStringList& pos)
{
    if (pos.size() != 2 ||
        (pos.at(1) != QLatin1String("new") && pos.at(1) != QLatin1String("show"))) {
        return usageError(ctx, QStringLiteral("'acme account' needs an action: new or show"));
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
    } else {
        AcmeAccounts::find(client, done);
    }
    if (!result) {
        loop.exec();
    }
    if (!*result) {
        return reportError(ctx, result->error(), ExitCode::Critical);
    }
    const AccountInfo& a = **result;
    if (ctx.json) {
        printJson(ctx.out, accountJson(a, *jwsKey));
    } else {
        ctx.out << "Account       " << a.url.toString() << "\n"
                << "Status        " << a.status << (a.created ? " (created now)" : "") << "\n"
                << "Contact       "
                << (a.contact.isEmpty() ? QStringLiteral("-")
                                        : a.contact.join(QStringLiteral(", ")))
                << "\n"
                << "Key           " << jwsAlgorithmName(jwsKey->algorithm()) << ", thumbprint "
                << jwsKey->thumbprint() << "\n";
        ctx.out.flush();
    }
    return a.status == QLatin1String("valid") ? ExitCode::Ok : ExitCode::Critical;
}

ExitCode runIssue(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                  const QStringList& pos)
{
    if (pos.size() != 1) {
        return usageError(ctx, QStringLiteral("'acme issue' takes options only"));
    }
    const QString challenge =
        p.isSet(o.challenge) ? p.value(o.challenge) : QStringLiteral("http-01");
    if (challenge != QLatin1String("http-01") && challenge != QLatin1String("dns-01") &&
        challenge != QLatin1String("tls-alpn-01")) {
        return usageError(ctx, QStringLiteral("--challenge %1 is not supported (http-01, dns-01 "
                                              "or tls-alpn-01)")
                                   .arg(challenge));
    }
    const bool dns01 = challenge == QLatin1String("dns-01");
    const bool tlsAlpn = challenge == QLatin1String("tls-alpn-01");
    if (tlsAlpn && !p.isSet(o.tlsPort)) {
        return usageError(ctx, QStringLiteral("tls-alpn-01 needs --tls-port"));
    }
    if (!p.isSet(o.keyOut) || !p.isSet(o.certOut)) {
        return usageError(ctx, QStringLiteral("'acme issue' needs --key-out and --cert-out"));
    }
    if (!dns01 && !tlsAlpn && p.isSet(o.webroot) == p.isSet(o.httpPort)) {
        return usageError(ctx, QStringLiteral("give one of --http-port (built-in responder) or "
                                              "--webroot"));
    }
    if (dns01 && (!p.isSet(o.dnsServer) || !p.isSet(o.tsigKeyFile))) {
        return usageError(ctx, QStringLiteral("dns-01 needs --dns-server and --tsig-key-file"));
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
    if (dns01) {
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
        return usageError(ctx, QStringLiteral("unknown --key-type '%1'").arg(p.value(o.keyType)));
    }
    const bool force = p.isSet(o.force);
    for (const QCommandLineOption* out : {&o.keyOut, &o.certOut}) {
        if (!force && QFileInfo::exists(p.value(*out))) {
            return reportError(
                ctx,
                Error{ErrorCode::Conflict,
                      QStringLiteral("%1 exists; give --force to replace it").arg(p.value(*out)),
                      {}});
        }
    }
    Secret keyOutPass;
    auto kp = o.keyOutPass.read(p, ctx.err);
    if (!kp) {
        return reportError(ctx, kp.error());
    }
    keyOutPass.bytes = std::move(*kp);

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
    spec.account.termsOfServiceAgreed = p.isSet(o.agreeTos);
    spec.account.contact = p.values(o.contact);
    auto eab = eabCredentials(p, o);
    if (!eab) {
        return reportError(ctx, eab.error());
    }
    spec.account.eab = *eab;

    progressLine(ctx, QStringLiteral("key"),
                 QStringLiteral("generating the certificate key (%1)").arg(keyTypeName(*type)));
    auto certKey = PrivateKey::generate(*type);
    if (!certKey) {
        return reportError(ctx, certKey.error());
    }
    spec.order.certificateKey = *certKey;
    spec.order.preferredChainIssuer = p.value(o.preferredChain);

    AcmeIssueJob job(spec);
    QEventLoop loop;
    QObject::connect(&job, &Job::progress, &loop,
                     [&ctx](const QString& step, double, const QString& message) {
                         progressLine(ctx, step, message);
                     });
    QObject::connect(&job, &Job::finished, &loop, [&loop](const Status&) { loop.quit(); });
    job.start();
    if (!job.isFinished()) {
        loop.exec();
    }
    auto issued = job.result();
    if (!issued) {
        return reportError(ctx, issued.error(), ExitCode::Critical);
    }

    QByteArray keyPem;
    if (keyOutPass.bytes.isEmpty()) {
        keyPem = certKey->toPkcs8Pem();
    } else {
        auto enc = certKey->toEncryptedPkcs8Pem(keyOutPass.bytes);
        if (!enc) {
            return reportError(ctx, enc.error());
        }
        keyPem = *enc;
    }
    WriteOptions secret;
    secret.secret = true;
    secret.overwrite = force;
    auto wroteKey = writeFileAtomically(p.value(o.keyOut), keyPem, secret);
    OPENSSL_cleanse(keyPem.data(), static_cast<size_t>(keyPem.size()));
    if (!wroteKey) {
        return reportError(ctx, wroteKey.error());
    }
    WriteOptions pub;
    pub.overwrite = force;
    if (auto w = writeFileAtomically(p.value(o.certOut), issued->chainPem, pub); !w) {
        return reportError(ctx, w.error());
    }

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
        printJson(ctx.out,
                  QJsonObject{{QStringLiteral("certificate"), p.value(o.certOut)},
                              {QStringLiteral("key"), p.value(o.keyOut)},
                              {QStringLiteral("certificateUrl"), issued->certificateUrl.toString()},
                              {QStringLiteral("orderUrl"), issued->orderUrl.toString()},
                              {QStringLiteral("alternates"), alternates},
                              {QStringLiteral("authorizations"), authz},
                              {QStringLiteral("badNonceRetries"), issued->badNonceRetries}});
    } else {
        QStringList names;
        for (const AuthorizationState& a : issued->authorizations) {
            names << a.identifier.toString();
        }
        ctx.out << "Issued        " << names.join(QStringLiteral(", ")) << "\n"
                << "Certificate   " << p.value(o.certOut) << "\n"
                << "Key           " << p.value(o.keyOut) << " (0600)\n"
                << "Order         " << issued->orderUrl.toString() << "\n";
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
    if (p.isSet(o.certKey) == p.isSet(o.accountKey)) {
        return usageError(ctx, QStringLiteral("sign the revocation with --account-key or with "
                                              "--cert-key, one of them"));
    }
    std::optional<RevocationReason> reason;
    if (p.isSet(o.reason)) {
        reason = revocationReasonFromName(p.value(o.reason));
        if (!reason) {
            return usageError(ctx, QStringLiteral("unknown --reason '%1'").arg(p.value(o.reason)));
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
    auto options = clientOptions(p, o);
    if (!options) {
        return reportError(ctx, options.error());
    }
    Result<PrivateKey> key = fail(ErrorCode::Internal, QString());
    const bool byCertKey = p.isSet(o.certKey);
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
    } else {
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
    QEventLoop loop;
    std::optional<Result<bool>> result;
    const QByteArray der = certs.constFirst().toDer();
    const auto revoke = [&] {
        AcmeRevocation::revoke(client, der, reason, byCertKey, [&](const Result<bool>& r) {
            result = r;
            loop.quit();
        });
    };
    if (byCertKey) {
        revoke();
    } else {
        AcmeAccounts::find(client, [&](const Result<AccountInfo>& a) {
            if (!a) {
                result = tl::unexpected(a.error());
                loop.quit();
                return;
            }
            revoke();
        });
    }
    if (!result) {
        loop.exec();
    }
    if (!*result) {
        return reportError(ctx, result->error(), ExitCode::Critical);
    }
    const QString serial = QString::fromLatin1(certs.constFirst().serialNumber());
    const QString reasonText =
        reason ? revocationReasonName(*reason) : QStringLiteral("none given");
    if (ctx.json) {
        printJson(ctx.out, QJsonObject{{QStringLiteral("revoked"), true},
                                       {QStringLiteral("serial"), serial},
                                       {QStringLiteral("reason"), reasonText}});
    } else {
        ctx.out << "Revoked       " << serial << " (reason: " << reasonText << ")\n";
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
    if (p.isSet(common.help)) {
        ctx.out << kAcmeUsage << exitCodeHelp();
        ctx.out.flush();
        return ExitCode::Ok;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (pos.isEmpty()) {
        return usageError(ctx, QStringLiteral("'acme' needs an action: account, issue or revoke"));
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
    return usageError(
        ctx,
        QStringLiteral("unknown 'acme' action '%1' (account, issue or revoke)").arg(pos.first()));
}

} // namespace

CERTDECK_COMMAND({QStringLiteral("acme"),
                  QStringLiteral("  acme account new|show --directory URL --account-key FILE   "
                                 "ACME account\n"
                                 "  acme issue -d NAME... --http-port N --key-out F --cert-out F   "
                                 "issue a certificate\n"
                                 "  acme revoke --cert F [--reason R]   revoke a certificate\n"),
                  runAcme});

} // namespace certdeck::cli
