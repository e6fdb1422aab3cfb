// SPDX-License-Identifier: GPL-3.0-or-later
#include "SshdFixture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <csignal>
#include <pwd.h>
#include <unistd.h>

namespace certdeck::test {

namespace {

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Every process below `root` (children first in the list, then theirs).
/// sshd's session processes call setsid(), so killing sshd's process group
/// misses them; their parent links are what ties them to the fixture.
QList<pid_t> descendantsOf(pid_t root)
{
    QHash<pid_t, QList<pid_t>> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString& entry : entries) {
        bool isPid = false;
        const pid_t pid = static_cast<pid_t>(entry.toInt(&isPid));
        if (!isPid) {
            continue;
        }
        // The command name in /proc/PID/stat may hold spaces and ')': the
        // fields we want follow the last ')'.
        const QByteArray stat = readFile(QStringLiteral("/proc/%1/stat").arg(pid));
        const qsizetype close = stat.lastIndexOf(')');
        if (close < 0) {
            continue;
        }
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        if (fields.size() > 1) {
            children[static_cast<pid_t>(fields.at(1).toInt())].append(pid);
        }
    }
    QList<pid_t> result;
    QList<pid_t> queue{root};
    while (!queue.isEmpty()) {
        const QList<pid_t> next = children.value(queue.takeFirst());
        result.append(next);
        queue.append(next);
    }
    return result;
}

QString currentUser()
{
    const passwd* pw = ::getpwuid(::geteuid());
    return pw != nullptr ? QString::fromLocal8Bit(pw->pw_name) : QString();
}

/// Double quotes keep a path with spaces one argument for sshd, ssh and libssh.
QString quoted(const QString& path)
{
    return u'"' + path + u'"';
}

} // namespace

SshdFixture::SshdFixture()
    : m_process(QStringLiteral("sshd"), m_dir.filePath(QStringLiteral("sshd.log")))
    , m_user(currentUser())
{}

SshdFixture::~SshdFixture()
{
    stop();
}

QString SshdFixture::binary()
{
    const QString env = qEnvironmentVariable("CERTDECK_SSHD");
    return env.isEmpty() ? QStringLiteral("/usr/sbin/sshd") : env;
}

bool SshdFixture::keygen(const QStringList& args, QByteArray* output)
{
    QByteArray out;
    const int rc = runTool(QStringLiteral("ssh-keygen"), args, &out, 30000, m_dir.path());
    if (output != nullptr) {
        *output = out;
    }
    if (rc != 0) {
        m_error = QStringLiteral("ssh-keygen %1 failed (exit %2): %3")
                      .arg(args.join(u' '))
                      .arg(rc)
                      .arg(QString::fromUtf8(out));
        return false;
    }
    return true;
}

bool SshdFixture::makeHostKey()
{
    // ssh-keygen asks before overwriting, and nobody answers here.
    QFile::remove(hostKeyPath());
    QFile::remove(hostPublicKeyPath());
    // An empty passphrase: nothing secret on the command line.
    if (!keygen({QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                 QStringLiteral("-N"), QString(), QStringLiteral("-C"),
                 QStringLiteral("certdeck-fixture-host"), QStringLiteral("-f"), hostKeyPath()})) {
        return false;
    }
    QByteArray out;
    if (!keygen({QStringLiteral("-l"), QStringLiteral("-E"), QStringLiteral("sha256"),
                 QStringLiteral("-f"), hostPublicKeyPath()},
                &out)) {
        return false;
    }
    // "256 SHA256:... comment (ED25519)"
    const QList<QByteArray> fields = out.trimmed().split(' ');
    if (fields.size() < 2 || !fields.at(1).startsWith("SHA256:")) {
        m_error = QStringLiteral("unexpected ssh-keygen -l output: %1").arg(QString::fromUtf8(out));
        return false;
    }
    m_hostFingerprint = QString::fromLatin1(fields.at(1));
    return true;
}

bool SshdFixture::prepare()
{
    if (m_prepared) {
        return true;
    }
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create the fixture folder");
        return false;
    }
    if (m_user.isEmpty()) {
        m_error = QStringLiteral("no passwd entry for uid %1").arg(::geteuid());
        return false;
    }
    if (!QFileInfo(binary()).isAbsolute()) {
        m_error = QStringLiteral("sshd must be started by absolute path, not '%1'").arg(binary());
        return false;
    }
    // sshd's privilege separation needs this empty folder (systemd's unit
    // makes it; nothing does when sshd is not a service).
    const QString privsepDir = QStringLiteral("/run/sshd");
    if (!QFileInfo::exists(privsepDir) && ::geteuid() == 0) {
        if (!QDir().mkpath(privsepDir) ||
            !QFile::setPermissions(privsepDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                   QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                                   QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                   QFileDevice::ExeOther)) {
            m_error = QStringLiteral("cannot create %1").arg(privsepDir);
            return false;
        }
    }
    if (!makeHostKey()) {
        return false;
    }
    if (!keygen({QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                 QStringLiteral("-N"), QString(), QStringLiteral("-C"),
                 QStringLiteral("certdeck-fixture-client"), QStringLiteral("-f"),
                 clientKeyPath()})) {
        return false;
    }
    // ssh and libssh refuse a private key that others can read.
    if (!QFile::setPermissions(clientKeyPath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        m_error = QStringLiteral("cannot chmod 0600 %1").arg(clientKeyPath());
        return false;
    }
    if (!m_dir.write(QStringLiteral("authorized_keys"), readFile(clientPublicKeyPath()))) {
        m_error = QStringLiteral("cannot write %1").arg(authorizedKeysPath());
        return false;
    }
    m_prepared = true;
    return true;
}

bool SshdFixture::trustCurrentHostKey()
{
    // "type base64" without the comment; the bracketed form is how OpenSSH
    // and libssh look up a host on a port other than 22.
    const QList<QByteArray> key = readFile(hostPublicKeyPath()).trimmed().split(' ');
    if (key.size() < 2) {
        m_error = QStringLiteral("cannot read %1").arg(hostPublicKeyPath());
        return false;
    }
    const QByteArray line =
        "[127.0.0.1]:" + QByteArray::number(m_port) + ' ' + key.at(0) + ' ' + key.at(1) + '\n';
    if (!m_dir.write(QStringLiteral("known_hosts"), line)) {
        m_error = QStringLiteral("cannot write %1").arg(knownHostsPath());
        return false;
    }
    return true;
}

bool SshdFixture::writeClientFiles()
{
    if (!trustCurrentHostKey()) {
        return false;
    }
    // Keywords both OpenSSH 9.2 and libssh 0.10 understand. UpdateHostKeys no:
    // ssh must never add keys to the known_hosts file the test inspects.
    const QString config = QStringLiteral("Host %1\n"
                                          "  HostName 127.0.0.1\n"
                                          "  Port %2\n"
                                          "  User %3\n"
                                          "  IdentityFile %4\n"
                                          "  UserKnownHostsFile %5\n"
                                          "  StrictHostKeyChecking yes\n"
                                          "  IdentitiesOnly yes\n"
                                          "  BatchMode yes\n"
                                          "  UpdateHostKeys no\n")
                               .arg(QLatin1String(hostAlias))
                               .arg(m_port)
                               .arg(m_user, quoted(clientKeyPath()), quoted(knownHostsPath()));
    if (!m_dir.write(QStringLiteral("ssh_config"), config.toUtf8())) {
        m_error = QStringLiteral("cannot write %1").arg(sshConfigPath());
        return false;
    }
    return true;
}

bool SshdFixture::launch(const QString& extraConfig)
{
    const QString d = m_dir.path();
    QString extra = extraConfig;
    extra.replace(QStringLiteral("{port}"), QString::number(m_port))
        .replace(QStringLiteral("{dir}"), d);
    // StrictModes no: the authorized_keys path runs through the world-writable
    // /tmp, which sshd's ownership check would reject.
    const QString conf =
        QStringLiteral("%1\n"
                       "ListenAddress 127.0.0.1:%2\n"
                       "Port %2\n"
                       "AddressFamily inet\n"
                       "HostKey %3\n"
                       "PidFile %4\n"
                       "AuthorizedKeysFile %5\n"
                       "UsePAM no\n"
                       "PasswordAuthentication no\n"
                       "KbdInteractiveAuthentication no\n"
                       "PubkeyAuthentication yes\n"
                       "PermitRootLogin prohibit-password\n"
                       "AllowUsers %6\n"
                       "StrictModes no\n"
                       "AllowTcpForwarding no\n"
                       "AllowAgentForwarding no\n"
                       "X11Forwarding no\n"
                       "PermitTunnel no\n"
                       "PrintMotd no\n"
                       "PrintLastLog no\n"
                       "UseDNS no\n"
                       "LogLevel VERBOSE\n"
                       "Subsystem sftp internal-sftp\n")
            .arg(extra)
            .arg(m_port)
            .arg(quoted(hostKeyPath()), quoted(m_dir.filePath(QStringLiteral("sshd.pid"))),
                 quoted(authorizedKeysPath()), m_user);
    if (!m_dir.write(QStringLiteral("sshd_config"), conf.toUtf8())) {
        m_error = QStringLiteral("cannot write %1").arg(configPath());
        return false;
    }
    // A restart waits for its own "listening" line: keep the last run's log aside.
    const QString log = m_dir.filePath(QStringLiteral("sshd.log"));
    const QString previousLog = log + QStringLiteral(".1");
    QFile::remove(previousLog);
    QFile::rename(log, previousLog);
    // -D: no daemon; -e: log to stderr (the log file) rather than syslog.
    if (!m_process.start(binary(), {QStringLiteral("-D"), QStringLiteral("-e"),
                                    QStringLiteral("-f"), configPath()})) {
        m_error = m_process.errorString();
        return false;
    }
    // sshd logs this right after listen(): no probe connection needed.
    if (m_process.waitForLog(
            QStringLiteral("Server listening on 127.0.0.1 port %1.").arg(m_port).toUtf8())) {
        return true;
    }
    m_error = m_process.errorString();
    m_process.stop();
    return false;
}

bool SshdFixture::start(const QString& extraConfig)
{
    stop();
    if (!prepare()) {
        return false;
    }
    m_extraConfig = extraConfig;
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freeLoopbackPort();
        if (!writeClientFiles()) {
            return false;
        }
        if (launch(extraConfig)) {
            return true;
        }
        if (!m_error.contains(QLatin1String("Address already in use"))) {
            return false;
        }
    }
    return false;
}

bool SshdFixture::replaceHostKey()
{
    stop();
    if (!makeHostKey()) {
        return false;
    }
    return launch(m_extraConfig);
}

bool SshdFixture::authorizeKey(const QString& publicKeyPath)
{
    QByteArray line = readFile(publicKeyPath).trimmed();
    if (line.isEmpty()) {
        m_error = QStringLiteral("cannot read %1").arg(publicKeyPath);
        return false;
    }
    QFile f(authorizedKeysPath());
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append) ||
        f.write(line + '\n') != line.size() + 1) {
        m_error = QStringLiteral("cannot append to %1").arg(authorizedKeysPath());
        return false;
    }
    return true;
}

void SshdFixture::stop()
{
    const pid_t listener = static_cast<pid_t>(m_process.pid());
    if (listener > 0) {
        // Sessions first, while sshd still holds their parent links (after it
        // exits they would be re-parented and no longer traceable to us).
        for (const pid_t pid : descendantsOf(listener)) {
            ::kill(pid, SIGKILL);
        }
    }
    m_process.stop();
}

} // namespace certdeck::test
