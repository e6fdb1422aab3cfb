// SPDX-License-Identifier: GPL-3.0-or-later
#include "PostgresFixture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>
#include <csignal>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certdeck::test {

namespace {

// libpq and the server tools read PG* variables (PGSSLMODE, PGPASSWORD,
// PGOPTIONS...): a developer's own settings must not leak into the fixture.
// LC_ALL=C keeps messages in English, which the fixture matches on.
QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QStringList keys = env.keys();
    for (const QString& key : keys) {
        if (key.startsWith(QLatin1String("PG")) || key.startsWith(QLatin1String("LC_"))) {
            env.remove(key);
        }
    }
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    env.insert(QStringLiteral("LANG"), QStringLiteral("C"));
    env.insert(QStringLiteral("PGCONNECT_TIMEOUT"), QStringLiteral("10"));
    return env;
}

struct RunAs
{
    bool enabled = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

// runTool() for the PostgreSQL tools: clean environment, and optionally run as
// another user (initdb refuses root). Dies with the test like a peer does.
int runPgTool(const QString& program, const QStringList& args, QByteArray* output,
              const RunAs& runAs = {}, int timeoutMs = 60000)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setProcessEnvironment(cleanEnvironment());
    p.setStandardInputFile(QProcess::nullDevice());
    p.setChildProcessModifier([runAs] {
        if (runAs.enabled) {
            if (::setgroups(0, nullptr) != 0 || ::setgid(runAs.gid) != 0 ||
                ::setuid(runAs.uid) != 0) {
                ::_exit(126);
            }
        }
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        if (output != nullptr) {
            *output = p.errorString().toUtf8();
        }
        return -1;
    }
    const bool finished = p.waitForFinished(timeoutMs);
    if (output != nullptr) {
        *output = p.readAll();
    }
    if (!finished) {
        p.kill();
        p.waitForFinished(5000);
        if (output != nullptr) {
            output->append("\n(timed out)");
        }
        return -1;
    }
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

struct ProcStat
{
    qint64 pid = 0;
    qint64 ppid = 0;
    QByteArray startTime; // field 22, tells a reused PID apart
};

bool readProcStat(qint64 pid, ProcStat* out)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return false;
    }
    const QByteArray line = f.readAll();
    // The command name (field 2) may hold spaces and parentheses: fields
    // resume after the last ')'.
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0) {
        return false;
    }
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, starttime field 22.
    if (fields.size() < 20) {
        return false;
    }
    out->pid = pid;
    out->ppid = fields.at(1).toLongLong();
    out->startTime = fields.at(19);
    return true;
}

QList<ProcStat> childrenOf(qint64 parent)
{
    QList<ProcStat> result;
    if (parent <= 0) {
        return result;
    }
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString& entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        ProcStat st;
        if (ok && readProcStat(pid, &st) && st.ppid == parent) {
            result.append(st);
        }
    }
    return result;
}

bool sameProcessAlive(const ProcStat& st)
{
    ProcStat now;
    return readProcStat(st.pid, &now) && now.startTime == st.startTime;
}

} // namespace

PostgresFixture::PostgresFixture()
    : m_process(QStringLiteral("postgres"), m_dir.filePath(QStringLiteral("postgres.log")))
{
    m_process.setStopSignal(SIGINT);
    m_process.setEnvironment(cleanEnvironment());
    m_process.setWorkingDirectory(m_dir.path());
}

PostgresFixture::~PostgresFixture()
{
    stop();
}

QString PostgresFixture::binDir()
{
    const QString env = qEnvironmentVariable("CERTDECK_PG_BINDIR");
    return env.isEmpty() ? QStringLiteral("/usr/lib/postgresql/15/bin") : env;
}

QString PostgresFixture::url(const QString& database) const
{
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(user(), host())
        .arg(m_port)
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(database)));
}

bool PostgresFixture::prepareDirs()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("could not create the fixture folder");
        return false;
    }
    m_switchUser = ::geteuid() == 0;
    if (m_switchUser) {
        const passwd* pw = ::getpwnam("nobody");
        if (pw == nullptr) {
            m_error = QStringLiteral("running as root, but there is no user 'nobody' to run "
                                     "initdb and postgres as");
            return false;
        }
        const group* gr = ::getgrnam("nogroup");
        m_uid = pw->pw_uid;
        m_gid = gr != nullptr ? gr->gr_gid : pw->pw_gid;
    } else {
        m_uid = ::geteuid();
        m_gid = ::getegid();
    }
    // QTemporaryDir makes the folder 0700 for root: the server's user has to
    // pass through it to reach its own data and socket folders.
    if (m_switchUser && ::chmod(QFile::encodeName(m_dir.path()).constData(), 0711) != 0) {
        m_error = QStringLiteral("chmod 0711 %1 failed").arg(m_dir.path());
        return false;
    }
    for (const QString& sub : {dataDir(), socketDir()}) {
        const QByteArray path = QFile::encodeName(sub);
        if (!QDir().mkpath(sub) || ::chown(path.constData(), m_uid, m_gid) != 0 ||
            ::chmod(path.constData(), 0700) != 0) {
            m_error = QStringLiteral("could not create %1 owned by uid %2 with mode 0700")
                          .arg(sub)
                          .arg(m_uid);
            return false;
        }
    }
    return true;
}

bool PostgresFixture::initCluster()
{
    if (m_initialized) {
        return true;
    }
    if (!prepareDirs()) {
        return false;
    }
    RunAs runAs;
    runAs.enabled = m_switchUser;
    runAs.uid = m_uid;
    runAs.gid = m_gid;
    QByteArray out;
    // Trust authentication: the server only listens on 127.0.0.1 and in our
    // own socket folder, and tests must not carry passwords around.
    const int rc =
        runPgTool(binDir() + QStringLiteral("/initdb"),
                  {QStringLiteral("-D"), dataDir(), QStringLiteral("-A"), QStringLiteral("trust"),
                   QStringLiteral("-U"), user(), QStringLiteral("-E"), QStringLiteral("UTF8"),
                   QStringLiteral("--locale=C"), QStringLiteral("--no-sync"),
                   QStringLiteral("--no-instructions")},
                  &out, runAs);
    m_dir.write(QStringLiteral("initdb.log"), out);
    if (rc != 0) {
        m_error = QStringLiteral("initdb -D %1 (as uid %2) failed with %3; it printed:\n%4")
                      .arg(dataDir())
                      .arg(m_uid)
                      .arg(rc)
                      .arg(QString::fromUtf8(out.right(3000)));
        return false;
    }
    m_initialized = true;
    return true;
}

bool PostgresFixture::startOnce(quint16 port)
{
    // One log per start, so that waiting for "ready" never matches an earlier
    // run's line; earlier logs stay next to it for a post-mortem.
    const QString logPath = m_dir.filePath(QStringLiteral("postgres.log"));
    if (QFileInfo::exists(logPath)) {
        QFile::rename(logPath, m_dir.filePath(QStringLiteral("postgres-%1.log").arg(m_starts)));
    }
    ++m_starts;
    if (m_switchUser) {
        m_process.setRunAs(m_uid, m_gid);
    }
    const QString clusterName = QFileInfo(m_dir.path()).fileName();
    const auto opt = [](const QString& setting) {
        return QStringList{QStringLiteral("-c"), setting};
    };
    QStringList args{QStringLiteral("-D"), dataDir(),  QStringLiteral("-p"), QString::number(port),
                     QStringLiteral("-k"), socketDir()};
    // TCP on 127.0.0.1 only; Unix socket only in socketDir(). cluster_name puts
    // "certdeck-fixture-..." into every child's process title. mmap'd dynamic
    // shared memory lives in the data folder instead of /dev/shm.
    for (const QString& s :
         {QStringLiteral("listen_addresses=127.0.0.1"),
          QStringLiteral("cluster_name=") + clusterName, QStringLiteral("fsync=off"),
          QStringLiteral("synchronous_commit=off"), QStringLiteral("full_page_writes=off"),
          QStringLiteral("shared_buffers=16MB"), QStringLiteral("max_connections=40"),
          QStringLiteral("dynamic_shared_memory_type=mmap"),
          QStringLiteral("logging_collector=off"), QStringLiteral("log_destination=stderr"),
          QStringLiteral("ssl=off")}) {
        args += opt(s);
    }
    m_port = port;
    if (!m_process.start(binDir() + QStringLiteral("/postgres"), args)) {
        m_error = m_process.errorString();
        return false;
    }
    if (!m_process.waitForLog("database system is ready to accept connections") ||
        !m_process.waitForPort(port)) {
        m_error = m_process.errorString();
        stop();
        return false;
    }
    QByteArray out;
    if (!runSql(QStringLiteral("select 1"), QStringLiteral("postgres"), &out) ||
        out.trimmed() != "1") {
        m_error =
            QStringLiteral("postgres on 127.0.0.1:%1 did not answer 'select 1' (%2); its "
                           "log ends with:\n%3")
                .arg(port)
                .arg(QString::fromUtf8(out),
                     QString::fromUtf8(fileTail(m_dir.filePath(QStringLiteral("postgres.log")))));
        stop();
        return false;
    }
    return true;
}

bool PostgresFixture::start()
{
    stop();
    m_error.clear();
    if (!initCluster()) {
        return false;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        // A restart keeps the port clients were given, if it is still free.
        const quint16 port = (attempt == 0 && m_port != 0) ? m_port : freeLoopbackPort();
        if (startOnce(port)) {
            return true;
        }
        if (!m_error.contains(QLatin1String("Address already in use"))) {
            return false;
        }
    }
    return false;
}

QList<qint64> PostgresFixture::childPids() const
{
    QList<qint64> pids;
    for (const ProcStat& st : childrenOf(m_process.pid())) {
        pids.append(st.pid);
    }
    return pids;
}

void PostgresFixture::stop()
{
    const QList<ProcStat> children = childrenOf(m_process.pid());
    // Fast shutdown: the postmaster ends its backends and exits after them.
    m_process.stop();
    // Its children left the postmaster's process group (setsid), so the
    // group kill in PeerProcess::stop misses them. They exit by themselves when
    // the postmaster dies; make sure of it, by PID, if it had to be killed.
    bool gone = waitUntil(
        [&children] {
            for (const ProcStat& st : children) {
                if (sameProcessAlive(st)) {
                    return false;
                }
            }
            return true;
        },
        children.isEmpty() ? 0 : 5000);
    if (!gone) {
        for (const ProcStat& st : children) {
            if (sameProcessAlive(st)) {
                ::kill(static_cast<pid_t>(st.pid), SIGKILL);
            }
        }
    }
}

bool PostgresFixture::runSql(const QString& sql, const QString& database, QByteArray* output)
{
    QByteArray out;
    const int rc = runPgTool(binDir() + QStringLiteral("/psql"),
                             {QStringLiteral("-X"), QStringLiteral("-At"), QStringLiteral("-v"),
                              QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-h"), host(),
                              QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-U"),
                              user(), QStringLiteral("-d"), database, QStringLiteral("-c"), sql},
                             &out, {}, 30000);
    if (output != nullptr) {
        *output = out;
    }
    return rc == 0;
}

bool PostgresFixture::createDatabase(const QString& name)
{
    QString quoted = name;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    QByteArray out;
    if (!runSql(QStringLiteral("CREATE DATABASE \"%1\"").arg(quoted), user(), &out)) {
        m_error = QStringLiteral("CREATE DATABASE \"%1\" on 127.0.0.1:%2 failed: %3")
                      .arg(name)
                      .arg(m_port)
                      .arg(QString::fromUtf8(out.trimmed()));
        return false;
    }
    return true;
}

} // namespace certdeck::test
