// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CliSupport.h"
#include "common/Operation.h"

namespace certdeck::cli {

/// The one progress line of certdeckctl, on stderr:
/// "certdeckctl: <what> NN% <step>: <message>" (no percentage when the
/// fraction is Operation::Indeterminate; no message when it is empty or
/// repeats the step).
void printProgress(CommandContext& ctx, const QString& what, const QString& step, double fraction,
                   const QString& message);

/// Runs one Operation to its end in certdeckctl's event loop (main() runs
/// none of its own, so this loop nests in nothing), prints its progress with
/// printProgress(), and turns SIGINT and SIGTERM into cancel(): the first
/// signal cancels (the operation closes its sockets and cleans up, then ends
/// with Cancelled, which reportError() turns into exit code 3); a second one
/// exits at once. Progress goes to stderr also with --json: the result, on
/// stdout, is what scripts read.
///
///     AcmeIssueFlow flow(spec);
///     const Status s = OperationRunner(ctx, QStringLiteral("acme")).run(flow);
///     if (!s) return reportError(ctx, s.error());
///     use(*flow.result());
class OperationRunner
{
public:
    OperationRunner(CommandContext& ctx, QString what);

    /// After the first two lines of a step, further lines of the same step
    /// are printed at most once per `ms` (a prime search reports ten times a
    /// second); its last line (fraction 1) always is. 0 prints every line.
    OperationRunner& throttleRepeats(int ms);

    /// Starts `op` (unless it is running already) and returns its status
    /// once finished() was emitted.
    Status run(Operation& op);

private:
    CommandContext& m_ctx;
    QString m_what;
    int m_repeatMs = 0;
};

} // namespace certdeck::cli
