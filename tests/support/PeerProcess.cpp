// SPDX-License-Identifier: GPL-3.0-or-later
#include "PeerProcess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <csignal>
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace certdeck::test {

quint16 freeLoopbackPort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    return s.serverPort();
}

bool waitUntil(const std::function<bool()>& condition, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired()) {
            return condition();
        }
        QTest::qWait(25);
    }
    return true;
}

bool tcpPortAnswers(quint16 port)
{
    return tcpPortAnswers(QHostAddress(QHostAddress::LocalHost), port);
}

bool tcpPortAnswers(const QHostAddress& address, quint16 port)
{
    QTcpSocket sock;
    sock.connectToHost(address, port);
    const bool ok = sock.waitForConnected(1000);
    sock.abort();
    return ok;
}

quint16 freePortOnAll(const QList<QHostAddress>& addresses)
{
    if (addresses.isEmpty()) {
        return 0;
    }
    for (int attempt = 0; attempt < 20; ++attempt) {
        QTcpServer first;
        if (!first.listen(addresses.constFirst(), 0)) {
            return 0;
        }
        const quint16 port = first.serverPort();
        bool freeEverywhere = true;
        for (qsizetype i = 1; i < addresses.size() && freeEverywhere; ++i) {
            QTcpServer other;
            freeEverywhere = other.listen(addresses.at(i), port);
        }
        if (freeEverywhere) {
            return port;
        }
    }
    return 0;
}

int runTool(const QString& program, const QStringList& args, QByteArray* output, int timeoutMs,
            const QString& workDir, const QByteArray& stdinData)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    if (!workDir.isEmpty()) {
        p.setWorkingDirectory(workDir);
    }
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        if (output != nullptr) {
            *output = p.errorString().toUtf8();
        }
        return -1;
    }
    if (!stdinData.isEmpty()) {
        p.write(stdinData);
    }
    p.closeWriteChannel();
    const bool finished = p.waitForFinished(timeoutMs);
    if (output != nullptr) {
        *output = p.readAll();
    }
    if (!finished) {
        p.kill();
        p.waitForFinished(5000);
        return -1;
    }
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

QByteArray fileTail(const QString& path, qint64 bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    if (f.size() > bytes) {
        f.seek(f.size() - bytes);
    }
    return f.readAll();
}

PeerProcess::PeerProcess(QString name, QString logPath)
    : m_name(std::move(name))
    , m_logPath(std::move(logPath))
    , m_stopSignal(SIGTERM)
{}

PeerProcess::~PeerProcess()
{
    stop();
}

bool PeerProcess::start(const QString& program, const QStringList& args)
{
    stop();
    m_error.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(program);
    m_process->setArguments(args);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(m_logPath, QIODevice::Append);
    m_process->setStandardInputFile(m_stdinFile.isEmpty() ? QProcess::nullDevice() : m_stdinFile);
    if (!m_workDir.isEmpty()) {
        m_process->setWorkingDirectory(m_workDir);
    }
    if (m_env) {
        m_process->setProcessEnvironment(*m_env);
    }
    const pid_t parent = ::getpid();
    const auto runAs = m_runAs;
    m_process->setChildProcessModifier([parent, runAs] {
        // Its own process group, so teardown can end the peer's children too.
        ::setpgid(0, 0);
        if (runAs) {
            if (::setgroups(0, nullptr) != 0 || ::setgid(runAs->second) != 0 ||
                ::setuid(runAs->first) != 0) {
                ::_exit(126);
            }
        }
        // After any credential change (which clears it): die with the test.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(125);
        }
    });
    m_process->start();
    if (!m_process->waitForStarted(10000)) {
        m_error = QStringLiteral("%1 did not start: %2").arg(m_name, m_process->errorString());
        m_process.reset();
        return false;
    }
    m_pid = m_process->processId();
    return true;
}

bool PeerProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QByteArray PeerProcess::log() const
{
    return fileTail(m_logPath, 1 << 20);
}

bool PeerProcess::waitForPort(quint16 port, int timeoutMs)
{
    return waitForPort(QHostAddress(QHostAddress::LocalHost), port, timeoutMs);
}

bool PeerProcess::waitForPort(const QHostAddress& address, quint16 port, int timeoutMs)
{
    bool exited = false;
    const bool ok = waitUntil(
        [&] {
            if (!isRunning()) {
                exited = true;
                return true;
            }
            return tcpPortAnswers(address, port);
        },
        timeoutMs);
    if (ok && !exited) {
        return true;
    }
    m_error = QStringLiteral("%1 %2 on %3 port %4; its log ends with:\n%5")
                  .arg(m_name,
                       exited ? QStringLiteral("exited before answering")
                              : QStringLiteral("did not answer in time"),
                       address.toString())
                  .arg(port)
                  .arg(QString::fromUtf8(fileTail(m_logPath)));
    return false;
}

bool PeerProcess::waitForLog(const QByteArray& needle, int timeoutMs)
{
    bool exited = false;
    const bool ok = waitUntil(
        [&] {
            if (log().contains(needle)) {
                return true;
            }
            if (!isRunning()) {
                exited = true;
                return true;
            }
            return false;
        },
        timeoutMs);
    if (ok && !exited) {
        return true;
    }
    m_error = QStringLiteral("%1 %2 '%3'; its log ends with:\n%4")
                  .arg(m_name,
                       exited ? QStringLiteral("exited before logging")
                              : QStringLiteral("did not log in time"),
                       QString::fromUtf8(needle), QString::fromUtf8(fileTail(m_logPath)));
    return false;
}

void PeerProcess::stop(int graceMs)
{
    if (!m_process) {
        return;
    }
    const pid_t pid = static_cast<pid_t>(m_pid);
    if (m_process->state() == QProcess::Running && pid > 0) {
        ::kill(pid, m_stopSignal);
        if (!m_process->waitForFinished(graceMs)) {
            ::kill(-pid, SIGKILL);
            m_process->waitForFinished(5000);
        }
    }
    // Children the peer left behind in its group (workers, sessions).
    if (pid > 0) {
        ::kill(-pid, SIGKILL);
    }
    m_process.reset();
    m_pid = 0;
}

bool writePrivateFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        return false;
    }
    return f.write(data) == data.size();
}

FixtureDir::FixtureDir()
    : m_dir(QDir::tempPath() + QStringLiteral("/certdeck-fixture-XXXXXX"))
{
    if (qEnvironmentVariableIntValue("CERTDECK_KEEP_FIXTURES") == 1) {
        m_dir.setAutoRemove(false);
    }
}

bool FixtureDir::write(const QString& name, const QByteArray& data) const
{
    QFile f(filePath(name));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    return f.write(data) == data.size();
}

} // namespace certdeck::test
