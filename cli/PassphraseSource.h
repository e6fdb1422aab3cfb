// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// --passphrase-file / --passphrase-env for the commands that unlock keys
// (csr, ca). A passphrase is never a command-line value: argv is visible to
// every user on the machine through /proc.

#include "common/Result.h"
#include "common/SecureFile.h"

#include <QByteArray>
#include <QString>

namespace certdeck::cli {

/// A passphrase from a file (its first line; the newline is not part of it)
/// or from an environment variable. Exactly one of `file` and `envVar` may
/// be set; neither gives an empty passphrase.
inline Result<QByteArray> readPassphrase(const QString& file, const QString& envVar)
{
    if (!file.isEmpty() && !envVar.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("give the passphrase one way: --passphrase-file or "
                                   "--passphrase-env, not both"));
    }
    QByteArray pass;
    if (!file.isEmpty()) {
        auto data = readFileCapped(file, 64 * 1024);
        if (!data) {
            Error e = data.error();
            e.message = QStringLiteral("Passphrase file: ") + e.message;
            return tl::unexpected(e);
        }
        const qsizetype nl = data->indexOf('\n');
        pass = nl >= 0 ? data->left(nl) : *data;
        if (pass.endsWith('\r')) {
            pass.chop(1);
        }
        data->fill('\0');
        if (pass.isEmpty()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("The passphrase file %1 is empty").arg(file));
        }
    } else if (!envVar.isEmpty()) {
        if (!qEnvironmentVariableIsSet(envVar.toLocal8Bit().constData())) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("The environment variable %1 is not set").arg(envVar));
        }
        pass = qgetenv(envVar.toLocal8Bit().constData());
        if (pass.isEmpty()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("The environment variable %1 is empty").arg(envVar));
        }
    }
    return pass;
}

} // namespace certdeck::cli
