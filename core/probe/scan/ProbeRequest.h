// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dns/DnsExchange.h"
#include "probe/wire/TlsVersion.h"

#include <QList>
#include <QString>
#include <memory>
#include <optional>

namespace certdeck::probe {

class ConnectionBudget;

/// The endpoint to probe.
struct ProbeTarget
{
    QString host; ///< name or IP literal
    quint16 port = 443;
    /// SNI to send; empty: the host when it is a name, none for an IP.
    QString sni;
    /// Connect to this IP instead of resolving `host` (a node behind a load
    /// balancer, or a name not yet in DNS).
    QString address;
};

/// How hard and how long to probe.
struct ProbeOptions
{
    int connectTimeoutMs = 5000;   ///< TCP connect
    int firstByteTimeoutMs = 5000; ///< ClientHello sent -> first reply byte
    int replyTimeoutMs = 10000;    ///< ClientHello sent -> complete reply
    /// Connections open at once to this endpoint (so no host is hammered).
    int maxConnections = 4;
    QList<TlsVersion> versions = allTlsVersions();
    bool serverOrder = true;
    bool groups = true;
    /// Shared by the probers of a fleet scan (same thread): a global and a
    /// per-address bound on open connections. Null: only maxConnections.
    std::shared_ptr<ConnectionBudget> budget;
    /// EndpointProber and FleetScanner: ask this DNS server for the host's
    /// A/AAAA records instead of the system resolver.
    std::optional<dns::DnsServer> resolver;
    int dnsTimeoutMs = 5000; ///< the whole exchange with that server
    /// After the raw probe, inspect the endpoint through a real OpenSSL
    /// handshake as well (TlsInspector: chain, OCSP staple, resumption, ALPN,
    /// HSTS); about 8 more connections, one at a time. Honoured by
    /// FleetScanner and services::ScanService.
    bool inspect = false;
    /// With `inspect`: only the main handshake (the served chain, the OCSP
    /// staple and the negotiated parameters; one connection, no HTTP
    /// request), which is what the verdict needs. Resumption, ALPN h2 and
    /// HSTS need the full inspection.
    bool inspectChainOnly = false;
};

} // namespace certdeck::probe
