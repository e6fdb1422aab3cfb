// SPDX-License-Identifier: GPL-3.0-or-later
// Store info, migrations and transactions; the records are read and written
// by the repositories (EndpointRepository.cpp and its siblings).
#include "Store.h"

#include "OpenedStore.h"
#include "internal/Migrations.h"
#include "internal/SqlSupport.h"
#include "inventory/internal/Log.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QStandardPaths>
#include <pwd.h>
#include <unistd.h>

namespace certdeck::inventory {

using internal::dbError;
using internal::Dialect;

namespace {

// Any fixed number shared by every CertDeck client: serialises migrations.
constexpr qint64 kMigrationLockKey = 0x43455254444b01; // "CERTDK" + 1

} // namespace

Store::Store(QString connectionName, std::shared_ptr<const OpenedStore> opened, QString location,
             Dialect dialect)
    : m_connectionName(std::move(connectionName))
    , m_opened(std::move(opened))
    , m_location(std::move(location))
    , m_dialect(dialect)
    , m_actor(osUserName())
{}

Store::~Store()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen()) {
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString Store::defaultLocation()
{
    const QString env = qEnvironmentVariable("CERTDECK_DB");
    if (!env.isEmpty()) {
        return env;
    }
    // One fixed place for the console and the CLI, whatever their application
    // names: $XDG_DATA_HOME/certdeck/certdeck.sqlite.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/certdeck/certdeck.sqlite");
}

int Store::latestSchemaVersion()
{
    return static_cast<int>(internal::migrations(Dialect::Sqlite).size());
}

QString Store::osUserName()
{
    const QString env = qEnvironmentVariable("USER");
    if (!env.isEmpty()) {
        return env;
    }
    // getpwuid_r: the console may open stores from worker threads.
    struct passwd pw
    {
    };
    struct passwd* found = nullptr;
    char buffer[4096];
    if (::getpwuid_r(::getuid(), &pw, buffer, sizeof buffer, &found) == 0 && found) {
        return QString::fromLocal8Bit(found->pw_name);
    }
    return QStringLiteral("uid %1").arg(::getuid());
}

Result<std::unique_ptr<Store>> Store::openUrl(const QString& location)
{
    return OpenedStore::acquire(location, OpenedStore::Kind::Auto);
}

Result<std::unique_ptr<Store>> Store::openSqlite(const QString& path)
{
    return OpenedStore::acquire(path, OpenedStore::Kind::Sqlite);
}

Result<std::unique_ptr<Store>> Store::openPostgres(const QString& url)
{
    return OpenedStore::acquire(url, OpenedStore::Kind::Postgres);
}

Result<StoreInfo> Store::inspectSqlite(const QString& path)
{
    auto store = openSqlite(path);
    if (!store) {
        return tl::unexpected(store.error());
    }
    return (*store)->info();
}

Result<StoreInfo> Store::inspectUrl(const QString& location)
{
    auto store = openUrl(location);
    if (!store) {
        return tl::unexpected(store.error());
    }
    return (*store)->info();
}

Result<int> Store::schemaVersion() const
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    if (m_dialect == Dialect::Sqlite) {
        if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
            return tl::unexpected(dbError(QStringLiteral("Cannot read the schema version"),
                                          q.lastError(), m_location));
        }
        return q.value(0).toInt();
    }
    // Not to_regclass(): a backend may answer that from a stale catalog
    // cache after another client created the table. Querying the table
    // itself is always current; "undefined table" means version 0.
    if (!q.exec(QStringLiteral("SELECT coalesce(max(version), 0) FROM schema_version"))) {
        if (q.lastError().nativeErrorCode() == QLatin1String("42P01")) {
            return 0;
        }
        return tl::unexpected(
            dbError(QStringLiteral("Cannot read the schema version"), q.lastError(), m_location));
    }
    if (!q.next()) {
        return tl::unexpected(
            dbError(QStringLiteral("Cannot read the schema version"), q.lastError(), m_location));
    }
    return q.value(0).toInt();
}

Status Store::migrate()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    const int latest = latestSchemaVersion();
    const auto& steps = internal::migrations(m_dialect);
    // The common case, a current schema, needs no write lock: the CLI must
    // open the store while the console is in the middle of a write.
    if (const auto v = schemaVersion(); v && *v == latest) {
        return {};
    }
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        // One transaction per step; on PostgreSQL DDL is transactional too,
        // and the advisory lock makes a second client wait, then see the
        // version the first one reached.
        if (!q.exec(m_dialect == Dialect::Sqlite ? QStringLiteral("BEGIN IMMEDIATE")
                                                 : QStringLiteral("BEGIN"))) {
            return tl::unexpected(
                dbError(QStringLiteral("Cannot start a migration"), q.lastError(), m_location));
        }
        auto rollback = [&](const Error& e) {
            QSqlQuery r(db);
            r.exec(QStringLiteral("ROLLBACK"));
            return tl::unexpected(e);
        };
        if (m_dialect == Dialect::Postgres) {
            if (!q.exec(
                    QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kMigrationLockKey))) {
                return rollback(
                    dbError(QStringLiteral("Cannot lock the schema"), q.lastError(), m_location));
            }
            // Inside the lock, so that reading the version below cannot fail
            // and abort the transaction.
            if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version ("
                                       " version INTEGER NOT NULL,"
                                       " applied_utc TEXT NOT NULL)"))) {
                return rollback(dbError(QStringLiteral("Cannot create the schema_version table"),
                                        q.lastError(), m_location));
            }
        }
        const auto current = schemaVersion();
        if (!current) {
            return rollback(current.error());
        }
        const int v = *current;
        if (v > latest) {
            return rollback(
                Error{ErrorCode::Database,
                      QStringLiteral("The store was written by a newer CertDeck (schema %1; this "
                                     "build knows up to %2); it was left as it is")
                          .arg(v)
                          .arg(latest),
                      m_location});
        }
        if (v == latest) {
            q.exec(QStringLiteral("COMMIT"));
            qCDebug(lcInventory).noquote() << "store" << m_location << "is at schema" << latest
                                           << "after" << clock.elapsed() << "ms";
            return {};
        }
        qCDebug(lcInventory).noquote() << QStringLiteral("store %1: migrating schema %2 -> %3")
                                              .arg(m_location)
                                              .arg(v)
                                              .arg(v + 1);
        for (const QString& sql : steps.at(v)) {
            if (!q.exec(sql)) {
                return rollback(
                    dbError(QStringLiteral("Schema migration %1 -> %2 failed").arg(v).arg(v + 1),
                            q.lastError(), sql.left(60)));
            }
        }
        bool recorded = false;
        if (m_dialect == Dialect::Sqlite) {
            recorded = q.exec(QStringLiteral("PRAGMA user_version = %1").arg(v + 1));
        } else {
            q.prepare(QStringLiteral("INSERT INTO schema_version (version, applied_utc) "
                                     "VALUES (?, ?)"));
            q.addBindValue(v + 1);
            q.addBindValue(internal::nowText());
            recorded = internal::execBound(q);
        }
        if (!recorded || !q.exec(QStringLiteral("COMMIT"))) {
            return rollback(dbError(QStringLiteral("Cannot record schema version %1").arg(v + 1),
                                    q.lastError(), m_location));
        }
    }
}

Result<QString> Store::integrityCheck() const
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    if (m_dialect == Dialect::Postgres) {
        // The server guards its own pages; what can go wrong on our side is a
        // schema another build changed under us.
        const auto v = schemaVersion();
        if (!v) {
            return tl::unexpected(v.error());
        }
        return *v == latestSchemaVersion() ? QStringLiteral("ok")
                                           : QStringLiteral("schema version %1, expected %2")
                                                 .arg(*v)
                                                 .arg(latestSchemaVersion());
    }
    if (!q.exec(QStringLiteral("PRAGMA integrity_check"))) {
        return tl::unexpected(dbError(QStringLiteral("The integrity check failed to run"),
                                      q.lastError(), m_location));
    }
    QStringList lines;
    while (q.next()) {
        lines << q.value(0).toString();
    }
    if (!q.exec(QStringLiteral("PRAGMA foreign_key_check"))) {
        return tl::unexpected(dbError(QStringLiteral("The foreign key check failed to run"),
                                      q.lastError(), m_location));
    }
    while (q.next()) {
        const QString line = QStringLiteral("foreign key violation in %1 row %2")
                                 .arg(q.value(0).toString(), q.value(1).toString());
        if (lines == QStringList{QStringLiteral("ok")}) {
            lines.clear();
        }
        lines << line;
    }
    return lines.join(u'\n');
}

Result<StoreInfo> Store::info() const
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    StoreInfo i;
    const bool sqlite = m_dialect == Dialect::Sqlite;
    i.backend = sqlite ? QStringLiteral("SQLite") : QStringLiteral("PostgreSQL");
    i.location = m_location;
    i.latestSchemaVersion = latestSchemaVersion();
    if (!q.exec(sqlite ? QStringLiteral("SELECT sqlite_version()")
                       : QStringLiteral("SHOW server_version")) ||
        !q.next()) {
        return tl::unexpected(
            dbError(QStringLiteral("Cannot query the store"), q.lastError(), m_location));
    }
    i.engineVersion = q.value(0).toString();
    const auto v = schemaVersion();
    if (!v) {
        return tl::unexpected(v.error());
    }
    i.schemaVersion = *v;
    if (sqlite) {
        if (!q.exec(QStringLiteral("PRAGMA journal_mode")) || !q.next()) {
            return tl::unexpected(
                dbError(QStringLiteral("Cannot query the store"), q.lastError(), m_location));
        }
        i.journalMode = q.value(0).toString();
    }
    return i;
}

Status Store::transaction(const std::function<Status()>& fn)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    const int depth = m_txDepth;
    const QString savepoint = QStringLiteral("certdeck_sp%1").arg(depth);
    // IMMEDIATE takes SQLite's write lock up front, so the busy timeout
    // applies instead of failing at the first write when another process
    // writes too.
    const QString begin = depth > 0                      ? QStringLiteral("SAVEPOINT ") + savepoint
                          : m_dialect == Dialect::Sqlite ? QStringLiteral("BEGIN IMMEDIATE")
                                                         : QStringLiteral("BEGIN");
    if (!q.exec(begin)) {
        // SQLITE_BUSY after the busy timeout: another process holds the write
        // lock (a long import in the console, say). Say so, not "locked".
        if (m_dialect == Dialect::Sqlite &&
            (q.lastError().nativeErrorCode() == QLatin1String("5") ||
             q.lastError().text().contains(QLatin1String("locked")))) {
            return fail(ErrorCode::Timeout,
                        QStringLiteral("The store stayed busy for %1 s: another CertDeck "
                                       "program is writing to it; try again")
                            .arg(internal::kSqliteBusyTimeoutMs / 1000),
                        m_location);
        }
        return tl::unexpected(
            dbError(QStringLiteral("Cannot start a transaction"), q.lastError(), m_location));
    }
    ++m_txDepth;
    Status result = fn();
    --m_txDepth;
    if (result) {
        const QString end =
            depth > 0 ? QStringLiteral("RELEASE SAVEPOINT ") + savepoint : QStringLiteral("COMMIT");
        if (q.exec(end)) {
            return {};
        }
        result = tl::unexpected(
            dbError(QStringLiteral("Cannot commit the change"), q.lastError(), m_location));
    }
    q.exec(depth > 0 ? QStringLiteral("ROLLBACK TO SAVEPOINT ") + savepoint
                     : QStringLiteral("ROLLBACK"));
    if (depth > 0) {
        q.exec(QStringLiteral("RELEASE SAVEPOINT ") + savepoint);
    }
    return result;
}

Status Store::mutate(const QString& action, const QString& subject,
                     const std::function<Status()>& fn)
{
    const bool outermost = m_txDepth == 0;
    Status s = transaction([&]() -> Status {
        if (auto r = fn(); !r) {
            return r;
        }
        return m_activity.audit(m_actor, action, subject, QStringLiteral("ok"));
    });
    // A busy store cannot take the refusal's line either; waiting for it
    // again would only double the user's wait.
    if (!s && outermost && s.error().code != ErrorCode::Timeout) {
        // Best effort: the refusal itself is worth a line, but must not hide
        // the original error.
        (void)transaction([&]() {
            return m_activity.audit(m_actor, action, subject, errorCodeName(s.error().code),
                                    s.error().message);
        });
    }
    return s;
}

} // namespace certdeck::inventory
