// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/scan/ProbeResult.h"

namespace certdeck::probe {

QString probeFailureKindName(ProbeFailureKind kind)
{
    switch (kind) {
    case ProbeFailureKind::Timeout:
        return QStringLiteral("timeout");
    case ProbeFailureKind::Refused:
        return QStringLiteral("refused");
    case ProbeFailureKind::Reset:
        return QStringLiteral("reset");
    case ProbeFailureKind::Closed:
        return QStringLiteral("closed");
    case ProbeFailureKind::DnsFailure:
        return QStringLiteral("dns-failure");
    case ProbeFailureKind::Unreachable:
        return QStringLiteral("unreachable");
    case ProbeFailureKind::HandshakeAlert:
        return QStringLiteral("handshake-alert");
    case ProbeFailureKind::MalformedReply:
        return QStringLiteral("malformed-reply");
    case ProbeFailureKind::Cancelled:
        return QStringLiteral("cancelled");
    case ProbeFailureKind::Other:
        return QStringLiteral("other");
    }
    return QStringLiteral("other");
}

QString serverOrderName(ServerOrder order)
{
    switch (order) {
    case ServerOrder::Unknown:
        return QStringLiteral("unknown");
    case ServerOrder::Server:
        return QStringLiteral("server");
    case ServerOrder::ServerChaChaPreference:
        return QStringLiteral("server-chacha20");
    case ServerOrder::Client:
        return QStringLiteral("client");
    case ServerOrder::Mixed:
        return QStringLiteral("mixed");
    }
    return QStringLiteral("unknown");
}

QString serverOrderText(ServerOrder order)
{
    switch (order) {
    case ServerOrder::ServerChaChaPreference:
        return QStringLiteral("server, ChaCha20 first when the client prefers it");
    case ServerOrder::Mixed:
        return QStringLiteral("mixed (neither the server's nor the client's order)");
    case ServerOrder::Unknown:
    case ServerOrder::Server:
    case ServerOrder::Client:
        break;
    }
    return serverOrderName(order);
}

bool serverImposesOrder(ServerOrder order)
{
    return order == ServerOrder::Server || order == ServerOrder::ServerChaChaPreference;
}

const ProtocolProbe* ProbeResult::protocol(TlsVersion version) const
{
    for (const ProtocolProbe& p : protocols) {
        if (p.version == version) {
            return &p;
        }
    }
    return nullptr;
}

QList<std::pair<TlsVersion, quint16>> ProbeResult::acceptedPairs() const
{
    QList<std::pair<TlsVersion, quint16>> pairs;
    for (const ProtocolProbe& p : protocols) {
        for (quint16 s : p.suites) {
            pairs.append({p.version, s});
        }
    }
    return pairs;
}

} // namespace certdeck::probe
