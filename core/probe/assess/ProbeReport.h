// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/scan/ProbeResult.h"

#include <QJsonObject>
#include <QStringList>

namespace certdeck::probe {

/// Where a probed endpoint stands, in the monitoring-plugin sense.
enum class ProbeVerdict
{
    Ok,       ///< nothing needs attention
    Warning,  ///< something needs attention soon (weak settings, expiring)
    Unknown,  ///< could not tell (the chain could not be read or verified)
    Critical, ///< something is wrong now (unreachable, expired, untrusted, revoked)
};
// The order is the severity order for "the worst of several" (Icinga's:
// OK < WARNING < UNKNOWN < CRITICAL), so std::max gives the worst.

/// "ok", "warning", "unknown", "critical" (the inventory's probe statuses).
[[nodiscard]] QString probeVerdictName(ProbeVerdict verdict);

/// What makes a result a warning, one plain sentence each: legacy protocols
/// (SSLv3, TLS 1.0, 1.1), suites rated weak or insecure in the registry, no
/// secure renegotiation, compressed records.
[[nodiscard]] QStringList probeWeaknesses(const ProbeResult& result);
/// True when at least one protocol version was accepted.
[[nodiscard]] bool anyProtocolAccepted(const ProbeResult& result);
[[nodiscard]] ProbeVerdict probeVerdict(const ProbeResult& result);
/// The whole result as JSON (CLI --json and the inventory's probe history),
/// suites with their registry data, and the weaknesses.
[[nodiscard]] QJsonObject probeResultJson(const ProbeResult& result);

/// The verdict of a name with several nodes: the worst node's, and at
/// least a warning when the reachable nodes differ (compareNodes()); a
/// result without nodes (cancelled before any) is critical.
[[nodiscard]] ProbeVerdict endpointVerdict(const EndpointResult& result);
/// One line on why the endpoint has its verdict: each unreachable node and
/// why, the weaknesses, the differences.
[[nodiscard]] QStringList endpointProblems(const EndpointResult& result);
/// The endpoint as JSON: the first node's probeResultJson() at the top (as a
/// single-address probe reported it), plus "resolver", "dnsOutcome",
/// "nodes" (every node's probeResultJson()) and "differences" ({aspect, text,
/// variants: [{value, nodes}]}). No verdict: that is the assessment's
/// (probe::assess()), which the caller adds.
[[nodiscard]] QJsonObject endpointResultJson(const EndpointResult& result);

} // namespace certdeck::probe
