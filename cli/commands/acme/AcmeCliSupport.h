// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Shared by the files of certdeckctl acme: its options, the account key and
// secret readers, and the actions. Named namespace (not anonymous) because
// several translation units share it; nothing here is used outside acme.

#include "CliSupport.h"
#include "PassphraseOption.h"
#include "acme/challenge/Dns01Publisher.h"
#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"
#include "common/Operation.h"
#include "crypto/PrivateKey.h"
#include "inventory/Records.h"

#include <openssl/crypto.h>

namespace certdeck::cli::acmecli {

using namespace certdeck::acme;
using crypto::PrivateKey;

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
                                 QStringLiteral("Challenge type: http-01 (default), dns-01 or "
                                                "tls-alpn-01."),
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
                              QStringLiteral("revoke: the RFC 5280 reason, by name or number."),
                              QStringLiteral("R")};
    QCommandLineOption preferredChain{
        QStringLiteral("preferred-chain"),
        QStringLiteral("issue: prefer the alternate chain whose root's name contains NAME."),
        QStringLiteral("NAME")};
    QCommandLineOption dnsHook{QStringLiteral("dns-hook"),
                               QStringLiteral("dns-01: run PROGRAM to add/remove the TXT record "
                                              "(CERTDECK_ACME_* environment)."),
                               QStringLiteral("PROGRAM")};
    QCommandLineOption newKey{QStringLiteral("new-key"),
                              QStringLiteral("account rollover: the new account key (made when "
                                             "missing)."),
                              QStringLiteral("FILE")};
    QCommandLineOption force{QStringLiteral("force"),
                             QStringLiteral("Replace existing --key-out/--cert-out files; "
                                            "renewal-info: ask before a stored Retry-After.")};
    QCommandLineOption replaces{QStringLiteral("replaces"),
                                QStringLiteral("issue: the certificate this one replaces (sent "
                                               "as ARI \"replaces\" when the CA offers ARI)."),
                                QStringLiteral("FILE")};
    QCommandLineOption account{QStringLiteral("account"),
                               QStringLiteral("The stored ACME account to use (name or id)."),
                               QStringLiteral("NAME|ID")};
    QCommandLineOption endpoint{QStringLiteral("endpoint"),
                                QStringLiteral("issue: the inventory endpoint the certificate is "
                                               "for (ID or HOST[:PORT]); it is attached there."),
                                QStringLiteral("ENDPOINT")};
    QCommandLineOption name{QStringLiteral("name"),
                            QStringLiteral("account new: name of the stored account."),
                            QStringLiteral("NAME")};
    PassphraseOption accountPass;
    PassphraseOption vaultPass{QStringLiteral("vault-"), QStringLiteral("key vault's master ")};
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
        for (const QCommandLineOption* o : {&cert, &certKey, &reason, &preferredChain, &newKey,
                                            &dnsHook, &account, &name, &replaces, &endpoint}) {
            p.addOption(*o);
        }
        accountPass.addTo(p);
        vaultPass.addTo(p);
        keyOutPass.addTo(p);
    }
};

/// An "acme" line of printProgress() for steps that are no Operation.
void progressLine(CommandContext& ctx, const QString& step, const QString& message);
/// Runs `op` to its end with OperationRunner ("acme" progress lines, Ctrl-C
/// cancels); read the outcome with its result().
Status runToEnd(CommandContext& ctx, Operation& op);
Result<AcmeClientOptions> clientOptions(const QCommandLineParser& p, const AcmeOptions& o);
/// Loads the account key, or with `create` makes a P-256 key when the file
/// does not exist yet (0600, encrypted when a passphrase was given).
Result<PrivateKey> accountKey(CommandContext& ctx, const QCommandLineParser& p,
                              const AcmeOptions& o, bool create, bool* created);
Result<std::optional<EabCredentials>> eabCredentials(const QCommandLineParser& p,
                                                     const AcmeOptions& o);
Result<Dns01Settings> dns01Settings(const QCommandLineParser& p, const AcmeOptions& o);

/// The key vault's master passphrase (--vault-passphrase-file/-env); a
/// usage-style InvalidInput error naming the options when missing.
Result<QByteArray> vaultPassphrase(CommandContext& ctx, const QCommandLineParser& p,
                                   const AcmeOptions& o);
/// The inventory when there is one: asking about a certificate must not
/// create an empty store as a side effect. Null when there is none.
Result<inventory::Store*> existingStore(CommandContext& ctx);
/// The stored account --account names, else the only one for --directory.
/// Needs no passphrase.
Result<inventory::IssuerRecord> pickStoredAccount(CommandContext& ctx, const QCommandLineParser& p,
                                                  const AcmeOptions& o);
/// A stored account's key (the vault unlocked with the master passphrase)
/// and how to reach its CA.
struct StoredAccountKey
{
    inventory::IssuerRecord account;
    PrivateKey key;
    AcmeClientOptions options;
};
Result<StoredAccountKey> storedAccountKey(CommandContext& ctx, const QCommandLineParser& p,
                                          const AcmeOptions& o);

ExitCode runAccount(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                    const QStringList& pos);

/// The ARI identifier of the certificate in `file` (PEM or DER), for
/// `issue --replaces`.
Result<QString> replacesCertId(const QString& file);
/// `acme renewal-info`: the CA's suggested window, kept with the certificate
/// in the inventory; a stored Retry-After is honoured unless --force.
ExitCode runRenewalInfo(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                        const QStringList& pos);

} // namespace certdeck::cli::acmecli
