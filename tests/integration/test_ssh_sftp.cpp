// SPDX-License-Identifier: GPL-3.0-or-later
// SftpClient and the sudo helpers against a real OpenSSH sshd (SshdFixture).
// The sshd runs on this machine, so the local file system is the oracle for
// what SFTP did: bytes, modes and owners are read back with QFile and stat(2).
#include "SshdFixture.h"
#include "deploy/ssh/RemoteShell.h"
#include "deploy/ssh/SftpClient.h"
#include "deploy/ssh/SshSession.h"

#include <QDir>
#include <QFile>
#include <QTest>
#include <sys/stat.h>
#include <unistd.h>

using namespace certdeck;
using namespace certdeck::deploy;
using namespace certdeck::test;

namespace {

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// The permission bits as stat(2) sees them; -1 if the path is missing.
int localMode(const QString& path)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0) {
        return -1;
    }
    return static_cast<int>(st.st_mode & 07777);
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

/// Every byte value, several times over, with line ends of both kinds.
QByteArray binaryContent(int rounds)
{
    QByteArray data;
    for (int r = 0; r < rounds; ++r) {
        for (int b = 0; b < 256; ++b) {
            data.append(static_cast<char>(b));
        }
        data.append("\r\n-----END CERTIFICATE-----\n");
    }
    return data;
}

QStringList leftovers(const QString& dir)
{
    return QDir(dir).entryList({QStringLiteral("*.certdeck-*")},
                               QDir::Files | QDir::Hidden | QDir::System);
}

} // namespace

class TestSshSftp : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void roundTripKeepsBytesAndModes();
    void renameRemoveAndSymlinks();
    void missingPathsAreNamed();
    void readIsCapped();
    void stuckCallTimesOut();
    void sudoPrefixAndRefusal();
};

void TestSshSftp::initTestCase()
{
    qunsetenv("SSH_AUTH_SOCK");
}

void TestSshSftp::roundTripKeepsBytesAndModes()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    SshSession session(fixtureOptions(sshd));
    QVERIFY(session.connect());
    Result<SftpClient*> sftp = session.sftp();
    QVERIFY2(sftp, qPrintable(sftp ? QString() : sftp.error().toString()));

    const QString dir = sshd.dir() + QStringLiteral("/etc-ssl");
    QVERIFY((*sftp)->mkdir(dir, 0750));
    QVERIFY(QFileInfo(dir).isDir());
    QCOMPARE(localMode(dir), 0750);

    const QString cert = dir + QStringLiteral("/fullchain.pem");
    const QByteArray first = binaryContent(40);
    RemoteWriteOptions options;
    options.mode = 0640;
    Status written = (*sftp)->writeFile(cert, first, options);
    QVERIFY2(written, qPrintable(written ? QString() : written.error().toString()));
    QVERIFY(readFile(cert) == first);
    QCOMPARE(localMode(cert), 0640);

    Result<RemoteFileInfo> info = (*sftp)->stat(cert);
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QCOMPARE(info->type, RemoteFileInfo::Type::Regular);
    QCOMPARE(info->mode, 0640u);
    QCOMPARE(info->size, quint64(first.size()));
    QCOMPARE(info->uid, quint32(::getuid()));
    QCOMPARE(info->gid, quint32(::getgid()));
    QVERIFY(info->modified.isValid());

    Result<QByteArray> back = (*sftp)->readFile(cert);
    QVERIFY2(back, qPrintable(back ? QString() : back.error().toString()));
    QVERIFY(*back == first);

    // Replacing an existing file keeps its mode when none is asked for.
    const QByteArray second = binaryContent(3) + "second version\n";
    written = (*sftp)->writeFile(cert, second);
    QVERIFY2(written, qPrintable(written ? QString() : written.error().toString()));
    QVERIFY(readFile(cert) == second);
    QCOMPARE(localMode(cert), 0640);
    // A new file without options gets 0644.
    const QString chain = dir + QStringLiteral("/chain.pem");
    QVERIFY((*sftp)->writeFile(chain, "chain\n"));
    QCOMPARE(localMode(chain), 0644);
    // An empty file is a file too.
    QVERIFY((*sftp)->writeFile(chain, QByteArray()));
    QCOMPARE(QFileInfo(chain).size(), 0);
    QVERIFY(leftovers(dir).isEmpty());

    QVERIFY((*sftp)->chmod(cert, 0600));
    QCOMPARE(localMode(cert), 0600);
    QVERIFY((*sftp)->chown(cert, ::getuid(), ::getgid()));
    const Result<bool> present = (*sftp)->exists(cert);
    QVERIFY(present && *present);
    const Result<bool> absent = (*sftp)->exists(dir + QStringLiteral("/nothing-here"));
    QVERIFY(absent && !*absent);
}

void TestSshSftp::renameRemoveAndSymlinks()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    SshSession session(fixtureOptions(sshd));
    QVERIFY(session.connect());
    Result<SftpClient*> sftp = session.sftp();
    QVERIFY(sftp);
    const QString dir = sshd.dir();
    const QString a = dir + QStringLiteral("/a.pem");
    const QString b = dir + QStringLiteral("/b.pem");
    QVERIFY((*sftp)->writeFile(a, "A\n"));
    QVERIFY((*sftp)->writeFile(b, "B\n"));

    // SFTP v3 rename never replaces; replace() does, atomically.
    const Status refused = (*sftp)->rename(a, b);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(a) && refused.error().message.contains(b),
             qPrintable(refused.error().message));
    QCOMPARE(readFile(b), QByteArray("B\n"));
    QVERIFY((*sftp)->replace(a, b));
    QCOMPARE(readFile(b), QByteArray("A\n"));
    QVERIFY(!QFile::exists(a));
    QVERIFY((*sftp)->rename(b, a));
    QCOMPARE(readFile(a), QByteArray("A\n"));

    // Writing through a symlink replaces the file it points to and keeps
    // the link (as /etc/letsencrypt/live/ has them).
    const QString link = dir + QStringLiteral("/live.pem");
    QVERIFY(QFile::link(a, link));
    QVERIFY((*sftp)->writeFile(link, "through the link\n"));
    QVERIFY(QFileInfo(link).isSymLink());
    QCOMPARE(readFile(a), QByteArray("through the link\n"));
    Result<RemoteFileInfo> linkInfo = (*sftp)->lstat(link);
    QVERIFY(linkInfo);
    QCOMPARE(linkInfo->type, RemoteFileInfo::Type::Symlink);
    QVERIFY(leftovers(dir).isEmpty());

    QVERIFY((*sftp)->remove(link));
    QVERIFY((*sftp)->remove(a));
    QVERIFY(!QFile::exists(a));
    QVERIFY((*sftp)->mkdir(dir + QStringLiteral("/empty")));
    QVERIFY((*sftp)->removeDirectory(dir + QStringLiteral("/empty")));
    QVERIFY(!QFile::exists(dir + QStringLiteral("/empty")));
}

void TestSshSftp::missingPathsAreNamed()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    SshSession session(fixtureOptions(sshd));
    QVERIFY(session.connect());
    Result<SftpClient*> sftp = session.sftp();
    QVERIFY(sftp);

    const QString missing = sshd.dir() + QStringLiteral("/no-such-folder/cert.pem");
    const Result<QByteArray> read = (*sftp)->readFile(missing);
    QVERIFY(!read);
    QCOMPARE(read.error().code, ErrorCode::NotFound);
    QVERIFY2(read.error().message.contains(missing), qPrintable(read.error().message));
    QVERIFY2(read.error().message.contains(QLatin1String("fixture")),
             qPrintable(read.error().message));
    QVERIFY2(read.error().message.contains(QLatin1String("no such file")),
             qPrintable(read.error().message));

    const Result<RemoteFileInfo> info = (*sftp)->stat(missing);
    QVERIFY(!info);
    QCOMPARE(info.error().code, ErrorCode::NotFound);
    QVERIFY(info.error().message.contains(missing));

    const Status written = (*sftp)->writeFile(missing, "x");
    QVERIFY(!written);
    QCOMPARE(written.error().code, ErrorCode::NotFound);
    QVERIFY2(written.error().message.contains(sshd.dir() + QStringLiteral("/no-such-folder/")),
             qPrintable(written.error().message));

    const Status relative = (*sftp)->writeFile(QStringLiteral("cert.pem"), "x");
    QVERIFY(!relative);
    QCOMPARE(relative.error().code, ErrorCode::InvalidInput);
    // The session is still fine after refused calls.
    QVERIFY(session.isConnected());
    const Result<bool> stillThere = (*sftp)->exists(sshd.dir());
    QVERIFY(stillThere && *stillThere);
}

void TestSshSftp::readIsCapped()
{
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    SshSession session(fixtureOptions(sshd));
    QVERIFY(session.connect());
    Result<SftpClient*> sftp = session.sftp();
    QVERIFY(sftp);
    const QString big = sshd.dir() + QStringLiteral("/big.bin");
    QFile file(big);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.write(QByteArray(5000, 'z')) == 5000);
    file.close();
    const Result<QByteArray> read = (*sftp)->readFile(big, 1000);
    QVERIFY(!read);
    QCOMPARE(read.error().code, ErrorCode::InvalidInput);
    QVERIFY2(read.error().message.contains(QLatin1String("5000 bytes")),
             qPrintable(read.error().message));
    QVERIFY(read.error().message.contains(big));
    const Result<QByteArray> whole = (*sftp)->readFile(big, 5000);
    QVERIFY(whole);
    QCOMPARE(whole->size(), 5000);
}

void TestSshSftp::stuckCallTimesOut()
{
    // Opening a FIFO that no one writes blocks the server's SFTP process:
    // the request is never answered, as with a hung NFS mount.
    SshdFixture sshd;
    QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
    const QString fifo = sshd.dir() + QStringLiteral("/stuck.fifo");
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    SshConnectOptions options = fixtureOptions(sshd);
    options.timeouts.sftpMs = 2000;
    SshSession session(options);
    QVERIFY(session.connect());
    Result<SftpClient*> sftp = session.sftp();
    QVERIFY(sftp);
    const Result<QByteArray> read = (*sftp)->readFile(fifo);
    QVERIFY(!read);
    QCOMPARE(read.error().code, ErrorCode::Timeout);
    QVERIFY2(read.error().message.contains(fifo), qPrintable(read.error().message));
    QVERIFY2(read.error().message.contains(QLatin1String("did not finish within 2 s")),
             qPrintable(read.error().message));
    // libssh's SFTP cannot abandon one request: the connection went with it.
    QVERIFY(!session.isConnected());
    const Result<RemoteFileInfo> after = (*sftp)->stat(sshd.dir());
    QVERIFY(!after);
    QCOMPARE(after.error().code, ErrorCode::Network);
    // A new connection works.
    QVERIFY(session.connect());
    QVERIFY(session.exec(QStringLiteral("true")));
}

void TestSshSftp::sudoPrefixAndRefusal()
{
    // sudo stand-ins first in the session's PATH: one that refuses as sudo
    // -n does without a NOPASSWD rule, one that runs the command.
    SshdFixture sshd;
    QVERIFY2(sshd.start(QStringLiteral("SetEnv PATH={dir}/fakebin:/usr/bin:/bin\n")),
             qPrintable(sshd.errorString()));
    const QString bin = sshd.dir() + QStringLiteral("/fakebin");
    QVERIFY(QDir().mkpath(bin));
    const QString argvLog = sshd.dir() + QStringLiteral("/sudo-argv");
    const auto installSudo = [&](const QByteArray& body) {
        QFile script(bin + QStringLiteral("/sudo"));
        QVERIFY(script.open(QIODevice::WriteOnly | QIODevice::Truncate));
        script.write("#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argvLog.toUtf8() + "'\n" + body);
        script.close();
        QVERIFY(script.setPermissions(QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    };
    SshSession session(fixtureOptions(sshd));
    QVERIFY(session.connect());

    installSudo("[ \"$1\" = -n ] || exit 99\nshift\n[ \"$1\" = -- ] && shift\nexec \"$@\"\n");
    const QString tricky = QStringLiteral("it's $HOME `id` \"q\" \\ ; *");
    const QString target = sshd.dir() + QStringLiteral("/as-root.txt");
    Result<ExecResult> run = session.exec(
        remoteshell::withSudo(QStringLiteral("printf '%s' %1 > %2 && cat %2")
                                  .arg(remoteshell::quote(tricky), remoteshell::quote(target))));
    QVERIFY2(run, qPrintable(run ? QString() : run.error().toString()));
    QVERIFY2(run->succeeded(), run->err.constData());
    QCOMPARE(QString::fromUtf8(run->out), tricky);
    QCOMPARE(QString::fromUtf8(readFile(target)), tricky);
    QCOMPARE(readFile(argvLog).split('\n').value(0), QByteArray("-n"));
    QVERIFY(remoteshell::checkExit(*run, QStringLiteral("write as root"), session.label()));

    installSudo("echo 'sudo: a password is required' >&2\nexit 1\n");
    run = session.exec(remoteshell::withSudo(QStringLiteral("nginx -t")));
    QVERIFY(run);
    QCOMPARE(run->exitStatus, 1);
    const Status refused =
        remoteshell::checkExit(*run, QStringLiteral("validate nginx"), session.label());
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::PermissionDenied);
    QVERIFY2(refused.error().message.contains(QLatin1String("validate nginx on fixture")),
             qPrintable(refused.error().message));
    QVERIFY2(refused.error().message.contains(QLatin1String("NOPASSWD")),
             qPrintable(refused.error().message));
    QCOMPARE(refused.error().detail, QStringLiteral("sudo: a password is required"));

    // Any other failure says how the command ended and what it printed.
    run = session.exec(QStringLiteral("echo 'nginx: [emerg] no \"ssl_certificate\"' >&2; exit 1"));
    QVERIFY(run);
    const Status failed =
        remoteshell::checkExit(*run, QStringLiteral("validate nginx"), session.label());
    QVERIFY(!failed);
    QCOMPARE(failed.error().code, ErrorCode::Io);
    QVERIFY(failed.error().message.contains(QLatin1String("exited with status 1")));
    QVERIFY(failed.error().detail.contains(QLatin1String("ssl_certificate")));
}

QTEST_GUILESS_MAIN(TestSshSftp)
#include "test_ssh_sftp.moc"
