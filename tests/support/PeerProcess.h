// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <functional>
#include <memory>
#include <optional>
#include <sys/types.h>

namespace certdeck::test {

/// A free TCP port on 127.0.0.1, found by binding port 0 and closing again.
/// Another process may take it before the peer binds: fixtures retry start.
[[nodiscard]] quint16 freeLoopbackPort();

/// A TCP port free on every one of `addresses` (loopback ones: 127.0.0.2,
/// ::1...), for peers that stand for several nodes on one port; 0 if none
/// was found in a few tries.
[[nodiscard]] quint16 freePortOnAll(const QList<QHostAddress>& addresses);

/// Polls `condition` with the event loop running (as QTRY_ does) until it
/// holds or `timeoutMs` passes.
[[nodiscard]] bool waitUntil(const std::function<bool()>& condition, int timeoutMs);

/// True when a TCP connection to 127.0.0.1:port is accepted.
[[nodiscard]] bool tcpPortAnswers(quint16 port);
/// True when a TCP connection to address:port is accepted.
[[nodiscard]] bool tcpPortAnswers(const QHostAddress& address, quint16 port);

/// Runs a short command to completion (openssl, dig, psql...); `output` gets
/// stdout and stderr merged. Returns the exit code, or -1 if it did not run
/// or exceeded `timeoutMs`.
int runTool(const QString& program, const QStringList& args, QByteArray* output = nullptr,
            int timeoutMs = 60000, const QString& workDir = {}, const QByteArray& stdinData = {});

/// Writes a secret (a key, a password) to `path`, readable by its owner
/// only: the mode is set before the data goes in. False on failure.
bool writePrivateFile(const QString& path, const QByteArray& data);

/// The last `bytes` of a file (a peer's log), empty if unreadable.
[[nodiscard]] QByteArray fileTail(const QString& path, qint64 bytes = 3000);

/// One peer server started by a test: its own process group, output to a log
/// file in the fixture's folder, killed with the test process if that dies
/// (PR_SET_PDEATHSIG), stopped by PID at teardown.
class PeerProcess
{
public:
    explicit PeerProcess(QString name, QString logPath);
    ~PeerProcess();
    PeerProcess(const PeerProcess&) = delete;
    PeerProcess& operator=(const PeerProcess&) = delete;

    /// Signal for a clean stop (SIGTERM by default; PostgreSQL wants SIGINT).
    void setStopSignal(int sig) { m_stopSignal = sig; }
    /// Runs the peer as this user and group (root runs postgres as nobody).
    void setRunAs(uid_t uid, gid_t gid) { m_runAs = std::make_pair(uid, gid); }
    void setWorkingDirectory(const QString& dir) { m_workDir = dir; }
    void setEnvironment(const QProcessEnvironment& env) { m_env = env; }
    /// The peer reads this file as its standard input (default: nothing).
    void setStandardInputFile(const QString& path) { m_stdinFile = path; }

    [[nodiscard]] bool start(const QString& program, const QStringList& args);
    /// Waits until 127.0.0.1:port accepts, failing early if the peer exits.
    [[nodiscard]] bool waitForPort(quint16 port, int timeoutMs = 15000);
    /// Waits until address:port accepts, failing early if the peer exits.
    [[nodiscard]] bool waitForPort(const QHostAddress& address, quint16 port,
                                   int timeoutMs = 15000);
    /// Waits until the log contains `needle`, failing early if the peer exits.
    [[nodiscard]] bool waitForLog(const QByteArray& needle, int timeoutMs = 15000);
    /// Stops the peer: stop signal to its PID, then SIGKILL to its process
    /// group after a grace period. Idempotent.
    void stop(int graceMs = 10000);

    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] qint64 pid() const { return m_pid; }
    [[nodiscard]] QByteArray log() const;
    /// Why start or a wait failed, with the log's tail as evidence.
    [[nodiscard]] QString errorString() const { return m_error; }

private:
    QString m_name;
    QString m_logPath;
    QString m_workDir;
    QString m_stdinFile;
    std::optional<QProcessEnvironment> m_env;
    std::optional<std::pair<uid_t, gid_t>> m_runAs;
    int m_stopSignal;
    std::unique_ptr<QProcess> m_process;
    qint64 m_pid = 0;
    QString m_error;
};

/// A fixture's temporary folder, removed at teardown; CERTDECK_KEEP_FIXTURES=1
/// keeps it for a post-mortem. Its path starts with the prefix that the
/// leftover-process check looks for.
class FixtureDir
{
public:
    FixtureDir();
    [[nodiscard]] bool isValid() const { return m_dir.isValid(); }
    [[nodiscard]] QString path() const { return m_dir.path(); }
    [[nodiscard]] QString filePath(const QString& name) const { return m_dir.filePath(name); }
    /// Writes `data` to `name` inside the folder; false on failure.
    bool write(const QString& name, const QByteArray& data) const;

private:
    QTemporaryDir m_dir;
};

} // namespace certdeck::test
