// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace certdeck::cli {

/// certdeckctl's exit codes follow the monitoring-plugin convention
/// (Nagios, Icinga, Checkmk), so any check can be wired into them.
enum class ExitCode : int
{
    Ok = 0,       ///< done; nothing needs attention
    Warning = 1,  ///< done, but something needs attention soon
    Critical = 2, ///< done, and something is wrong now
    Unknown = 3,  ///< could not tell: usage error, unreachable store, internal error
};

} // namespace certdeck::cli
