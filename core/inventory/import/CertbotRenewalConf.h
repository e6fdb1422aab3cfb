// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::inventory {

/// certbot's renewal/NAME.conf (a configobj file): top-level paths, the
/// [renewalparams] section and its [[webroot_map]].
struct CertbotRenewalConf
{
    QString certPath, chainPath, fullchainPath, privkeyPath;
    QString renewBeforeExpiry; ///< "30 days", empty when certbot's default
    QString authenticator;     ///< "webroot", "nginx", "standalone", "dns-route53"...
    QString installer;         ///< "nginx", "apache", "None"
    QString server;            ///< ACME directory URL
    QString account;           ///< certbot's account id (a hash)
    QString keyType;           ///< "rsa", "ecdsa"
    QString ellipticCurve;     ///< "secp256r1", "secp384r1"
    QString rsaKeySize;        ///< "2048"...
    QStringList preferredChallenges;
    QStringList webrootPaths; ///< webroot_path values, then [[webroot_map]] folders
    QStringList domains;      ///< [[webroot_map]] names, then a `domains` entry if any
    /// Malformed lines, each "renewal/x.conf line 3: ..."; the importer
    /// refuses the whole import when there is any.
    QStringList errors;

    /// Parses the text; `originName` ("renewal/example.com.conf") starts
    /// each error. Unknown keys are ignored, as certbot ignores them. Errors
    /// (certbot's configobj refuses the first two and certbot then skips the
    /// lineage as broken): a line that is neither `key = value`, a comment
    /// nor a section header; a malformed section header; a domain that is no
    /// host name (a leading "*." allowed); an rsa_key_size that is not a
    /// number; a renew_before_expiry that is no time interval.
    [[nodiscard]] static CertbotRenewalConf parse(const QByteArray& text,
                                                  const QString& originName);

    /// Whole days in a certbot time interval ("30 days", "2 weeks", "1
    /// week 3 days", "12 hours" rounded up to 1, a bare number is days), or
    /// nullopt when it is not one.
    [[nodiscard]] static std::optional<int> intervalDays(const QString& text);

    /// Our key type name: "rsa2048", "rsa4096", "p256", "p384"; empty if unknown.
    [[nodiscard]] QString certdeckKeyType() const;
    /// "http-01", "dns-01", "tls-alpn-01".
    [[nodiscard]] QString challenge() const;
    /// Days from renew_before_expiry, or certbot's default of 30 when unset.
    [[nodiscard]] int renewBeforeDays() const;
};

} // namespace certdeck::inventory
