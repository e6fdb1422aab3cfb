// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::test {

/// A writer process for crash tests of the inventory store: the test
/// executable starts itself again with CERTDECK_STORE_WRITER=<location>
/// (a SQLite path or a postgresql:// URL); the child side is
/// runStoreWriterIfAsked() in StoreWriterChild.h.

/// What a killed writer had reported as committed.
struct KilledWriter
{
    bool ok = false;
    QString error;
    QStringList committed; ///< hosts whose commit the writer reported
};

/// Starts this executable as a writer into `location`, lets it report at
/// least `rows` commits, then kills it with SIGKILL in the middle of its
/// next write (no chance to clean up) and collects what it reported.
[[nodiscard]] KilledWriter killStoreWriterMidWrite(const QString& location, int rows);

} // namespace certdeck::test
