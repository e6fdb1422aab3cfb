// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ExitCode.h"

#include <QStringList>
#include <QTextStream>

namespace certdeck::cli {

/// certdeckctl: parses the global options, dispatches to a registered
/// command (cli/commands/), and returns a monitoring-plugin exit code.
/// Results go to `out` (tables, or JSON with --json); progress and errors
/// to `err`.
class CtlApp
{
public:
    CtlApp(QTextStream& out, QTextStream& err);

    /// `args` includes the program name, as QCoreApplication::arguments().
    [[nodiscard]] ExitCode run(const QStringList& args);

private:
    QTextStream& m_out;
    QTextStream& m_err;
};

} // namespace certdeck::cli
