// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ExitCode.h"

#include <QStringList>
#include <QTextStream>

namespace certdeck::cli {

/// certdeckctl: parses the command line, runs one subcommand, prints tables
/// for people or JSON (--json) for scripts on stdout, progress and errors on
/// stderr, and returns a monitoring-plugin exit code.
class CtlApp
{
public:
    CtlApp(QTextStream& out, QTextStream& err);

    /// `args` includes the program name, as QCoreApplication::arguments().
    [[nodiscard]] ExitCode run(const QStringList& args);

private:
    ExitCode runAbout(const QStringList& args);
    ExitCode runStore(const QStringList& args);
    ExitCode usageError(const QString& message);

    QTextStream& m_out;
    QTextStream& m_err;
    bool m_json = false;
    QString m_dbPath;
};

} // namespace certdeck::cli
