// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/wire/TlsVersion.h"

#include <QList>
#include <QString>
#include <memory>
#include <optional>

namespace certdeck::probe {

/// Why a connection or a whole probe did not get an answer, told apart so the
/// remedy differs: a firewall drops (timeout), nothing listens (refused), a
/// middlebox kills the flow (reset), the name does not resolve (DNS), the
/// server says no (alert), or it speaks something else (malformed).
enum class ProbeFailureKind
{
    Timeout,
    Refused,
    Reset,
    Closed, ///< the server closed the connection without answering
    DnsFailure,
    Unreachable,
    HandshakeAlert,
    MalformedReply,
    Cancelled,
    Other,
};

/// "timeout", "refused", "reset", "closed", "dns-failure", "unreachable",
/// "handshake-alert", "malformed-reply", "cancelled", "other".
[[nodiscard]] QString probeFailureKindName(ProbeFailureKind kind);

/// One failure, with the step it happened in ("connect", "first byte",
/// "reply", "TLSv1.2 suites") and the evidence.
struct ProbeFailure
{
    ProbeFailureKind kind = ProbeFailureKind::Other;
    QString step;
    QString message;
    QString detail;
};

/// Whose order decides the suite: found by offering the accepted suites
/// other than ChaCha20 in two orders, and ChaCha20 first and last.
enum class ServerOrder
{
    Unknown, ///< fewer than two suites, or not tested
    Server,  ///< the server picks by its own preference
    /// The server picks by its own preference, except that it takes ChaCha20
    /// when the client lists a ChaCha20 suite first (a client without AES
    /// hardware): OpenSSL's SSL_OP_PRIORITIZE_CHACHA, which HAProxy sets by
    /// default. Scanners that only swap two suites mistake it for Client.
    ServerChaChaPreference,
    Client, ///< the server takes the client's first acceptable suite
    Mixed,  ///< neither rule explains the answers
};

/// The name in JSON and reports: "unknown", "server", "server-chacha20",
/// "client", "mixed".
[[nodiscard]] QString serverOrderName(ServerOrder order);
/// The same in words for people: "server", "server, ChaCha20 first when the
/// client prefers it", "client", "mixed (neither the server's nor the
/// client's order)", "unknown".
[[nodiscard]] QString serverOrderText(ServerOrder order);
/// Server or ServerChaChaPreference: the accepted suites are then listed in
/// the server's own order.
[[nodiscard]] bool serverImposesOrder(ServerOrder order);

/// What one protocol version does on this endpoint.
struct ProtocolProbe
{
    TlsVersion version = TlsVersion::Tls12;
    bool tested = false;
    bool accepted = false;
    /// Accepted suites in the order the server chose them: its own preference
    /// order when serverImposesOrder(order) (as a client that does not list
    /// ChaCha20 first sees it), the offer order otherwise.
    QList<quint16> suites;
    ServerOrder order = ServerOrder::Unknown;
    /// Why the version is not accepted: an alert name, "closed", or "answered
    /// with TLSv1.2".
    QString refusal;
    /// SSLv3-TLS 1.2, from the first accepted ServerHello: it carried
    /// renegotiation_info (RFC 5746). Unset for TLS 1.3 and when not accepted.
    std::optional<bool> secureRenegotiation;
    /// The compression method the server chose (0 = none; 1 = DEFLATE, CRIME).
    quint8 compression = 0;
};

/// What a probe of one endpoint found.
struct ProbeResult
{
    QString host;
    quint16 port = 0;
    QString sni;
    QString address; ///< the IP that was probed
    bool reachable = false;
    bool cancelled = false;
    QList<ProtocolProbe> protocols; ///< SSLv3 .. TLS 1.3, in that order
    /// Key-exchange groups the server accepts (TLS 1.3 key_share / HRR, or
    /// the TLS 1.2 ServerKeyExchange when TLS 1.3 is off), and which were tried.
    QList<quint16> groups;
    QList<quint16> groupsTested;
    /// Which protocol the groups were enumerated with.
    std::optional<TlsVersion> groupsVersion;
    /// Size of the DHE prime when a DHE suite is accepted (TLS 1.0-1.2).
    std::optional<int> dhBits;
    int connections = 0;
    qint64 wallTimeMs = 0;
    QList<ProbeFailure> errors;

    /// The entry for `version`, or nullptr when it was not part of the probe.
    [[nodiscard]] const ProtocolProbe* protocol(TlsVersion version) const;
    /// (version, suite) pairs of every accepted suite, for comparisons.
    [[nodiscard]] QList<std::pair<TlsVersion, quint16>> acceptedPairs() const;
};

/// What a probe of a name found on every address behind it (its nodes).
struct TlsInspection;

struct EndpointResult
{
    QString host;
    quint16 port = 0;
    QString sni;
    /// Who resolved the name ("system resolver", "DNS server 127.0.0.1 port
    /// 53"); empty when an address was given.
    QString resolver;
    /// "resolved", "nxdomain", "no-address"... (dnsOutcomeName()).
    QString dnsOutcome;
    /// One result per address, IPv4 first. When the name did not resolve:
    /// one result without an address, holding the DNS failure.
    QList<ProbeResult> nodes;
    bool cancelled = false;
    qint64 wallTimeMs = 0;
    /// The OpenSSL-handshake inspection of the first node that answered,
    /// when it was asked for (ProbeOptions::inspect in a fleet scan).
    std::shared_ptr<const TlsInspection> inspection;
};

} // namespace certdeck::probe
