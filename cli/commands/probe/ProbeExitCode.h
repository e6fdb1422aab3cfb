// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ExitCode.h"
#include "probe/assess/ProbeAssessment.h"
#include "probe/assess/ProbeReport.h"

namespace certdeck::cli {

/// A verdict (probe::assess()) as the monitoring-plugin exit code: probe and
/// scan exit with it, and their --json "verdict" is the same word.
[[nodiscard]] inline ExitCode exitCodeFor(probe::ProbeVerdict verdict)
{
    switch (verdict) {
    case probe::ProbeVerdict::Ok:
        return ExitCode::Ok;
    case probe::ProbeVerdict::Warning:
        return ExitCode::Warning;
    case probe::ProbeVerdict::Unknown:
        return ExitCode::Unknown;
    case probe::ProbeVerdict::Critical:
        break;
    }
    return ExitCode::Critical;
}

} // namespace certdeck::cli
