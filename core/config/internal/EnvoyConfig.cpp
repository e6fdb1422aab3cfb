// SPDX-License-Identifier: GPL-3.0-or-later
// Envoy: one entry of static_resources.listeners with its TLS transport
// socket (DownstreamTlsContext). Envoy uses BoringSSL: no DHE suites, and
// the TLS 1.3 suites are fixed.
#include "config/internal/Emitters.h"

namespace certdeck::config::internal {

namespace {

QString envoyVersion(const QString& protocol)
{
    if (protocol == QLatin1String("TLSv1")) {
        return QStringLiteral("TLSv1_0");
    }
    return QString(protocol).replace(u'.', u'_');
}

} // namespace

QString envoyConfig(const ServerTlsSettings& s, const TlsPolicy& p, QStringList* warnings)
{
    QString t = headerComment(QStringLiteral("Envoy"), p);
    t += QStringLiteral("# One entry of static_resources.listeners.\n");
    const QString address = s.listenAddress.isEmpty() ? QStringLiteral("0.0.0.0") : s.listenAddress;
    t += QStringLiteral("- name: certdeck_https\n"
                        "  address:\n"
                        "    socket_address: { address: \"%1\", port_value: %2 }\n"
                        // SNI matching needs the ClientHello read first.
                        "  listener_filters:\n"
                        "  - name: envoy.filters.listener.tls_inspector\n"
                        "    typed_config:\n"
                        "      \"@type\": type.googleapis.com/envoy.extensions.filters.listener."
                        "tls_inspector.v3.TlsInspector\n"
                        "  filter_chains:\n"
                        "  - filter_chain_match:\n"
                        "      server_names: [%3]\n")
             .arg(address)
             .arg(s.listenPort)
             .arg(QStringLiteral("\"") + s.serverNames.join(QStringLiteral("\", \"")) + u'"');
    t += QStringLiteral("    filters:\n"
                        "    - name: envoy.filters.network.http_connection_manager\n"
                        "      typed_config:\n"
                        "        \"@type\": type.googleapis.com/envoy.extensions.filters.network."
                        "http_connection_manager.v3.HttpConnectionManager\n"
                        "        stat_prefix: certdeck_https\n"
                        "        http_filters:\n"
                        "        - name: envoy.filters.http.router\n"
                        "          typed_config:\n"
                        "            \"@type\": type.googleapis.com/envoy.extensions.filters.http."
                        "router.v3.Router\n"
                        "        route_config:\n");
    if (s.hsts) {
        t += QStringLiteral("          response_headers_to_add:\n"
                            "          - header: { key: Strict-Transport-Security, value: "
                            "\"%1\" }\n"
                            "            append_action: OVERWRITE_IF_EXISTS_OR_ADD\n")
                 .arg(hstsValue(s));
    }
    t += QStringLiteral("          virtual_hosts:\n"
                        "          - name: certdeck\n"
                        "            domains: [\"*\"]\n"
                        "            routes: []  # your routes\n");
    t += QStringLiteral("    transport_socket:\n"
                        "      name: envoy.transport_sockets.tls\n"
                        "      typed_config:\n"
                        "        \"@type\": type.googleapis.com/envoy.extensions.transport_sockets."
                        "tls.v3.DownstreamTlsContext\n");
    if (s.ticketKeyFile.isEmpty()) {
        t += QStringLiteral("        disable_stateless_session_resumption: true\n");
    } else {
        t += QStringLiteral("        # 80-byte keys; the first encrypts. A static file is read at "
                            "start only:\n"
                            "        # rotate by rewriting it and restarting, or serve the keys "
                            "through SDS.\n"
                            "        session_ticket_keys:\n"
                            "          keys:\n"
                            "          - filename: \"%1\"\n")
                 .arg(s.ticketKeyFile);
        warnings->append(
            QStringLiteral("rotate the session-ticket key %1 (daily)").arg(s.ticketKeyFile));
    }
    if (s.ocspStapling) {
        t += QStringLiteral("        # Staple when an ocsp_staple (DER file) is given per "
                            "certificate below.\n"
                            "        ocsp_staple_policy: LENIENT_STAPLING\n");
    }
    t += QStringLiteral("        common_tls_context:\n"
                        "          alpn_protocols: [\"h2\", \"http/1.1\"]\n"
                        "          tls_params:\n"
                        "            tls_minimum_protocol_version: %1\n"
                        "            tls_maximum_protocol_version: TLSv1_3\n")
             .arg(envoyVersion(p.minimumProtocol()));
    // BoringSSL has neither DHE nor security levels: the ECDHE and RSA suites only.
    QStringList suites;
    for (const QString& c : p.ciphers) {
        if (c != QLatin1String("DES-CBC3-SHA")) {
            suites << c;
        }
    }
    if (!suites.isEmpty()) {
        t += QStringLiteral("            cipher_suites:\n");
        for (const QString& c : suites) {
            t += QStringLiteral("            - %1\n").arg(c);
        }
    }
    if (!s.dhparamFile.isEmpty()) {
        warnings->append(QStringLiteral("Envoy (BoringSSL) has no DHE suites: the dhparam file "
                                        "is not used"));
    }
    t += QStringLiteral("          tls_certificates:\n"
                        "          - certificate_chain: { filename: \"%1\" }\n"
                        "            private_key: { filename: \"%2\" }\n")
             .arg(s.certificateFile, s.keyFile);
    return t;
}

} // namespace certdeck::config::internal
