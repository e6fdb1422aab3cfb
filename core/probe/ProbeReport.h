// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/ProbeResult.h"

#include <QJsonObject>
#include <QStringList>

namespace certdeck::probe {

/// Where a probed endpoint stands, in the monitoring-plugin sense.
enum class ProbeVerdict
{
    Ok,       ///< reachable, nothing weak accepted
    Warning,  ///< reachable, but see probeWeaknesses()
    Critical, ///< unreachable, or no handshake succeeded
};

/// "ok", "warning", "critical" (the inventory's probe statuses).
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

} // namespace certdeck::probe
