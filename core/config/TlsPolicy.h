// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>
#include <QStringList>

namespace certdeck::config {

/// The three server policies, after Mozilla's Server Side TLS guidelines 5.7.
enum class TlsPolicyName
{
    Modern,       ///< TLS 1.3 only
    Intermediate, ///< TLS 1.2 and 1.3, ECDHE (and DHE with a dhparam file) AEAD suites
    Old,          ///< TLS 1.0 to 1.3 with CBC and static-RSA suites: legacy clients only
};

/// What a policy allows, in the names servers built on OpenSSL take.
struct TlsPolicy
{
    TlsPolicyName name = TlsPolicyName::Intermediate;
    /// "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" as nginx's ssl_protocols spells them.
    QStringList protocols;
    /// TLS 1.3 suites (IANA names, as OpenSSL's Ciphersuites takes them).
    QStringList tls13Suites;
    /// TLS 1.2 and older suites in OpenSSL names, in the policy's order,
    /// without the DHE ones (see dheCiphers).
    QStringList ciphers;
    /// DHE suites, offered only when a dhparam file is configured (a DHE
    /// suite without parameters of our choosing would use the server's).
    QStringList dheCiphers;
    /// The server picks the suite (old) rather than the client (modern and
    /// intermediate: every suite offered is strong, so the client's hardware
    /// choice, e.g. ChaCha20 on phones, wins).
    bool serverOrder = false;
    /// OpenSSL 3's default security level refuses TLS 1.0/1.1 handshakes
    /// (MD5-SHA1 signatures): the old policy needs "@SECLEVEL=0".
    bool needsSecurityLevel0 = false;
    /// Marked for legacy clients only: generated configs carry a warning.
    bool legacy = false;

    /// "modern", "intermediate", "old".
    [[nodiscard]] QString id() const;
    /// The OpenSSL cipher string for TLS 1.2 and older: `ciphers`, then the
    /// DHE ones when `withDhe`, then "@SECLEVEL=0" where needed. Empty for
    /// a TLS 1.3-only policy.
    [[nodiscard]] QString cipherString(bool withDhe) const;
    /// The TLS 1.3 suites joined with ':'.
    [[nodiscard]] QString tls13String() const;
    /// The lowest protocol ("TLSv1.2").
    [[nodiscard]] QString minimumProtocol() const { return protocols.value(0); }
    [[nodiscard]] bool allows(const QString& protocol) const
    {
        return protocols.contains(protocol);
    }
};

/// The policy's content; the one place its lists are written down.
[[nodiscard]] TlsPolicy tlsPolicy(TlsPolicyName name);

/// "modern", "intermediate" or "old" (case-insensitive); anything else is
/// InvalidInput naming the text and the allowed names.
[[nodiscard]] Result<TlsPolicyName> parseTlsPolicyName(const QString& text);

/// The allowed names, in the order above.
[[nodiscard]] QStringList tlsPolicyNames();

/// Mozilla's recommended HSTS max-age (two years), in seconds.
inline constexpr qint64 kDefaultHstsMaxAge = 63072000;

/// What an old-policy configuration says at its top and the tools print.
[[nodiscard]] QString legacyWarning();

} // namespace certdeck::config
