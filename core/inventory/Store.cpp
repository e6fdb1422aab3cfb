// SPDX-License-Identifier: GPL-3.0-or-later
#include "Store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>
#include <QVariant>

namespace certdeck::inventory {

namespace {

// Forward-only migrations; index i upgrades schema version i to i + 1.
// Never edit a released step: add a new one.
const QList<QStringList>& migrations()
{
    static const QList<QStringList> steps = {
        // 0 -> 1: the audit log, append-only (who, what, when, result).
        {
            QStringLiteral("CREATE TABLE audit_log ("
                           " id INTEGER PRIMARY KEY,"
                           " at_utc TEXT NOT NULL,"
                           " actor TEXT NOT NULL,"
                           " action TEXT NOT NULL,"
                           " subject TEXT NOT NULL DEFAULT '',"
                           " result TEXT NOT NULL,"
                           " detail TEXT NOT NULL DEFAULT '')"),
            QStringLiteral("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
                           " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"),
            QStringLiteral("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
                           " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"),
        },
    };
    return steps;
}

Error dbError(const QString& what, const QSqlError& e, const QString& where)
{
    return Error{ErrorCode::Database, what, where + QStringLiteral(": ") + e.text().trimmed()};
}

// SQLite files start with this 16-byte header; anything else is not ours to open.
bool looksLikeSqlite(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return false;
    }
    return f.read(16) == QByteArrayLiteral("SQLite format 3\0");
}

} // namespace

Store::Store(QString connectionName, QString location)
    : m_connectionName(std::move(connectionName))
    , m_location(std::move(location))
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
    return static_cast<int>(migrations().size());
}

Result<std::unique_ptr<Store>> Store::openSqlite(const QString& path)
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
        return fail(ErrorCode::Unsupported, QStringLiteral("Qt's SQLite driver is not installed"),
                    QStringLiteral("install the libqt6sql6-sqlite package"));
    }
    const QFileInfo fi(path);
    QDir dir = fi.absoluteDir();
    if (!dir.exists()) {
        if (!dir.mkpath(QStringLiteral("."))) {
            return fail(ErrorCode::Io, QStringLiteral("Cannot create the store's folder"),
                        dir.absolutePath());
        }
        QFile::setPermissions(dir.absolutePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                      QFileDevice::ExeOwner);
    }
    const bool existed = fi.exists();
    if (existed && fi.size() > 0 && !looksLikeSqlite(path)) {
        return fail(
            ErrorCode::Database,
            QStringLiteral("The store file is not an SQLite database; it was left as it is"),
            fi.absoluteFilePath());
    }
    if (!existed) {
        // Create the file 0600 before SQLite does, so no other user can read
        // even the first page.
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
            return fail(ErrorCode::Io, QStringLiteral("Cannot create the store file"),
                        fi.absoluteFilePath() + QStringLiteral(": ") + f.errorString());
        }
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }

    const QString name = QStringLiteral("certdeck-") + QUuid::createUuid().toString(QUuid::Id128);
    std::unique_ptr<Store> store(new Store(name, fi.absoluteFilePath()));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(fi.absoluteFilePath());
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        return tl::unexpected(dbError(QStringLiteral("Cannot open the store"), db.lastError(),
                                      fi.absoluteFilePath()));
    }
    QSqlQuery q(db);
    // A damaged file must fail here, before anything writes to it.
    if (!q.exec(QStringLiteral("PRAGMA quick_check")) || !q.next()) {
        return tl::unexpected(dbError(
            QStringLiteral("The store file is damaged or not a database; it was left as it is"),
            q.lastError(), fi.absoluteFilePath()));
    }
    if (q.value(0).toString() != QLatin1String("ok")) {
        return fail(ErrorCode::Database,
                    QStringLiteral("The store failed its integrity check; it was left as it is"),
                    fi.absoluteFilePath() + QStringLiteral(": ") + q.value(0).toString());
    }
    for (const char* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"}) {
        if (!q.exec(QString::fromLatin1(pragma))) {
            return tl::unexpected(dbError(QStringLiteral("Cannot configure the store"),
                                          q.lastError(), QString::fromLatin1(pragma)));
        }
    }
    if (auto m = store->migrate(); !m) {
        return tl::unexpected(m.error());
    }
    return store;
}

Result<StoreInfo> Store::inspectSqlite(const QString& path)
{
    auto store = openSqlite(path);
    if (!store) {
        return tl::unexpected(store.error());
    }
    return (*store)->info();
}

Status Store::migrate()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        return tl::unexpected(
            dbError(QStringLiteral("Cannot read the schema version"), q.lastError(), m_location));
    }
    const int current = q.value(0).toInt();
    const int latest = latestSchemaVersion();
    if (current > latest) {
        return fail(ErrorCode::Database,
                    QStringLiteral("The store was written by a newer CertDeck (schema %1; this "
                                   "build knows up to %2); it was left as it is")
                        .arg(current)
                        .arg(latest),
                    m_location);
    }
    for (int v = current; v < latest; ++v) {
        if (!db.transaction()) {
            return tl::unexpected(
                dbError(QStringLiteral("Cannot start a migration"), db.lastError(), m_location));
        }
        for (const QString& sql : migrations().at(v)) {
            if (!q.exec(sql)) {
                const Error e =
                    dbError(QStringLiteral("Schema migration %1 -> %2 failed").arg(v).arg(v + 1),
                            q.lastError(), sql.left(60));
                db.rollback();
                return tl::unexpected(e);
            }
        }
        if (!q.exec(QStringLiteral("PRAGMA user_version = %1").arg(v + 1)) || !db.commit()) {
            const Error e = dbError(QStringLiteral("Cannot record schema version %1").arg(v + 1),
                                    q.lastError(), m_location);
            db.rollback();
            return tl::unexpected(e);
        }
    }
    return {};
}

Result<QString> Store::integrityCheck() const
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA integrity_check"))) {
        return tl::unexpected(dbError(QStringLiteral("The integrity check failed to run"),
                                      q.lastError(), m_location));
    }
    QStringList lines;
    while (q.next()) {
        lines << q.value(0).toString();
    }
    return lines.join(u'\n');
}

Result<StoreInfo> Store::info() const
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    StoreInfo i;
    i.backend = QStringLiteral("SQLite");
    i.location = m_location;
    i.latestSchemaVersion = latestSchemaVersion();
    if (!q.exec(QStringLiteral("SELECT sqlite_version()")) || !q.next()) {
        return tl::unexpected(
            dbError(QStringLiteral("Cannot query the store"), q.lastError(), m_location));
    }
    i.engineVersion = q.value(0).toString();
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        return tl::unexpected(
            dbError(QStringLiteral("Cannot query the store"), q.lastError(), m_location));
    }
    i.schemaVersion = q.value(0).toInt();
    if (!q.exec(QStringLiteral("PRAGMA journal_mode")) || !q.next()) {
        return tl::unexpected(
            dbError(QStringLiteral("Cannot query the store"), q.lastError(), m_location));
    }
    i.journalMode = q.value(0).toString();
    return i;
}

} // namespace certdeck::inventory
