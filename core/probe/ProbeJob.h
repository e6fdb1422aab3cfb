// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Job.h"
#include "probe/ProbeRequest.h"
#include "probe/ProbeResult.h"

namespace certdeck::probe {

/// One TlsProber run off the calling thread: a pool thread runs its own event
/// loop for the prober's sockets, so the console stays responsive. Progress
/// is the prober's; cancel() stops it within about 50 ms (open connections
/// are closed). The result is the ProbeResult, reachable or not: an endpoint
/// that refuses is a finding, not a failure of the job.
class ProbeJob : public TypedJob<ProbeResult>
{
    Q_OBJECT
public:
    ProbeJob(ProbeTarget target, ProbeOptions options, QObject* parent = nullptr);

    /// The same work on the calling thread (for the CLI, which has no GUI to
    /// keep responsive); `control` may be null.
    [[nodiscard]] static ProbeResult run(const ProbeTarget& target, const ProbeOptions& options,
                                         const JobControl* control);
};

} // namespace certdeck::probe
