// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Job.h"
#include "probe/ProbeRequest.h"
#include "probe/ProbeResult.h"
#include "probe/TlsInspection.h"

#include <optional>

namespace certdeck::probe {

/// What a probe job found: the raw probe, and the OpenSSL-handshake
/// inspection when ProbeOptions::inspect asked for it (unset otherwise, or
/// when no protocol was accepted, or when cancelled during the probe).
struct ProbeOutcome
{
    ProbeResult probe;
    std::optional<TlsInspection> inspection;
};

/// One TlsProber run (then a TlsInspector run, with ProbeOptions::inspect)
/// off the calling thread: a pool thread runs its own event loop for the
/// sockets, so the console stays responsive. Progress is the prober's and
/// the inspector's; cancel() stops it within about 50 ms (open connections
/// are closed). The result is the outcome, reachable or not: an endpoint that
/// refuses is a finding, not a failure of the job.
class ProbeJob : public TypedJob<ProbeOutcome>
{
    Q_OBJECT
public:
    ProbeJob(ProbeTarget target, ProbeOptions options, QObject* parent = nullptr);

    /// The same work on the calling thread (for the CLI, which has no GUI to
    /// keep responsive); `control` may be null.
    [[nodiscard]] static ProbeOutcome run(const ProbeTarget& target, const ProbeOptions& options,
                                          const JobControl* control);
};

} // namespace certdeck::probe
