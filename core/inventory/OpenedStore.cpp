// SPDX-License-Identifier: GPL-3.0-or-later
// The one place that opens a store location: file checks, integrity check and
// migrations once per process, then plain connections per thread.
#include "OpenedStore.h"

#include "Store.h"
#include "internal/Migrations.h"
#include "internal/SqlSupport.h"
#include "inventory/internal/Log.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSqlDatabase>
#include <QThread>
#include <QUrl>
#include <QUuid>
#include <atomic>
#include <mutex>

namespace certdeck::inventory {

using internal::dbError;
using internal::Dialect;

struct OpenedStore::Settings
{
    Dialect dialect = Dialect::Sqlite;
    /// The absolute file path, or user@host:port/db: the registry's key and
    /// what errors and StoreInfo name.
    QString location;
    // PostgreSQL only; the password may be empty (libpq's PGPASSWORD, ~/.pgpass).
    QString host;
    int port = 0;
    QString user;
    QString password;
    QString database;
};

namespace {

std::atomic<int> g_fullOpens{0};

// Guards the registry, and serialises full opens: a second thread opening the
// same location waits for the first one's checks, then only connects.
std::mutex& registryMutex()
{
    static std::mutex m;
    return m;
}

QHash<QString, std::weak_ptr<const OpenedStore>>& registry()
{
    static QHash<QString, std::weak_ptr<const OpenedStore>> entries;
    return entries;
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

bool isPostgresUrl(const QString& location)
{
    return location.startsWith(QLatin1String("postgresql://")) ||
           location.startsWith(QLatin1String("postgres://"));
}

QString newConnectionName()
{
    return QStringLiteral("certdeck-") + QUuid::createUuid().toString(QUuid::Id128);
}

Result<QString> sqlitePath(const QString& location)
{
    QString path = location;
    if (path.startsWith(QLatin1String("sqlite:"))) {
        path = path.mid(7);
        if (path.startsWith(QLatin1String("//"))) {
            path = path.mid(2);
        }
    }
    if (path.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No store location given"),
                    QStringLiteral("use --db PATH or postgresql://user@host:port/db"));
    }
    return path;
}

// The folder (0700) and the file (0600) of a new SQLite store; a file that is
// not a database is refused before SQLite touches it.
Status prepareSqliteFile(const QString& path, bool* existed)
{
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
    *existed = fi.exists();
    if (*existed && fi.size() > 0 && !looksLikeSqlite(path)) {
        return fail(
            ErrorCode::Database,
            QStringLiteral("The store file is not an SQLite database; it was left as it is"),
            fi.absoluteFilePath());
    }
    if (!*existed) {
        // Create the file 0600 before SQLite does, so no other user can read
        // even the first page.
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
            return fail(ErrorCode::Io, QStringLiteral("Cannot create the store file"),
                        fi.absoluteFilePath() + QStringLiteral(": ") + f.errorString());
        }
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    return {};
}

} // namespace

OpenedStore::OpenedStore(std::unique_ptr<Settings> settings)
    : m_settings(std::move(settings))
{}

// Out of line: Settings is complete only here.
OpenedStore::~OpenedStore() = default;

QString OpenedStore::location() const
{
    return m_settings->location;
}

int OpenedStore::fullOpenCount()
{
    return g_fullOpens.load();
}

Result<std::unique_ptr<Store>> OpenedStore::connectTo(const QString& location)
{
    return acquire(location, Kind::Auto);
}

Result<std::unique_ptr<Store>> OpenedStore::acquire(const QString& location, Kind kind)
{
    auto settings = std::make_unique<Settings>();
    if (kind == Kind::Postgres || (kind == Kind::Auto && isPostgresUrl(location))) {
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
            return fail(ErrorCode::Unsupported,
                        QStringLiteral("Qt's PostgreSQL driver is not installed"),
                        QStringLiteral("install the libqt6sql6-psql package"));
        }
        const QUrl url(location, QUrl::StrictMode);
        const QString database = url.path().mid(1);
        if (!url.isValid() || url.host().isEmpty() || database.isEmpty() ||
            database.contains(u'/')) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("Not a PostgreSQL URL of the form postgresql://user@host:port/db"),
                url.toString(QUrl::RemovePassword));
        }
        settings->dialect = Dialect::Postgres;
        settings->host = url.host();
        settings->port = url.port(5432);
        settings->user = url.userName().isEmpty() ? Store::osUserName() : url.userName();
        settings->password = url.password();
        settings->database = database;
        settings->location = QStringLiteral("%1@%2:%3/%4")
                                 .arg(settings->user, settings->host)
                                 .arg(settings->port)
                                 .arg(database);
    } else {
        auto path = kind == Kind::Sqlite ? Result<QString>(location) : sqlitePath(location);
        if (!path) {
            return tl::unexpected(path.error());
        }
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
            return fail(ErrorCode::Unsupported,
                        QStringLiteral("Qt's SQLite driver is not installed"),
                        QStringLiteral("install the libqt6sql6-sqlite package"));
        }
        settings->dialect = Dialect::Sqlite;
        settings->location = QFileInfo(*path).absoluteFilePath();
    }

    std::unique_lock lock(registryMutex());
    auto& entries = registry();
    for (auto it = entries.begin(); it != entries.end();) {
        it = it->expired() ? entries.erase(it) : std::next(it);
    }
    if (const auto live = entries.value(settings->location).lock()) {
        lock.unlock();
        return live->connect();
    }

    // The full open, once per process while the location stays open.
    g_fullOpens.fetch_add(1);
    bool existed = true;
    if (settings->dialect == Dialect::Sqlite) {
        if (auto s = prepareSqliteFile(settings->location, &existed); !s) {
            return tl::unexpected(s.error());
        }
    }
    std::shared_ptr<const OpenedStore> opened(new OpenedStore(std::move(settings)));
    auto store = opened->newConnection(true);
    if (!store) {
        return store;
    }
    if (auto m = (*store)->migrate(); !m) {
        return tl::unexpected(m.error());
    }
    entries.insert(opened->location(), opened);
    qCDebug(lcInventory).noquote()
        << (opened->m_settings->dialect == Dialect::Postgres ? "opened PostgreSQL store"
            : existed                                        ? "opened SQLite store"
                                                             : "created SQLite store")
        << opened->location() << "(checked and migrated once for this process)";
    return store;
}

Result<std::unique_ptr<Store>> OpenedStore::connect() const
{
    auto store = newConnection(false);
    if (store) {
        qCDebug(lcInventory).noquote()
            << "new connection to" << location() << "for thread"
            << QThread::currentThread()->objectName() << "(already checked, no migrations)";
    }
    return store;
}

Result<std::unique_ptr<Store>> OpenedStore::newConnection(bool check) const
{
    const Settings& s = *m_settings;
    const QString name = newConnectionName();
    std::unique_ptr<Store> store(new Store(name, shared_from_this(), s.location, s.dialect));
    if (s.dialect == Dialect::Sqlite) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(s.location);
        db.setConnectOptions(
            QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(internal::kSqliteBusyTimeoutMs));
        if (!db.open()) {
            return tl::unexpected(
                dbError(QStringLiteral("Cannot open the store"), db.lastError(), s.location));
        }
        QSqlQuery q(db);
        // A damaged file must fail here, before anything writes to it.
        if (check && (!q.exec(QStringLiteral("PRAGMA quick_check")) || !q.next())) {
            return tl::unexpected(dbError(
                QStringLiteral("The store file is damaged or not a database; it was left as it is"),
                q.lastError(), s.location));
        }
        if (check && q.value(0).toString() != QLatin1String("ok")) {
            return fail(
                ErrorCode::Database,
                QStringLiteral("The store failed its integrity check; it was left as it is"),
                s.location + QStringLiteral(": ") + q.value(0).toString());
        }
        q.finish();
        // Foreign keys and synchronous are per connection; WAL is kept in the
        // file, and asking again is a no-op.
        for (const char* pragma :
             {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"}) {
            if (!q.exec(QString::fromLatin1(pragma))) {
                return tl::unexpected(dbError(QStringLiteral("Cannot configure the store"),
                                              q.lastError(), QString::fromLatin1(pragma)));
            }
        }
        return store;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(s.host);
    db.setPort(s.port);
    db.setUserName(s.user);
    if (!s.password.isEmpty()) {
        db.setPassword(s.password);
    }
    db.setDatabaseName(s.database);
    db.setConnectOptions(QStringLiteral("connect_timeout=10;application_name=certdeck"));
    // `location` has no password.
    qCDebug(lcInventory).noquote() << "connecting to PostgreSQL store" << s.location;
    if (!db.open()) {
        return tl::unexpected(dbError(QStringLiteral("Cannot connect to the PostgreSQL store"),
                                      db.lastError(), s.location));
    }
    QSqlQuery q(db);
    // Times are stored as text; keep the session in UTC so server-side
    // defaults and comparisons agree with it.
    // client_min_messages: libpq prints NOTICEs ("already exists, skipping")
    // on stderr, which is the CLI's progress channel.
    if (!q.exec(QStringLiteral("SET TIME ZONE 'UTC'")) ||
        !q.exec(QStringLiteral("SET client_min_messages = warning"))) {
        return tl::unexpected(
            dbError(QStringLiteral("Cannot configure the store"), q.lastError(), s.location));
    }
    return store;
}

} // namespace certdeck::inventory
