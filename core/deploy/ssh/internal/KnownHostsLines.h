// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::deploy::internal {

/// One known_hosts line about a host.
struct KnownHostsLine
{
    QString file;
    int line = 0; ///< 1-based
    QString keyType;
};

/// The lines of `files` that name `knownHostsName` ("host" or "[host]:port",
/// hashed entries too), in file and line order. libssh 0.10 says that a key
/// changed but not where; this is where. Unreadable files are skipped.
[[nodiscard]] QList<KnownHostsLine> knownHostsLinesFor(const QStringList& files,
                                                       const QString& knownHostsName);

} // namespace certdeck::deploy::internal
