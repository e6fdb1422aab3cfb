// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>
#include <memory>

namespace certdeck::inventory {

class Store;

namespace internal {
enum class Dialect;
}

/// A store location opened once per process. The first open of a location
/// runs every check: the file's header and SQLite's quick_check, the schema
/// migrations (on PostgreSQL under the advisory lock). After that, each thread
/// gets its own connection to the already-checked database through
/// connect(), without any check or migration: a Qt SQL connection must stay
/// on the thread that made it, so threads never share one.
///
/// The process keeps a location open while an OpenedStore of it, or a Store
/// connected from it, lives; once the last one is gone, the next open checks
/// the location again (a file replaced or restored meanwhile is checked).
///
/// Thread-safe: open() and connect() may be called from any thread.
class OpenedStore : public std::enable_shared_from_this<const OpenedStore>
{
public:
    ~OpenedStore();
    OpenedStore(const OpenedStore&) = delete;
    OpenedStore& operator=(const OpenedStore&) = delete;

    /// A connection for the calling thread to the store at `location` (any
    /// form Store::openUrl accepts): when the location is not open in this
    /// process yet, it is opened and checked first, on the calling thread, and
    /// the connection that ran the checks is returned; else a new connection
    /// without checks. Store::openUrl() is this; Store::opened() hands the
    /// opened store to another thread.
    [[nodiscard]] static Result<std::unique_ptr<Store>> connectTo(const QString& location);

    /// A new connection for the calling thread to this already-checked store:
    /// no integrity check, no migration. The Store must be used and destroyed
    /// on the calling thread.
    [[nodiscard]] Result<std::unique_ptr<Store>> connect() const;

    /// Where the store is: the absolute file path, or user@host:port/db
    /// (never a password).
    [[nodiscard]] QString location() const;

    /// How many full opens (checks and migrations) this process has run,
    /// successful or not. Connections from connect() do not count. For tests
    /// and support: each location should count once per process.
    [[nodiscard]] static int fullOpenCount();

private:
    struct Settings;
    /// Which backend a location names: Auto reads it from the location
    /// (Store::openUrl), the others are Store::openSqlite and openPostgres.
    enum class Kind
    {
        Auto,
        Sqlite,
        Postgres
    };
    explicit OpenedStore(std::unique_ptr<Settings> settings);

    /// connectTo() for a location of `kind`.
    [[nodiscard]] static Result<std::unique_ptr<Store>> acquire(const QString& location, Kind kind);
    /// A configured connection; `check`: SQLite's quick_check before anything
    /// writes.
    [[nodiscard]] Result<std::unique_ptr<Store>> newConnection(bool check) const;

    friend class Store;
    std::unique_ptr<Settings> m_settings;
};

} // namespace certdeck::inventory
