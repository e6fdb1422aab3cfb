// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerProcess.h"

#include <QList>
#include <sys/types.h>

namespace certdeck::test {

/// A real PostgreSQL 15 server on a free 127.0.0.1 port, its cluster (initdb,
/// trust authentication, superuser "postgres", UTF8, locale C) in its own
/// FixtureDir. It listens on no other address, its Unix socket and every file
/// it writes stay in that folder, and no password is needed.
///
/// initdb and postgres refuse to run as root: as root both run as nobody/nogroup
/// (the data and socket folders are given to that user), otherwise as the
/// current user. `postgres` is the fixture's direct child (no pg_ctl), stopped
/// by PID with SIGINT (fast shutdown) in stop() and in the destructor. Its
/// children carry the FixtureDir's name in their process titles (cluster_name)
/// so the leftover check sees them too.
class PostgresFixture
{
public:
    PostgresFixture();
    ~PostgresFixture();
    PostgresFixture(const PostgresFixture&) = delete;
    PostgresFixture& operator=(const PostgresFixture&) = delete;

    /// Runs initdb on the first call, then starts the server and returns once it
    /// listens on 127.0.0.1:port() and has answered `select 1`. Retries on a
    /// port taken meanwhile. After stop() it restarts on the same data, trying
    /// the same port first. On failure errorString() carries the log's tail.
    [[nodiscard]] bool start();
    /// Fast shutdown by PID; afterwards neither the server nor any of its
    /// backends is running. Idempotent.
    void stop();

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] static QString host() { return QStringLiteral("127.0.0.1"); }
    /// The superuser initdb created; trust authentication, no password.
    [[nodiscard]] static QString user() { return QStringLiteral("postgres"); }
    /// postgresql://postgres@127.0.0.1:PORT/DBNAME
    [[nodiscard]] QString url(const QString& database = QStringLiteral("postgres")) const;

    /// CREATE DATABASE `name` (owner postgres); false with errorString() set
    /// when psql reports an error.
    [[nodiscard]] bool createDatabase(const QString& name);
    /// Runs `sql` with psql -X -At -v ON_ERROR_STOP=1 in `database`; `output`
    /// gets psql's stdout and stderr. True when psql exits with 0.
    bool runSql(const QString& sql, const QString& database = QStringLiteral("postgres"),
                QByteArray* output = nullptr);

    [[nodiscard]] QString dir() const { return m_dir.path(); }
    [[nodiscard]] QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }
    [[nodiscard]] QString socketDir() const { return m_dir.filePath(QStringLiteral("run")); }
    /// The postmaster's PID, 0 when not running.
    [[nodiscard]] qint64 pid() const { return m_process.pid(); }
    /// PIDs of the postmaster's current children (checkpointer, backends...).
    /// They leave its process group (setsid), so stop() ends them by PID.
    [[nodiscard]] QList<qint64> childPids() const;
    [[nodiscard]] QString errorString() const { return m_error; }

    /// Folder with initdb, postgres and psql (CERTDECK_PG_BINDIR overrides
    /// /usr/lib/postgresql/15/bin).
    [[nodiscard]] static QString binDir();

private:
    bool prepareDirs();
    bool initCluster();
    bool startOnce(quint16 port);

    FixtureDir m_dir;
    PeerProcess m_process;
    uid_t m_uid = 0;
    gid_t m_gid = 0;
    bool m_switchUser = false;
    bool m_initialized = false;
    int m_starts = 0;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace certdeck::test
