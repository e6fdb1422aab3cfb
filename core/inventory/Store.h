// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>
#include <memory>

namespace certdeck::inventory {

/// Facts about an open store, for the status bar, `certdeckctl store info`
/// and support requests.
struct StoreInfo
{
    QString backend;       ///< "SQLite" or "PostgreSQL"
    QString location;      ///< file path, or host/database for a server
    QString engineVersion; ///< sqlite_version() or server_version
    int schemaVersion = 0;
    int latestSchemaVersion = 0;
    QString journalMode; ///< "wal" for SQLite
};

/// The inventory store. Owns one Qt SQL connection, used from the thread that
/// opened it. All SQL of CertDeck lives in core/inventory/.
class Store
{
public:
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Where the embedded store lives: $CERTDECK_DB if set, else
    /// $XDG_DATA_HOME/certdeck/certdeck.sqlite
    /// (~/.local/share/certdeck/certdeck.sqlite).
    [[nodiscard]] static QString defaultLocation();

    /// Opens (creating if absent) an SQLite store at `path`: its folder 0700,
    /// the file 0600, WAL, foreign keys, a busy timeout so the CLI and the
    /// console can share it, then migrates the schema forward. A file that is
    /// not a database, or fails its integrity check, is reported and left
    /// untouched.
    [[nodiscard]] static Result<std::unique_ptr<Store>> openSqlite(const QString& path);

    /// Opens the store at `path`, migrates it, reads its info and closes it
    /// again: safe to run on a worker thread, since the connection never
    /// leaves it.
    [[nodiscard]] static Result<StoreInfo> inspectSqlite(const QString& path);

    /// Runs SQLite's integrity_check; "ok" or the first problems found.
    [[nodiscard]] Result<QString> integrityCheck() const;

    [[nodiscard]] Result<StoreInfo> info() const;

    /// The schema version this build migrates to.
    [[nodiscard]] static int latestSchemaVersion();

private:
    explicit Store(QString connectionName, QString location);
    [[nodiscard]] Status migrate();

    QString m_connectionName;
    QString m_location;
};

} // namespace certdeck::inventory
