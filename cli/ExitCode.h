// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace certdeck::cli {

/// certdeckctl's exit codes follow the monitoring-plugin convention
/// (Nagios, Icinga, Checkmk), so any check can be wired into them. One rule
/// in every command (README, "Exit codes"): an error is Unknown; Warning and
/// Critical are only ever answers about the subject.
enum class ExitCode : int
{
    Ok = 0,       ///< done; nothing needs attention
    Warning = 1,  ///< an answer: the subject needs attention soon
    Critical = 2, ///< an answer: the subject is wrong now
    Unknown = 3,  ///< an error: the command could not do its work or could not tell
};

} // namespace certdeck::cli
