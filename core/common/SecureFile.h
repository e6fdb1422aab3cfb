// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>

namespace certdeck {

/// How writeFileAtomically treats the target.
struct WriteOptions
{
    /// Private material (keys, PKCS#12): the file is 0600 and its folder is
    /// created 0700 (an existing folder is left as it is but must not be
    /// writable by others).
    bool secret = false;
    /// Replace an existing file. Off by default: a key is never overwritten
    /// unless the user asked for it.
    bool overwrite = false;
};

/// Writes `data` to `path` so that readers see the old file or the new one,
/// never a half-written one: a temporary file in the same folder (created
/// with the final mode before any byte is written), fsync, rename.
[[nodiscard]] Status writeFileAtomically(const QString& path, const QByteArray& data,
                                         const WriteOptions& options = {});

/// Reads a whole file, refusing anything larger than `maxBytes` with an error
/// that says so (a 10 GB "certificate" is a mistake, not a certificate).
[[nodiscard]] Result<QByteArray> readFileCapped(const QString& path,
                                                qint64 maxBytes = 64 * 1024 * 1024);

} // namespace certdeck
