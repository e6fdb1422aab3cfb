// SPDX-License-Identifier: GPL-3.0-or-later
// SshSession and SshConnectionPool against a real OpenSSH sshd (SshdFixture):
// login by a Host alias of an ssh_config, remote commands, host keys (unknown,
// accepted, changed), encrypted key files, ssh-agent, ProxyJump, cancel, and
// peers that are no SSH server at all.
#include "SshdFixture.h"
#include "deploy/ssh/SshConnectionPool.h"
#include "deploy/ssh/SshSession.h"

#include <QFile>
#include <QFutureWatcher>
#include <QLoggingCategory>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

using namespace certdeck;
using namespace certdeck::deploy;
using namespace certdeck::test;

namespace {

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Alive means running: a killed child of pid 1 may linger as a zombie.
bool processAlive(qint64 pid)
{
    const QByteArray stat = readFile(QStringLiteral("/proc/%1/stat").arg(pid));
    const qsizetype close = stat.lastIndexOf(')');
    return close >= 0 && stat.size() > close + 2 && stat.at(close + 2) != 'Z';
}

SshConnectOptions fixtureOptions(const SshdFixture& sshd)
{
    SshConnectOptions options;
    options.host = QLatin1String(SshdFixture::hostAlias);
    options.configFile = sshd.sshConfigPath();
    options.timeouts.connectMs = 20000;
    options.timeouts.authMs = 20000;
    options.timeouts.execMs = 20000;
    options.timeouts.sftpMs = 20000;
    return options;
}

/// ssh-keygen's own fingerprint of a public key file: the independent oracle.
QString keygenFingerprint(const QString& publicKeyPath)
{
    QByteArray out;
    if (runTool(QStringLiteral("ssh-keygen"),
                {QStringLiteral("-l"), QStringLiteral("-f"), publicKeyPath}, &out) != 0) {
        return {};
    }
    // "256 SHA256:xxxx comment (ED25519)"
    const QList<QByteArray> fields = out.simplified().split(' ');
    return fields.size() >= 2 ? QString::fromLatin1(fields.at(1)) : QString();
}

/// A new ed25519 key pair in `dir`, encrypted with `passphrase` unless empty.
QString makeKey(const FixtureDir& dir, const QString& name, const QString& passphrase = {})
{
    const QString path = dir.filePath(name);
    QByteArray out;
    const int rc = runTool(QStringLiteral("ssh-keygen"),
                           {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                            QStringLiteral("-N"), passphrase, QStringLiteral("-f"), path},
                           &out);
    return rc == 0 ? path : QString();
}

/// The fixture's ssh_config with its IdentityFile replaced by `key`.
QString configWithKey(const SshdFixture& sshd, const FixtureDir& dir, const QString& key)
{
    QByteArray config = readFile(sshd.sshConfigPath());
    config.replace(sshd.clientKeyPath().toUtf8(), key.toUtf8());
    return dir.write(QStringLiteral("ssh_config"), config)
               ? dir.filePath(QStringLiteral("ssh_config"))
               : QString();
}

/// Everything the deploy module logs while it lives, for "never logged" checks.
class LogCapture
{
public:
    LogCapture()
    {
        QLoggingCategory::setFilterRules(QStringLiteral("certdeck.*=true"));
        s_lines.clear();
        m_previous = qInstallMessageHandler(&LogCapture::handle);
    }
    ~LogCapture()
    {
        qInstallMessageHandler(m_previous);
        QLoggingCategory::setFilterRules(QString());
    }
    [[nodiscard]] QString text() const { return s_lines.join(u'\n'); }

private:
    static void handle(QtMsgType, const QMessageLogContext&, const QString& message)
    {
        s_lines << message;
    }
    static inline QStringList s_lines;
    QtMessageHandler m_previous = nullptr;
};

/// A listener that is no SSH server: garbage instead of a banner, or silence.
class HostilePeer : public QObject
{
public:
    enum class Mode
    {
        Garbage,
        Silent,
    };
    explicit HostilePeer(Mode mode)
        : m_mode(mode)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                if (m_mode == Mode::Garbage) {
                    // No "SSH-" anywhere, a line end, then more noise.
                    socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                    socket->write(QByteArray(300, '\x17'));
                }
            }
        });
    }
    [[nodiscard]] bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }

private:
    Mode m_mode;
    QTcpServer m_server;
};

/// Runs `work` on the thread pool while this thread's event loop serves the
/// in-process peers; waits for it to finish.
template <class T, class Work>
std::optional<T> runOffThread(Work work, int capMs = 60000)
{
    QFutureWatcher<T> watcher;
    QSignalSpy done(&watcher, &QFutureWatcher<T>::finished);
    watcher.setFuture(QtConcurrent::run(std::move(work)));
    if (!watcher.isFinished() && !done.wait(capMs)) {
        return std::nullopt;
    }
    return watcher.result();
}

} // namespace

class TestSshSession : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void loginByAliasThroughConfig();
    void execCapturesOutputAndStatus();
    void commandOutlivingItsTimeoutIsCutOff();
    void unknownHostKeyIsAskedThenRecorded();
    void changedHostKeyIsRefused();
    void encryptedKeyNeedsPassphrase();
    void agentLogin();
    void proxyJumpThroughConfig();
    void cancelFromAnotherThread();
    void poolReusesOneConnectionPerHost();
    void hostilePeers_data();
    void hostilePeers();
    void missingConfigFileIsNamed();
    void damagedKnownHostsIsNoKnownKey_data();
    void damagedKnownHostsIsNoKnownKey();
    void damagedConfig_data();
    void damagedConfig();
};

void TestSshSession::initTestCase()
{
    // A developer's agent would log in for the fixture's key: every login
    // here rests on the files each test names.
    qunsetenv("SSH_AUTH_SOCK");
}

void TestSshSession::loginByAliasThroughConfig()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    SshSession session(fixtureOptions(sshd));
    const Result<SshConnectOutcome> outcome = session.connect();
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->status, SshConnectOutcome::Status::Connected);
    QVERIFY(session.isConnected());
    // HostName, Port and User came from the config's "fixture" block.
    QCOMPARE(session.label(),
             QStringLiteral("fixture (%1@127.0.0.1:%2)").arg(sshd.user()).arg(sshd.port()));
    QCOMPARE(outcome->hostKey.fingerprint, keygenFingerprint(sshd.hostPublicKeyPath()));
    QCOMPARE(outcome->hostKey.knownHostsFile, sshd.knownHostsPath());

    const Result<ExecResult> who = session.exec(QStringLiteral("id -un"));
    QVERIFY2(who, qPrintable(who ? QString() : who.error().toString()));
    QCOMPARE(who->out, sshd.user().toUtf8() + '\n');
    QCOMPARE(who->exitStatus, 0);
    QVERIFY(readFile(sshd.dir() + QStringLiteral("/sshd.log"))
                .contains("Accepted publickey for " + sshd.user().toUtf8()));
}

void TestSshSession::execCapturesOutputAndStatus()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    SshSession session(fixtureOptions(sshd));
    const Result<SshConnectOutcome> outcome = session.connect();
    QVERIFY2(outcome && outcome->status == SshConnectOutcome::Status::Connected,
             qPrintable(outcome ? QString() : outcome.error().toString()));

    Result<ExecResult> run =
        session.exec(QStringLiteral("echo to-out; echo to-err >&2; printf 'no newline'; exit 3"));
    QVERIFY2(run, qPrintable(run ? QString() : run.error().toString()));
    QCOMPARE(run->out, QByteArray("to-out\nno newline"));
    QCOMPARE(run->err, QByteArray("to-err\n"));
    QCOMPARE(run->exitStatus, 3);
    QVERIFY(!run->succeeded());
    QVERIFY(!run->truncated);

    // stdin reaches the command byte for byte (how secrets travel).
    QByteArray input;
    for (int i = 0; i < 200000; ++i) {
        input.append(static_cast<char>(i * 7 % 256));
    }
    ExecOptions withInput;
    withInput.stdinData = input;
    run = session.exec(QStringLiteral("cat"), withInput);
    QVERIFY2(run, qPrintable(run ? QString() : run.error().toString()));
    QCOMPARE(run->exitStatus, 0);
    QCOMPARE(run->out.size(), input.size());
    QVERIFY(run->out == input);

    // The output cap keeps the first bytes and says it cut.
    ExecOptions capped;
    capped.maxOutputBytes = 1000;
    run = session.exec(QStringLiteral("head -c 300000 /dev/zero | tr '\\0' x"), capped);
    QVERIFY2(run, qPrintable(run ? QString() : run.error().toString()));
    QCOMPARE(run->out, QByteArray(1000, 'x'));
    QVERIFY(run->truncated);
    QCOMPARE(run->exitStatus, 0);

    // A signal is reported as such.
    run = session.exec(QStringLiteral("kill -TERM $$"));
    QVERIFY2(run, qPrintable(run ? QString() : run.error().toString()));
    QCOMPARE(run->exitSignal, QStringLiteral("TERM"));
    QVERIFY(!run->succeeded());
}

void TestSshSession::commandOutlivingItsTimeoutIsCutOff()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    SshSession session(fixtureOptions(sshd));
    QVERIFY(session.connect());
    ExecOptions shortLimit;
    shortLimit.timeoutMs = 1500;
    const QString pidFile = sshd.dir() + QStringLiteral("/sleeper.pid");
    const Result<ExecResult> run = session.exec(
        QStringLiteral("echo $$ > '%1'; exec sleep 30; echo never").arg(pidFile), shortLimit);
    QVERIFY(!run);
    QCOMPARE(run.error().code, ErrorCode::Timeout);
    QVERIFY2(run.error().message.contains(QLatin1String("exec sleep 30")),
             qPrintable(run.error().message));
    QVERIFY2(run.error().message.contains(QLatin1String("did not finish within 1.5 s")),
             qPrintable(run.error().message));
    QVERIFY2(run.error().message.contains(QLatin1String("fixture")),
             qPrintable(run.error().message));
    QVERIFY2(run.error().message.endsWith(QLatin1String("; it was killed")),
             qPrintable(run.error().message));
    // The command was killed, not left running on the host.
    const qint64 pid = readFile(pidFile).trimmed().toLongLong();
    QVERIFY(pid > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(pid), 10000);
    // The connection outlives the command.
    QVERIFY(session.isConnected());
    const Result<ExecResult> after = session.exec(QStringLiteral("echo still-here"));
    QVERIFY2(after, qPrintable(after ? QString() : after.error().toString()));
    QCOMPARE(after->out, QByteArray("still-here\n"));
}

void TestSshSession::unknownHostKeyIsAskedThenRecorded()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    QVERIFY(QFile::resize(sshd.knownHostsPath(), 0));

    SshConnectOptions options = fixtureOptions(sshd);
    SshSession session(options);
    Result<SshConnectOutcome> outcome = session.connect();
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->status, SshConnectOutcome::Status::HostKeyUnknown);
    QVERIFY(!session.isConnected());
    const QString oracle = keygenFingerprint(sshd.hostPublicKeyPath());
    QVERIFY(oracle.startsWith(QLatin1String("SHA256:")));
    QCOMPARE(outcome->hostKey.fingerprint, oracle);
    QCOMPARE(outcome->hostKey.keyType, QStringLiteral("ssh-ed25519"));
    QCOMPARE(outcome->hostKey.knownHostsName, QStringLiteral("[127.0.0.1]:%1").arg(sshd.port()));
    QCOMPARE(readFile(sshd.knownHostsPath()), QByteArray());

    // Accepting another key than the one presented trusts nothing.
    options.acceptHostKey = QStringLiteral("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    session.setOptions(options);
    outcome = session.connect();
    QVERIFY(outcome);
    QCOMPARE(outcome->status, SshConnectOutcome::Status::HostKeyUnknown);
    QCOMPARE(readFile(sshd.knownHostsPath()), QByteArray());

    options.acceptHostKey = outcome->hostKey.fingerprint;
    session.setOptions(options);
    outcome = session.connect();
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->status, SshConnectOutcome::Status::Connected);
    const QByteArray recorded = readFile(sshd.knownHostsPath());
    QVERIFY2(
        recorded.startsWith("[127.0.0.1]:" + QByteArray::number(sshd.port()) + " ssh-ed25519 "),
        recorded.constData());
    // The recorded line is the host's key (OpenSSH's own client agrees).
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("ssh"),
                     {QStringLiteral("-F"), sshd.sshConfigPath(),
                      QLatin1String(SshdFixture::hostAlias), QStringLiteral("true")},
                     &out),
             0);

    // Next time nothing needs accepting.
    SshSession again(fixtureOptions(sshd));
    outcome = again.connect();
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->status, SshConnectOutcome::Status::Connected);
}

void TestSshSession::changedHostKeyIsRefused()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    QVERIFY2(sshd.replaceHostKey(), qPrintable(sshd.errorString()));
    const QByteArray knownBefore = readFile(sshd.knownHostsPath());

    SshConnectOptions options = fixtureOptions(sshd);
    // Even "accepting" the new key's fingerprint does not override a change.
    options.acceptHostKey = sshd.hostKeyFingerprint();
    SshSession session(options);
    const Result<SshConnectOutcome> outcome = session.connect();
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().code, ErrorCode::Crypto);
    const QString message = outcome.error().message;
    QVERIFY2(message.contains(QLatin1String("HAS CHANGED")), qPrintable(message));
    QVERIFY2(message.contains(sshd.knownHostsPath() + QStringLiteral(" line 1")),
             qPrintable(message));
    QVERIFY2(outcome.error().detail.contains(sshd.hostKeyFingerprint()),
             qPrintable(outcome.error().detail));
    QVERIFY(!session.isConnected());
    QCOMPARE(readFile(sshd.knownHostsPath()), knownBefore);
    // No login happened.
    QVERIFY(!readFile(sshd.dir() + QStringLiteral("/sshd.log")).contains("Accepted publickey"));
}

void TestSshSession::encryptedKeyNeedsPassphrase()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    FixtureDir dir;
    const QString passphrase = QStringLiteral("correct horse battery");
    const QString key = makeKey(dir, QStringLiteral("encrypted_ed25519"), passphrase);
    QVERIFY(!key.isEmpty());
    QVERIFY(sshd.authorizeKey(key + QStringLiteral(".pub")));
    SshConnectOptions options = fixtureOptions(sshd);
    options.configFile = configWithKey(sshd, dir, key);
    QVERIFY(!options.configFile.isEmpty());

    LogCapture log;
    SshSession session(options);
    Result<SshConnectOutcome> outcome = session.connect();
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->status, SshConnectOutcome::Status::PassphraseNeeded);
    QCOMPARE(outcome->keyFile, key);
    QVERIFY(!session.isConnected());

    options.passphrase = "not the passphrase";
    session.setOptions(options);
    outcome = session.connect();
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().code, ErrorCode::PermissionDenied);
    QVERIFY2(outcome.error().message.contains(QLatin1String("wrong passphrase")),
             qPrintable(outcome.error().message));
    QVERIFY2(outcome.error().message.contains(key), qPrintable(outcome.error().message));
    QVERIFY(!outcome.error().toString().contains(QLatin1String("not the passphrase")));

    options.passphrase = passphrase.toUtf8();
    session.setOptions(options);
    outcome = session.connect();
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->status, SshConnectOutcome::Status::Connected);
    const Result<ExecResult> run = session.exec(QStringLiteral("echo unlocked"));
    QVERIFY(run);
    QCOMPARE(run->out, QByteArray("unlocked\n"));

    // The log said what happened, never with a passphrase in it.
    QVERIFY2(log.text().contains(QLatin1String("needs the passphrase")), qPrintable(log.text()));
    QVERIFY(!log.text().contains(passphrase));
    QVERIFY(!log.text().contains(QLatin1String("not the passphrase")));
}

void TestSshSession::agentLogin()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    FixtureDir dir;
    const QByteArray passphrase = "agent-held secret";
    const QString key =
        makeKey(dir, QStringLiteral("agent_ed25519"), QString::fromUtf8(passphrase));
    QVERIFY(!key.isEmpty());
    QVERIFY(sshd.authorizeKey(key + QStringLiteral(".pub")));
    // The config offers no usable key file: only the agent can log in.
    SshConnectOptions options = fixtureOptions(sshd);
    options.configFile = configWithKey(sshd, dir, dir.filePath(QStringLiteral("no_such_key")));

    {
        SshSession without(options);
        const Result<SshConnectOutcome> refused = without.connect();
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::PermissionDenied);
        QVERIFY2(refused.error().message.contains(QLatin1String("refused the login")),
                 qPrintable(refused.error().message));
    }

    const QString socket = dir.filePath(QStringLiteral("agent.sock"));
    QProcess agent;
    agent.setProcessChannelMode(QProcess::MergedChannels);
    // -D: in the foreground, so this test owns its PID and ends it.
    agent.start(QStringLiteral("ssh-agent"), {QStringLiteral("-D"), QStringLiteral("-a"), socket});
    QVERIFY(agent.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socket), 10000);

    // ssh-add reads the passphrase through SSH_ASKPASS, from a 0600 file.
    QVERIFY(writePrivateFile(dir.filePath(QStringLiteral("pass")), passphrase));
    QVERIFY(dir.write(QStringLiteral("askpass.sh"),
                      "#!/bin/sh\ncat '" + dir.filePath(QStringLiteral("pass")).toUtf8() + "'\n"));
    QVERIFY(QFile::setPermissions(dir.filePath(QStringLiteral("askpass.sh")),
                                  QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    QProcess add;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SSH_AUTH_SOCK"), socket);
    env.insert(QStringLiteral("SSH_ASKPASS"), dir.filePath(QStringLiteral("askpass.sh")));
    env.insert(QStringLiteral("SSH_ASKPASS_REQUIRE"), QStringLiteral("force"));
    add.setProcessEnvironment(env);
    add.setProcessChannelMode(QProcess::MergedChannels);
    add.start(QStringLiteral("ssh-add"), {key});
    QVERIFY(add.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(add.state() == QProcess::NotRunning, 20000);
    QVERIFY2(add.exitCode() == 0, add.readAll().constData());

    qputenv("SSH_AUTH_SOCK", socket.toLocal8Bit());
    Result<SshConnectOutcome> outcome;
    {
        SshSession session(options);
        outcome = session.connect();
        if (outcome && outcome->status == SshConnectOutcome::Status::Connected) {
            const Result<ExecResult> run = session.exec(QStringLiteral("echo via-agent"));
            QVERIFY(run);
            QCOMPARE(run->out, QByteArray("via-agent\n"));
        }
    }
    qunsetenv("SSH_AUTH_SOCK");
    agent.kill();
    QTRY_VERIFY_WITH_TIMEOUT(agent.state() == QProcess::NotRunning, 10000);
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->status, SshConnectOutcome::Status::Connected);
}

void TestSshSession::proxyJumpThroughConfig()
{
    // The jump host forwards TCP; the target is reachable "only" through it.
    SshdFixture jump;
    QVERIFY2(jump.start(QStringLiteral("AllowTcpForwarding yes\n")),
             qPrintable(jump.errorString()));
    SshdFixture target;
    QVERIFY2(target.start(), qPrintable(target.errorString()));
    QVERIFY(target.authorizeKey(jump.clientPublicKeyPath()));

    FixtureDir dir;
    QVERIFY(dir.write(QStringLiteral("known_hosts"),
                      readFile(jump.knownHostsPath()) + readFile(target.knownHostsPath())));
    const QString known = dir.filePath(QStringLiteral("known_hosts"));
    const QString config =
        QStringLiteral("Host jump\n"
                       "  HostName 127.0.0.1\n  Port %1\n  User %3\n  IdentityFile \"%4\"\n"
                       "  UserKnownHostsFile \"%5\"\n  StrictHostKeyChecking yes\n"
                       "  IdentitiesOnly yes\n"
                       "Host behind\n"
                       "  HostName 127.0.0.1\n  Port %2\n  User %3\n  IdentityFile \"%4\"\n"
                       "  UserKnownHostsFile \"%5\"\n  ProxyJump jump\n")
            .arg(jump.port())
            .arg(target.port())
            .arg(target.user(), jump.clientKeyPath(), known);
    QVERIFY(dir.write(QStringLiteral("ssh_config"), config.toUtf8()));

    SshConnectOptions options;
    options.host = QStringLiteral("behind");
    options.configFile = dir.filePath(QStringLiteral("ssh_config"));
    SshSession session(options);
    const Result<SshConnectOutcome> outcome = session.connect();
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->status, SshConnectOutcome::Status::Connected);
    const Result<ExecResult> run = session.exec(QStringLiteral("echo behind-the-jump"));
    QVERIFY(run);
    QCOMPARE(run->out, QByteArray("behind-the-jump\n"));
    // Nothing here connected to the jump host directly: its login was the hop.
    const QByteArray jumpLog = readFile(jump.dir() + QStringLiteral("/sshd.log"));
    QVERIFY2(jumpLog.contains("Accepted publickey"), jumpLog.constData());
}

void TestSshSession::cancelFromAnotherThread()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    SshConnectOptions options = fixtureOptions(sshd);
    options.timeouts.execMs = 120000;
    auto session = std::make_shared<SshSession>(options);
    QVERIFY(session->connect());
    const QString marker = sshd.dir() + QStringLiteral("/running");

    QFutureWatcher<Result<ExecResult>> watcher;
    QSignalSpy done(&watcher, &QFutureWatcher<Result<ExecResult>>::finished);
    watcher.setFuture(QtConcurrent::run([session, marker] {
        return session->exec(QStringLiteral("touch '%1'; sleep 60").arg(marker));
    }));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marker), 20000);
    QVERIFY(!watcher.isFinished());
    options.cancel.cancel();
    QVERIFY(watcher.isFinished() || done.wait(30000));
    const Result<ExecResult> run = watcher.result();
    QVERIFY(!run);
    QCOMPARE(run.error().code, ErrorCode::Cancelled);
    QVERIFY(!session->isConnected());
    const Result<ExecResult> after = session->exec(QStringLiteral("true"));
    QVERIFY(!after);
    QCOMPARE(after.error().code, ErrorCode::Cancelled);
}

void TestSshSession::poolReusesOneConnectionPerHost()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    SshConnectionPool pool;
    const SshConnectOptions options = fixtureOptions(sshd);
    SshSession* first = nullptr;
    {
        Result<SshLease> lease = pool.acquire(options);
        QVERIFY2(lease, qPrintable(lease ? QString() : lease.error().toString()));
        QVERIFY(lease->isConnected());
        first = lease->session();
        QVERIFY(lease->session()->exec(QStringLiteral("true")));
    }
    {
        Result<SshLease> lease = pool.acquire(options);
        QVERIFY(lease && lease->isConnected());
        QCOMPARE(lease->session(), first);
        QVERIFY(lease->session()->exec(QStringLiteral("true")));
        QCOMPARE(pool.openCount(), 1);
    }
    const auto logins = [&] {
        return readFile(sshd.dir() + QStringLiteral("/sshd.log")).count("Accepted publickey");
    };
    QCOMPARE(logins(), 1);

    // A connection that died is replaced at the next acquire().
    {
        Result<SshLease> lease = pool.acquire(options);
        QVERIFY(lease && lease->isConnected());
        lease->session()->abort();
        QVERIFY(!lease->isConnected());
    }
    Result<SshLease> lease = pool.acquire(options);
    QVERIFY2(lease, qPrintable(lease ? QString() : lease.error().toString()));
    QVERIFY(lease->isConnected());
    const Result<ExecResult> run = lease->session()->exec(QStringLiteral("echo again"));
    QVERIFY(run);
    QCOMPARE(run->out, QByteArray("again\n"));
    QCOMPARE(logins(), 2);
    lease = Result<SshLease>(SshLease());

    // A cancel of an operation that has given its lease back does not cut
    // the pooled connection.
    SshConnectOptions withCancel = options;
    withCancel.cancel = SshCancel(); // copies of a token share it
    {
        Result<SshLease> used = pool.acquire(withCancel);
        QVERIFY(used && used->isConnected());
    }
    withCancel.cancel.cancel();
    {
        Result<SshLease> next = pool.acquire(options);
        QVERIFY(next && next->isConnected());
        QVERIFY(next->session()->exec(QStringLiteral("true")));
    }
    QCOMPARE(logins(), 2);

    // Two workers on one host take turns on its one connection.
    const auto work = [&pool, options](const QString& word) {
        Result<SshLease> mine = pool.acquire(options);
        if (!mine || !mine->isConnected()) {
            return QByteArray("no lease");
        }
        const Result<ExecResult> said =
            mine->session()->exec(QStringLiteral("sleep 0.2; echo %1").arg(word));
        return said ? said->out : QByteArray("failed: ") + said.error().toString().toUtf8();
    };
    QFuture<QByteArray> a = QtConcurrent::run(work, QStringLiteral("one"));
    QFuture<QByteArray> b = QtConcurrent::run(work, QStringLiteral("two"));
    QFutureWatcher<QByteArray> watchA;
    QFutureWatcher<QByteArray> watchB;
    QSignalSpy doneA(&watchA, &QFutureWatcher<QByteArray>::finished);
    QSignalSpy doneB(&watchB, &QFutureWatcher<QByteArray>::finished);
    watchA.setFuture(a);
    watchB.setFuture(b);
    QVERIFY(watchA.isFinished() || doneA.wait(60000));
    QVERIFY(watchB.isFinished() || doneB.wait(60000));
    QCOMPARE(a.result(), QByteArray("one\n"));
    QCOMPARE(b.result(), QByteArray("two\n"));
    QCOMPARE(logins(), 2);
    QCOMPARE(pool.openCount(), 1);
    pool.closeIdle();
    QCOMPARE(pool.openCount(), 0);
}

void TestSshSession::hostilePeers_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("expectedCode");
    QTest::newRow("garbage instead of a banner")
        << int(HostilePeer::Mode::Garbage) << int(ErrorCode::Protocol);
    QTest::newRow("accepts and stays silent")
        << int(HostilePeer::Mode::Silent) << int(ErrorCode::Timeout);
}

void TestSshSession::hostilePeers()
{
    QFETCH(int, mode);
    QFETCH(int, expectedCode);
    HostilePeer peer(static_cast<HostilePeer::Mode>(mode));
    QVERIFY(peer.listen());
    SshConnectOptions options;
    options.host = QStringLiteral("127.0.0.1");
    options.port = peer.port();
    options.knownHostsFile = QStringLiteral("/nonexistent/known_hosts");
    options.timeouts.connectMs = 3000;
    // An empty config: nothing from the user's ~/.ssh.
    FixtureDir dir;
    QVERIFY(dir.write(QStringLiteral("ssh_config"), "# empty\n"));
    options.configFile = dir.filePath(QStringLiteral("ssh_config"));

    const std::optional<Result<SshConnectOutcome>> outcome =
        runOffThread<Result<SshConnectOutcome>>([options] {
            SshSession session(options);
            return session.connect();
        });
    QVERIFY2(outcome.has_value(), "connect() hung");
    QVERIFY(!*outcome);
    const Error error = outcome->error();
    QCOMPARE(int(error.code), expectedCode);
    QVERIFY2(error.message.contains(QStringLiteral("127.0.0.1:%1").arg(peer.port())),
             qPrintable(error.toString()));
    if (error.code == ErrorCode::Timeout) {
        QVERIFY2(error.message.contains(QLatin1String("did not finish within 3 s")),
                 qPrintable(error.toString()));
    } else {
        QVERIFY2(error.message.contains(QLatin1String("did not answer as an SSH server")),
                 qPrintable(error.toString()));
    }
}

void TestSshSession::missingConfigFileIsNamed()
{
    SshConnectOptions options;
    options.host = QStringLiteral("fixture");
    options.configFile = QStringLiteral("/nonexistent/ssh_config");
    SshSession session(options);
    const Result<SshConnectOutcome> outcome = session.connect();
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().code, ErrorCode::NotFound);
    QVERIFY(outcome.error().message.contains(options.configFile));
}

void TestSshSession::damagedKnownHostsIsNoKnownKey_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("garbage") << QByteArray("\x01\x02 not a known_hosts file\n\n###\n");
    QTest::newRow("truncated key")
        << QByteArray("[127.0.0.1]:{port} ssh-ed25519 AAAAC3NzaC1lZDI1\n");
    QTest::newRow("unknown key type") << QByteArray("[127.0.0.1]:{port} ssh-foo AAAA\n");
    QTest::newRow("marker lines") << QByteArray("@revoked * ssh-ed25519 AAAA\n@cert-authority *\n");
    QTest::newRow("no newline, huge line") << QByteArray(200000, 'A');
}

void TestSshSession::damagedKnownHostsIsNoKnownKey()
{
    QFETCH(QByteArray, content);
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    content.replace("{port}", QByteArray::number(sshd.port()));
    QFile known(sshd.knownHostsPath());
    QVERIFY(known.open(QIODevice::WriteOnly | QIODevice::Truncate));
    known.write(content);
    known.close();

    SshConnectOptions options = fixtureOptions(sshd);
    SshSession session(options);
    Result<SshConnectOutcome> outcome = session.connect();
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    // Nothing in the damaged file vouches for the host: the user decides.
    QCOMPARE(outcome->status, SshConnectOutcome::Status::HostKeyUnknown);
    QCOMPARE(outcome->hostKey.fingerprint, keygenFingerprint(sshd.hostPublicKeyPath()));
    options.acceptHostKey = outcome->hostKey.fingerprint;
    session.setOptions(options);
    outcome = session.connect();
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->status, SshConnectOutcome::Status::Connected);
    // The old content stays; the key was added.
    QVERIFY(readFile(sshd.knownHostsPath()).startsWith(content));
}

void TestSshSession::damagedConfig_data()
{
    // Host blocks for the address itself: no name here may reach a resolver.
    QTest::addColumn<QByteArray>("config");
    QTest::newRow("garbage") << QByteArray("\x01\x02\xff garbage = = =\nHost\n");
    QTest::newRow("bad port") << QByteArray("Host 127.0.0.1\n  Port banana\n");
    QTest::newRow("bad ProxyJump") << QByteArray("Host 127.0.0.1\n  ProxyJump @:x:y:z\n");
    QTest::newRow("include loop") << QByteArray("Include {self}\nHost 127.0.0.1\n");
}

void TestSshSession::damagedConfig()
{
    // Whatever libssh makes of a damaged config, connect() ends with an
    // Error or a question, within its timeout, and never logs in blindly.
    QFETCH(QByteArray, config);
    FixtureDir dir;
    const QString path = dir.filePath(QStringLiteral("ssh_config"));
    config.replace("{self}", path.toUtf8());
    QVERIFY(dir.write(QStringLiteral("ssh_config"), config));
    SshConnectOptions options;
    options.host = QStringLiteral("127.0.0.1");
    options.configFile = path;
    options.port = 1; // nothing listens on port 1 here
    options.knownHostsFile = dir.filePath(QStringLiteral("known_hosts"));
    options.timeouts.connectMs = 3000;
    SshSession session(options);
    const Result<SshConnectOutcome> outcome = session.connect();
    QVERIFY(!outcome);
    QVERIFY(!session.isConnected());
    QVERIFY2(!outcome.error().message.isEmpty(), "an error without words");
    qDebug().noquote() << outcome.error().toString();
}

QTEST_GUILESS_MAIN(TestSshSession)
#include "test_ssh_session.moc"
