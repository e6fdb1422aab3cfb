// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyStats.h"

#include <openssl/ssl.h>

namespace certdeck::proxy {

QString closeReasonName(CloseReason reason)
{
    switch (reason) {
    case CloseReason::HandshakeFailed:
        return QStringLiteral("handshake_failed");
    case CloseReason::HandshakeTimeout:
        return QStringLiteral("handshake_timeout");
    case CloseReason::IdleTimeout:
        return QStringLiteral("idle_timeout");
    case CloseReason::ConnectionLimit:
        return QStringLiteral("connection_limit");
    case CloseReason::BackendDown:
        return QStringLiteral("backend_down");
    case CloseReason::BackendReset:
        return QStringLiteral("backend_reset");
    case CloseReason::ClientReset:
        return QStringLiteral("client_reset");
    case CloseReason::BadRequest:
        return QStringLiteral("bad_request");
    case CloseReason::Drained:
        return QStringLiteral("drained");
    case CloseReason::Count_:
        break;
    }
    return QStringLiteral("unknown");
}

void WorkerStats::countSuite(uint32_t ianaId)
{
    for (int i = 0; i < kSuiteSlots; ++i) {
        const uint32_t id = suiteIds[i].load(std::memory_order_relaxed);
        if (id == ianaId) {
            add(suiteCounts[i]);
            return;
        }
        if (id == 0) {
            // Count before publishing the id, so a reader never sees an id
            // without its handshake.
            add(suiteCounts[i]);
            suiteIds[i].store(ianaId, std::memory_order_release);
            return;
        }
    }
}

namespace {

void family(QByteArray& out, const char* name, const char* type, const char* help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(QByteArray& out, const char* name, const QByteArray& labels, double value)
{
    out += name;
    if (!labels.isEmpty()) {
        out += '{' + labels + '}';
    }
    out += ' ';
    out += QByteArray::number(value, 'g', 17);
    out += '\n';
}

} // namespace

QByteArray ProxyStatsSnapshot::toPrometheus() const
{
    QByteArray out;
    family(out, "certdeck_proxy_connections_accepted_total", "counter",
           "TCP connections accepted from clients.");
    sample(out, "certdeck_proxy_connections_accepted_total", {}, static_cast<double>(accepted));
    family(out, "certdeck_proxy_connections_open", "gauge", "Client connections open now.");
    sample(out, "certdeck_proxy_connections_open", {}, static_cast<double>(open));
    family(out, "certdeck_proxy_handshakes_total", "counter",
           "Finished TLS handshakes by kind (full or resumed).");
    sample(out, "certdeck_proxy_handshakes_total", "kind=\"full\"",
           static_cast<double>(handshakesFull));
    sample(out, "certdeck_proxy_handshakes_total", "kind=\"resumed\"",
           static_cast<double>(handshakesResumed));
    family(out, "certdeck_proxy_handshakes_by_protocol_total", "counter",
           "Finished TLS handshakes by protocol version.");
    sample(out, "certdeck_proxy_handshakes_by_protocol_total", "protocol=\"TLSv1.2\"",
           static_cast<double>(tls12));
    sample(out, "certdeck_proxy_handshakes_by_protocol_total", "protocol=\"TLSv1.3\"",
           static_cast<double>(tls13));
    family(out, "certdeck_proxy_handshakes_by_suite_total", "counter",
           "Finished TLS handshakes by cipher suite (IANA name).");
    for (auto it = suites.cbegin(); it != suites.cend(); ++it) {
        sample(out, "certdeck_proxy_handshakes_by_suite_total",
               "suite=\"" + it.key().toLatin1() + '"', static_cast<double>(it.value()));
    }
    family(out, "certdeck_proxy_received_bytes_total", "counter",
           "Plaintext bytes received, by side (client or backend).");
    sample(out, "certdeck_proxy_received_bytes_total", "side=\"client\"",
           static_cast<double>(bytesFromClients));
    sample(out, "certdeck_proxy_received_bytes_total", "side=\"backend\"",
           static_cast<double>(bytesFromBackend));
    family(out, "certdeck_proxy_connection_errors_total", "counter",
           "Connections ended early, by reason.");
    for (int i = 0; i < static_cast<int>(CloseReason::Count_); ++i) {
        sample(out, "certdeck_proxy_connection_errors_total",
               "reason=\"" + closeReasonName(static_cast<CloseReason>(i)).toLatin1() + '"',
               static_cast<double>(closed[i]));
    }
    family(out, "certdeck_proxy_ticket_key_rotations_total", "counter",
           "Session-ticket keys made (the first one included).");
    sample(out, "certdeck_proxy_ticket_key_rotations_total", {},
           static_cast<double>(ticketKeyRotations));
    family(out, "certdeck_proxy_reloads_total", "counter",
           "Certificate and policy reloads that took effect.");
    sample(out, "certdeck_proxy_reloads_total", {}, static_cast<double>(reloads));
    family(out, "certdeck_proxy_workers", "gauge", "Worker threads (one event loop each).");
    sample(out, "certdeck_proxy_workers", {}, workers);
    return out;
}

} // namespace certdeck::proxy
