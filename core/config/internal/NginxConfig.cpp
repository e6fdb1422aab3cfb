// SPDX-License-Identifier: GPL-3.0-or-later
// nginx: one `server { }` block for the http context.
#include "config/internal/Emitters.h"

namespace certdeck::config::internal {

QString nginxConfig(const ServerTlsSettings& s, const TlsPolicy& p, QStringList* warnings)
{
    QString t = headerComment(QStringLiteral("nginx"), p);
    t += QStringLiteral("# Goes in the http { } context (e.g. /etc/nginx/sites-available/).\n"
                        "server {\n");
    // nginx 1.22 takes http2 on the listen line (1.25.1 and later: `http2 on;`).
    if (s.listenAddress.isEmpty()) {
        t += QStringLiteral("    listen %1 ssl http2;\n").arg(s.listenPort);
        t += QStringLiteral("    listen [::]:%1 ssl http2;\n").arg(s.listenPort);
    } else {
        t += QStringLiteral("    listen %1 ssl http2;\n").arg(s.listenText());
    }
    t += QStringLiteral("    server_name %1;\n\n").arg(s.serverNames.join(u' '));

    t += QStringLiteral("    # The leaf followed by its intermediates, and its key.\n"
                        "    ssl_certificate %1;\n"
                        "    ssl_certificate_key %2;\n\n")
             .arg(s.certificateFile, s.keyFile);

    // nginx 1.22 leaves TLS 1.3 out by default: always say which protocols.
    t += QStringLiteral("    ssl_protocols %1;\n").arg(p.protocols.join(u' '));
    const bool dhe = !s.dhparamFile.isEmpty();
    const QString ciphers = p.cipherString(dhe);
    if (!ciphers.isEmpty()) {
        t += QStringLiteral("    ssl_ciphers %1;\n").arg(ciphers);
    }
    t += QStringLiteral("    ssl_prefer_server_ciphers %1;\n")
             .arg(p.serverOrder ? QStringLiteral("on") : QStringLiteral("off"));
    if (dhe && !p.dheCiphers.isEmpty()) {
        t += QStringLiteral("    ssl_dhparam %1;\n").arg(s.dhparamFile);
    }
    t += u'\n';

    t += QStringLiteral("    ssl_session_timeout 1d;\n"
                        "    ssl_session_cache shared:CertDeckTLS:10m;\n");
    if (s.ticketKeyFile.isEmpty()) {
        t += QStringLiteral("    # Off: nginx never rotates ticket keys itself.\n"
                            "    ssl_session_tickets off;\n");
    } else {
        t += QStringLiteral(
                 "    # nginx reads this 80-byte key (openssl rand 80) at start and reload only:\n"
                 "    # rotate it (daily), keep the previous key as a second\n"
                 "    # ssl_session_ticket_key line to decrypt older tickets, and reload.\n"
                 "    ssl_session_tickets on;\n"
                 "    ssl_session_ticket_key %1;\n")
                 .arg(s.ticketKeyFile);
        warnings->append(QStringLiteral("rotate the session-ticket key %1 and reload nginx (daily, "
                                        "keeping the previous key for decryption)")
                             .arg(s.ticketKeyFile));
    }

    if (s.ocspStapling) {
        t += QStringLiteral("\n    # OCSP stapling; the responses are verified against the "
                            "intermediates.\n"
                            "    # nginx resolves the responder's name: set `resolver` if the "
                            "system's is not usable.\n"
                            "    ssl_stapling on;\n"
                            "    ssl_stapling_verify on;\n"
                            "    ssl_trusted_certificate %1;\n")
                 .arg(s.effectiveChainFile());
    }
    if (s.hsts) {
        t += QStringLiteral("\n    add_header Strict-Transport-Security \"%1\" always;\n")
                 .arg(hstsValue(s));
    }
    t += QStringLiteral("}\n");
    return t;
}

} // namespace certdeck::config::internal
