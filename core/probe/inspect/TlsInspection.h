// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/inspect/HstsPolicy.h"
#include "probe/inspect/OcspStaple.h"
#include "probe/scan/ProbeResult.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace certdeck::probe {

/// What one resumption check found.
enum class ResumptionOutcome
{
    NotTested,   ///< the inspection did not get that far (or was cancelled)
    Unsupported, ///< the protocol version it needs is not accepted
    NoSession,   ///< the server gave nothing to resume with (no ID, no ticket)
    Resumed,     ///< the second connection resumed the first one's session
    NotResumed,  ///< the server ran a full handshake again
    Failed,      ///< a connection failed: see TlsInspection::errors
};

/// "not tested", "unsupported", "no session", "resumed", "not resumed", "failed".
[[nodiscard]] QString resumptionOutcomeName(ResumptionOutcome outcome);

struct ResumptionCheck
{
    ResumptionOutcome outcome = ResumptionOutcome::NotTested;
    QString detail; ///< evidence in words ("the server issued no ticket")
};

/// Session resumption, tested with two connections each.
struct ResumptionInfo
{
    ResumptionCheck sessionId; ///< TLS 1.2, session ID (tickets not offered)
    ResumptionCheck ticket;    ///< TLS 1.2, RFC 5077 session ticket
    ResumptionCheck tls13Psk;  ///< TLS 1.3, PSK from a NewSessionTicket

    /// Any of the three resumed.
    [[nodiscard]] bool anyResumed() const;
    /// At least one check ran to a conclusion (resumed or not).
    [[nodiscard]] bool anyConcluded() const;
};

/// One ALPN offer: a handshake offering only `protocol`.
struct AlpnCheck
{
    QString protocol; ///< "h2", "http/1.1"
    bool tested = false;
    bool accepted = false; ///< the server selected it
};

/// The response to one HTTPS request (GET /), for HSTS and the Server header.
struct HttpCheck
{
    bool tested = false;   ///< a request was sent
    bool answered = false; ///< a complete response head came back
    QString statusLine;    ///< "HTTP/1.1 200 OK"
    QString server;        ///< the Server header, empty when absent
    HstsPolicy hsts;       ///< present == false when no header came
};

/// What a real OpenSSL handshake with the endpoint shows (TlsInspector):
/// the served chain (verified by the workbench, not here), the negotiated
/// parameters, the stapled OCSP response, session resumption, ALPN, and one
/// HTTP request's HSTS and Server headers.
struct TlsInspection
{
    QString host;
    quint16 port = 0;
    QString sni;
    QString address;
    bool handshakeOk = false; ///< the main handshake completed
    bool cancelled = false;
    /// Only the main handshake was made (ProbeOptions::inspectChainOnly):
    /// resumption, ALPN h2 and HTTP/HSTS were not checked.
    bool chainOnly = false;
    /// The certificates as served, leaf first, DER; hand them to
    /// crypto::ChainVerifier with the host name.
    QList<QByteArray> chainDer;
    QString protocol;          ///< "TLSv1.3"
    QString cipher;            ///< OpenSSL's name
    QString group;             ///< "x25519", "secp256r1", "ffdhe2048"; empty if none
    std::optional<int> dhBits; ///< DHE prime size (finite-field groups only)
    /// RFC 5746 support; unset under TLS 1.3 (it has no renegotiation).
    std::optional<bool> secureRenegotiation;
    QString compression; ///< empty: none (the only safe answer)
    QList<AlpnCheck> alpn;
    StapleInfo staple;
    ResumptionInfo resumption;
    HttpCheck http;
    int connections = 0;
    qint64 wallTimeMs = 0;
    /// Every step that failed, with its step name ("handshake", "http",
    /// "ALPN h2", "TLSv1.3 resumption"). A failed step leaves the rest standing.
    QList<ProbeFailure> errors;

    /// The ALPN check for `protocol`, or nullptr.
    [[nodiscard]] const AlpnCheck* alpnCheck(const QString& name) const;
};

} // namespace certdeck::probe
