// SPDX-License-Identifier: GPL-3.0-or-later
// Smoke test of the sshd fixture: OpenSSH's own client (and libssh, which the
// product uses) log in with the files the fixture writes; a wrong host key
// and an unauthorized client key are refused.
#include "SshdFixture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTest>
#include <csignal>
#include <libssh/libssh.h>
#include <memory>

using namespace certdeck::test;

namespace {

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Runs OpenSSH's ssh with the fixture's client config; stdout and stderr merged.
int ssh(const QString& config, const QStringList& extra, const QString& command, QByteArray* out,
        const QByteArray& stdinData = {})
{
    QStringList args{QStringLiteral("-F"), config};
    args << extra << QLatin1String(SshdFixture::hostAlias) << command;
    return runTool(QStringLiteral("ssh"), args, out, 20000, {}, stdinData);
}

/// Another ed25519 key pair, in `dir`; the private key's path.
QString makeKey(const FixtureDir& dir, const QString& name)
{
    const QString path = dir.filePath(name);
    QByteArray out;
    const int rc = runTool(QStringLiteral("ssh-keygen"),
                           {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                            QStringLiteral("-N"), QString(), QStringLiteral("-f"), path},
                           &out);
    return rc == 0 ? path : QString();
}

/// Alive means running: a killed child of pid 1 may linger as a zombie.
bool processAlive(qint64 pid)
{
    const QByteArray stat = readFile(QStringLiteral("/proc/%1/stat").arg(pid));
    const qsizetype close = stat.lastIndexOf(')');
    return close >= 0 && stat.size() > close + 2 && stat.at(close + 2) != 'Z';
}

struct SshSessionFree
{
    void operator()(ssh_session s) const
    {
        ssh_disconnect(s);
        ssh_free(s);
    }
};
struct SshChannelFree
{
    void operator()(ssh_channel c) const { ssh_channel_free(c); }
};
using SshSessionPtr = std::unique_ptr<ssh_session_struct, SshSessionFree>;
using SshChannelPtr = std::unique_ptr<ssh_channel_struct, SshChannelFree>;

/// A libssh session to the "fixture" alias configured only by the fixture's
/// ssh_config, connected but not authenticated.
SshSessionPtr libsshConnect(const SshdFixture& sshd, QByteArray* error)
{
    SshSessionPtr session(ssh_new());
    if (!session) {
        *error = "ssh_new failed";
        return nullptr;
    }
    if (ssh_options_set(session.get(), SSH_OPTIONS_HOST, SshdFixture::hostAlias) != SSH_OK ||
        ssh_options_parse_config(session.get(), sshd.sshConfigPath().toLocal8Bit().constData()) !=
            SSH_OK ||
        ssh_connect(session.get()) != SSH_OK) {
        *error = ssh_get_error(session.get());
        return nullptr;
    }
    return session;
}

} // namespace

class TestFixtureSshd : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void loginRunsCommand();
    void writesFiles();
    void differentKnownHostKeyIsRefused();
    void unauthorizedClientKeyIsRefused();
    void libsshUsesTheClientFiles();
    void replacedHostKeyIsDetected();
    void stopEndsSessions();
    void badConfigIsReported();
};

void TestFixtureSshd::initTestCase()
{
    // A developer's agent would offer its keys first (and may exhaust
    // MaxAuthTries): logins here must rest on the fixture's files alone.
    qunsetenv("SSH_AUTH_SOCK");
}

void TestFixtureSshd::loginRunsCommand()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    QVERIFY(sshd.port() > 0);
    QVERIFY(sshd.hostKeyFingerprint().startsWith(QLatin1String("SHA256:")));
    QCOMPARE(QFileInfo(sshd.clientKeyPath()).permissions() &
                 (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                  QFileDevice::WriteOther),
             QFileDevice::Permissions());
    QVERIFY(readFile(sshd.knownHostsPath())
                .startsWith("[127.0.0.1]:" + QByteArray::number(sshd.port()) + " ssh-ed25519 "));

    QByteArray out;
    const int rc =
        ssh(sshd.sshConfigPath(), {}, QStringLiteral("echo hello-from-sshd; id -un"), &out);
    QVERIFY2(rc == 0, out.constData());
    QCOMPARE(out, "hello-from-sshd\n" + sshd.user().toUtf8() + '\n');
    // The server's side: it was the fixture's key that got the user in.
    QVERIFY(waitUntil(
        [&] {
            return readFile(sshd.dir() + QStringLiteral("/sshd.log"))
                .contains("Accepted publickey for " + sshd.user().toUtf8());
        },
        5000));
}

void TestFixtureSshd::writesFiles()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    const QByteArray content = "line one\nline two with \"quotes\" and $HOME\n";
    const QString target = sshd.dir() + QStringLiteral("/written.txt");
    QByteArray out;
    const int rc =
        ssh(sshd.sshConfigPath(), {}, QStringLiteral("cat > '%1'").arg(target), &out, content);
    QVERIFY2(rc == 0, out.constData());
    QCOMPARE(readFile(target), content);

    // SFTP (internal-sftp) through the same client config.
    FixtureDir local;
    QVERIFY(local.write(QStringLiteral("upload.pem"), content));
    QVERIFY(local.write(QStringLiteral("batch"),
                        QStringLiteral("put %1 %2/uploaded.pem\n")
                            .arg(local.filePath(QStringLiteral("upload.pem")), sshd.dir())
                            .toUtf8()));
    const int sftpRc =
        runTool(QStringLiteral("sftp"),
                {QStringLiteral("-F"), sshd.sshConfigPath(), QStringLiteral("-b"),
                 local.filePath(QStringLiteral("batch")), QLatin1String(SshdFixture::hostAlias)},
                &out, 20000);
    QVERIFY2(sftpRc == 0, out.constData());
    QCOMPARE(readFile(sshd.dir() + QStringLiteral("/uploaded.pem")), content);
}

void TestFixtureSshd::differentKnownHostKeyIsRefused()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    FixtureDir other;
    const QString key = makeKey(other, QStringLiteral("not_the_host"));
    QVERIFY(!key.isEmpty());
    const QList<QByteArray> pub = readFile(key + QStringLiteral(".pub")).split(' ');
    QVERIFY(pub.size() >= 2);
    QVERIFY(other.write(QStringLiteral("known_hosts"),
                        "[127.0.0.1]:" + QByteArray::number(sshd.port()) + ' ' + pub.at(0) + ' ' +
                            pub.at(1) + '\n'));
    QByteArray out;
    const int rc =
        ssh(sshd.sshConfigPath(),
            {QStringLiteral("-o"), QStringLiteral("UserKnownHostsFile=%1")
                                       .arg(other.filePath(QStringLiteral("known_hosts")))},
            QStringLiteral("echo should-not-run"), &out);
    QCOMPARE(rc, 255);
    QVERIFY2(out.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"), out.constData());
    QVERIFY2(out.contains("Host key verification failed."), out.constData());
    QVERIFY(!out.contains("should-not-run"));
}

void TestFixtureSshd::unauthorizedClientKeyIsRefused()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    FixtureDir other;
    const QString key = makeKey(other, QStringLiteral("stranger"));
    QVERIFY(!key.isEmpty());
    // IdentityFile accumulates: -o would add to the authorized key, so the
    // stranger gets a config of its own.
    QByteArray config = readFile(sshd.sshConfigPath());
    QVERIFY(config.contains(sshd.clientKeyPath().toUtf8()));
    config.replace(sshd.clientKeyPath().toUtf8(), key.toUtf8());
    QVERIFY(other.write(QStringLiteral("ssh_config"), config));
    const QString strangerConfig = other.filePath(QStringLiteral("ssh_config"));

    QByteArray out;
    int rc = ssh(strangerConfig, {}, QStringLiteral("echo should-not-run"), &out);
    QCOMPARE(rc, 255);
    QVERIFY2(out.contains("Permission denied (publickey)"), out.constData());
    QVERIFY(!out.contains("should-not-run"));

    // The same client gets in once its key is authorized: the refusal was the key's.
    QVERIFY2(sshd.authorizeKey(key + QStringLiteral(".pub")), qPrintable(sshd.errorString()));
    rc = ssh(strangerConfig, {}, QStringLiteral("echo now-authorized"), &out);
    QVERIFY2(rc == 0, out.constData());
    QCOMPARE(out, QByteArray("now-authorized\n"));
}

void TestFixtureSshd::libsshUsesTheClientFiles()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    QByteArray error;
    SshSessionPtr session = libsshConnect(sshd, &error);
    QVERIFY2(session, error.constData());
    QCOMPARE(ssh_session_is_known_server(session.get()), SSH_KNOWN_HOSTS_OK);
    QCOMPARE(ssh_userauth_publickey_auto(session.get(), nullptr, nullptr), int(SSH_AUTH_SUCCESS));

    SshChannelPtr channel(ssh_channel_new(session.get()));
    QVERIFY(channel);
    QCOMPARE(ssh_channel_open_session(channel.get()), SSH_OK);
    QCOMPARE(ssh_channel_request_exec(channel.get(), "echo hello-from-libssh"), SSH_OK);
    QByteArray out;
    char buf[256];
    int n = 0;
    while ((n = ssh_channel_read_timeout(channel.get(), buf, sizeof buf, 0, 10000)) > 0) {
        out.append(buf, n);
    }
    QVERIFY2(n == 0, ssh_get_error(session.get()));
    ssh_channel_send_eof(channel.get());
    ssh_channel_close(channel.get());
    QCOMPARE(out, QByteArray("hello-from-libssh\n"));
}

void TestFixtureSshd::replacedHostKeyIsDetected()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    const QString oldFingerprint = sshd.hostKeyFingerprint();
    const quint16 port = sshd.port();
    QVERIFY2(sshd.replaceHostKey(), qPrintable(sshd.errorString()));
    QCOMPARE(sshd.port(), port);
    QVERIFY(sshd.hostKeyFingerprint() != oldFingerprint);

    QByteArray out;
    QCOMPARE(ssh(sshd.sshConfigPath(), {}, QStringLiteral("echo should-not-run"), &out), 255);
    QVERIFY2(out.contains("Host key verification failed."), out.constData());
    // ssh names the key it was offered: the new one.
    QVERIFY2(out.contains(sshd.hostKeyFingerprint().toUtf8()), out.constData());

    QByteArray error;
    {
        SshSessionPtr session = libsshConnect(sshd, &error);
        QVERIFY2(session, error.constData());
        QCOMPARE(ssh_session_is_known_server(session.get()), SSH_KNOWN_HOSTS_CHANGED);
    }

    QVERIFY(sshd.trustCurrentHostKey());
    QCOMPARE(ssh(sshd.sshConfigPath(), {}, QStringLiteral("echo trusted-again"), &out), 0);
    QCOMPARE(out, QByteArray("trusted-again\n"));
}

void TestFixtureSshd::stopEndsSessions()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    QProcess client;
    client.start(QStringLiteral("ssh"),
                 {QStringLiteral("-F"), sshd.sshConfigPath(), QLatin1String(SshdFixture::hostAlias),
                  QStringLiteral("echo $$; exec sleep 60")});
    QVERIFY(client.waitForStarted());
    QVERIFY2(waitUntil([&] { return client.canReadLine(); }, 10000),
             client.readAllStandardError().constData());
    const qint64 remotePid = client.readLine().trimmed().toLongLong();
    QVERIFY(remotePid > 0);
    QVERIFY(processAlive(remotePid));
    const qint64 listener = sshd.pid();
    QVERIFY(processAlive(listener));

    sshd.stop();
    QVERIFY(!processAlive(listener));
    // The session left sshd's process group (setsid), yet stop() ended it.
    QVERIFY(waitUntil([&] { return !processAlive(remotePid); }, 5000));
    // The client sees its connection dropped.
    QVERIFY(waitUntil([&] { return client.state() == QProcess::NotRunning; }, 10000));
    QVERIFY(!tcpPortAnswers(sshd.port()));
}

void TestFixtureSshd::badConfigIsReported()
{
    SshdFixture sshd;
    QVERIFY(!sshd.start(QStringLiteral("NoSuchKeyword yes\n")));
    // The error carries sshd's own complaint, for a diagnosable CI failure.
    QVERIFY2(sshd.errorString().contains(QLatin1String("NoSuchKeyword")),
             qPrintable(sshd.errorString()));
    QCOMPARE(sshd.pid(), 0);
}

QTEST_GUILESS_MAIN(TestFixtureSshd)
#include "test_fixture_sshd.moc"
