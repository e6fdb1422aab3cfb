// SPDX-License-Identifier: GPL-3.0-or-later
// HAProxy: a `global` section with the defaults for every TLS bind, and a
// frontend whose bind line names the combined PEM.
#include "config/internal/Emitters.h"

namespace certdeck::config::internal {

namespace {

QString bindAddress(const ServerTlsSettings& s)
{
    // HAProxy takes the port after the last colon, IPv6 without brackets.
    return s.listenAddress.isEmpty()
               ? QStringLiteral(":%1").arg(s.listenPort)
               : QStringLiteral("%1:%2").arg(s.listenAddress).arg(s.listenPort);
}

} // namespace

QString haproxyConfig(const ServerTlsSettings& s, const TlsPolicy& p, QStringList* warnings)
{
    QString t = headerComment(QStringLiteral("HAProxy"), p);
    const QString pem = s.effectiveCombinedPemFile();
    const bool dhe = !s.dhparamFile.isEmpty() && !p.dheCiphers.isEmpty();
    t += QStringLiteral("global\n");
    const QString ciphers = p.cipherString(dhe);
    if (!ciphers.isEmpty()) {
        t += QStringLiteral("    ssl-default-bind-ciphers %1\n").arg(ciphers);
    }
    t += QStringLiteral("    ssl-default-bind-ciphersuites %1\n").arg(p.tls13String());
    QStringList options;
    // HAProxy's default is the server's order (with ChaCha20 priority).
    if (!p.serverOrder) {
        options << QStringLiteral("prefer-client-ciphers");
    }
    // HAProxy spells TLS 1.0 "TLSv1.0" where nginx and Apache say "TLSv1".
    const QString minimum = p.minimumProtocol() == QLatin1String("TLSv1")
                                ? QStringLiteral("TLSv1.0")
                                : p.minimumProtocol();
    options << QStringLiteral("ssl-min-ver") << minimum;
    if (s.ticketKeyFile.isEmpty()) {
        options << QStringLiteral("no-tls-tickets");
    }
    t += QStringLiteral("    ssl-default-bind-options %1\n").arg(options.join(u' '));
    if (!p.ciphers.isEmpty()) {
        // Parameters for DHE when no file is given; 2048 bits, not HAProxy's 1024.
        t += QStringLiteral("    tune.ssl.default-dh-param 2048\n");
    }
    if (dhe) {
        t += QStringLiteral("    ssl-dh-param-file %1\n").arg(s.dhparamFile);
    }

    t += QStringLiteral("\nfrontend certdeck_https\n"
                        "    mode http\n"
                        "    # %1 holds the key, the leaf and its intermediates in one file\n"
                        "    # (cat privkey.pem fullchain.pem > it; mode 0600).\n")
             .arg(pem);
    QString bind =
        QStringLiteral("    bind %1 ssl crt %2 alpn h2,http/1.1").arg(bindAddress(s), pem);
    if (!s.ticketKeyFile.isEmpty()) {
        t += QStringLiteral(
                 "    # Session tickets: rotate the keys in %1 (daily): `set ssl tls-key` on\n"
                 "    # the stats socket, or edit the file and reload.\n")
                 .arg(s.ticketKeyFile);
        bind += QStringLiteral(" tls-ticket-keys %1").arg(s.ticketKeyFile);
        warnings->append(
            QStringLiteral("rotate the session-ticket keys in %1 (base64 lines; HAProxy encrypts "
                           "with the last-but-one key): `set ssl tls-key` on the stats socket, "
                           "or edit the file and reload")
                .arg(s.ticketKeyFile));
    }
    t += bind + u'\n';
    if (s.hsts) {
        t += QStringLiteral("    http-response set-header Strict-Transport-Security \"%1\"\n")
                 .arg(hstsValue(s));
    }
    if (s.ocspStapling) {
        t += QStringLiteral("    # OCSP stapling: HAProxy 2.6 staples %1.ocsp (a DER response) "
                            "found next to the PEM\n"
                            "    # at start; refresh it before nextUpdate and push it with "
                            "`set ssl ocsp-response`.\n")
                 .arg(pem);
        warnings->append(QStringLiteral("HAProxy 2.6 staples only the OCSP response you place in "
                                        "%1.ocsp; it does not fetch one itself")
                             .arg(pem));
    }
    t += QStringLiteral("    # default_backend <your backend>\n");
    warnings->append(
        QStringLiteral("assemble %1 from the key and the full chain (mode 0600)").arg(pem));
    return t;
}

} // namespace certdeck::config::internal
