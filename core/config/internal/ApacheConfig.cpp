// SPDX-License-Identifier: GPL-3.0-or-later
// Apache httpd 2.4: the SSL settings that must be global (the stapling
// cache) or are best kept global, then one <VirtualHost>.
#include "config/internal/Emitters.h"

namespace certdeck::config::internal {

QString apacheConfig(const ServerTlsSettings& s, const TlsPolicy& p, QStringList* warnings)
{
    QString t = headerComment(QStringLiteral("Apache httpd 2.4"), p);
    t += QStringLiteral("# Needs mod_ssl, mod_headers and mod_socache_shmcb "
                        "(a2enmod ssl headers socache_shmcb)\n"
                        "# and a `Listen %1` line (Debian's ports.conf has `Listen 443`).\n")
             .arg(s.listenText());
    warnings->append(QStringLiteral("Apache needs mod_ssl, mod_headers and mod_socache_shmcb "
                                    "enabled"));

    QStringList protocols{QStringLiteral("-all")};
    for (const QString& v : p.protocols) {
        protocols << u'+' + v;
    }
    t += QStringLiteral("SSLProtocol %1\n").arg(protocols.join(u' '));
    const bool dhe = !s.dhparamFile.isEmpty() && !p.dheCiphers.isEmpty();
    const QString ciphers = p.cipherString(dhe);
    if (!ciphers.isEmpty()) {
        t += QStringLiteral("SSLCipherSuite %1\n").arg(ciphers);
    }
    t += QStringLiteral("SSLCipherSuite TLSv1.3 %1\n").arg(p.tls13String());
    t += QStringLiteral("SSLHonorCipherOrder %1\n")
             .arg(p.serverOrder ? QStringLiteral("on") : QStringLiteral("off"));
    if (dhe) {
        t += QStringLiteral("SSLOpenSSLConfCmd DHParameters \"%1\"\n").arg(s.dhparamFile);
    }
    if (s.ticketKeyFile.isEmpty()) {
        // Off: Apache's own ticket key lives as long as the process.
        t += QStringLiteral("SSLSessionTickets off\n");
    }
    if (s.ocspStapling) {
        t += QStringLiteral("SSLUseStapling On\n"
                            "SSLStaplingCache \"shmcb:%1/ssl_stapling(32768)\"\n")
                 .arg(s.apacheRuntimeDir);
    }

    const QString vhost =
        s.listenAddress.isEmpty() ? QStringLiteral("*:%1").arg(s.listenPort) : s.listenText();
    t += QStringLiteral("\n<VirtualHost %1>\n").arg(vhost);
    t += QStringLiteral("    ServerName %1\n").arg(s.serverNames.constFirst());
    if (s.serverNames.size() > 1) {
        t += QStringLiteral("    ServerAlias %1\n").arg(s.serverNames.mid(1).join(u' '));
    }
    t += QStringLiteral("    SSLEngine on\n"
                        "    # The leaf followed by its intermediates (Apache 2.4.8 and later), "
                        "and its key.\n"
                        "    SSLCertificateFile %1\n"
                        "    SSLCertificateKeyFile %2\n")
             .arg(s.certificateFile, s.keyFile);
    if (!s.ticketKeyFile.isEmpty()) {
        t += QStringLiteral("    # A 48-byte key (openssl rand 48), read at start and graceful "
                            "restart only: rotate it\n"
                            "    # (daily) and restart, or tickets outlive their key's "
                            "secrecy.\n"
                            "    SSLSessionTickets on\n"
                            "    SSLSessionTicketKeyFile %1\n")
                 .arg(s.ticketKeyFile);
        warnings->append(QStringLiteral("rotate the session-ticket key %1 and restart Apache "
                                        "gracefully (daily)")
                             .arg(s.ticketKeyFile));
    }
    if (s.hsts) {
        t += QStringLiteral("    Header always set Strict-Transport-Security \"%1\"\n")
                 .arg(hstsValue(s));
    }
    t += QStringLiteral("</VirtualHost>\n");
    return t;
}

} // namespace certdeck::config::internal
