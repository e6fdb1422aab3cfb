// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PassphraseSource.h"

// Passphrases for certdeckctl come from a file or an environment variable
// named on the command line, never from an argument value (which `ps` and
// shell history would show).

#include "common/Result.h"
#include "common/SecureFile.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>

namespace certdeck::cli {

/// --<prefix>passphrase-file F and --<prefix>passphrase-env VAR.
struct PassphraseOption
{
    explicit PassphraseOption(const QString& prefix = {}, const QString& what = {})
        : file(prefix + QStringLiteral("passphrase-file"),
               QStringLiteral("Read the %1passphrase from the first line of FILE.").arg(what),
               QStringLiteral("FILE"))
        , env(prefix + QStringLiteral("passphrase-env"),
              QStringLiteral("Read the %1passphrase from environment variable VAR.").arg(what),
              QStringLiteral("VAR"))
    {}

    QCommandLineOption file;
    QCommandLineOption env;

    void addTo(QCommandLineParser& p) const
    {
        p.addOption(file);
        p.addOption(env);
    }

    [[nodiscard]] bool isSet(const QCommandLineParser& p) const
    {
        return p.isSet(file) || p.isSet(env);
    }

    /// The passphrase, or empty when neither option is given. Warns on `err`
    /// when the file can be read by others.
    [[nodiscard]] Result<QByteArray> read(const QCommandLineParser& p, QTextStream& err) const
    {
        if (p.isSet(file) && p.isSet(env)) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("Give --%1 or --%2, not both")
                            .arg(file.names().constFirst(), env.names().constFirst()));
        }
        if (p.isSet(file) &&
            (QFileInfo(p.value(file)).permissions() & (QFile::ReadGroup | QFile::ReadOther)) != 0) {
            err << "certdeckctl: warning: the passphrase file " << p.value(file)
                << " can be read by other users (chmod 600 it)\n";
            err.flush();
        }
        // One reader for every command (PassphraseSource.h).
        return readPassphrase(p.isSet(file) ? p.value(file) : QString(),
                              p.isSet(env) ? p.value(env) : QString());
    }
};

} // namespace certdeck::cli
