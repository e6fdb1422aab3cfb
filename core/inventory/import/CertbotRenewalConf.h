// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

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
    QStringList warnings;     ///< line-numbered

    /// Parses the text; `originName` ("renewal/example.com.conf") starts
    /// each warning. Lines that are not `key = value` or a section header
    /// are warnings, not errors: certbot itself ignores unknown keys.
    [[nodiscard]] static CertbotRenewalConf parse(const QByteArray& text,
                                                  const QString& originName);

    /// Our key type name: "rsa2048", "rsa4096", "p256", "p384"; empty if unknown.
    [[nodiscard]] QString certdeckKeyType() const;
    /// "http-01", "dns-01", "tls-alpn-01".
    [[nodiscard]] QString challenge() const;
    /// Days from renew_before_expiry, or certbot's default of 30.
    [[nodiscard]] int renewBeforeDays() const;
};

} // namespace certdeck::inventory
