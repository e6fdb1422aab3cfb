// SPDX-License-Identifier: GPL-3.0-or-later
// remoteshell: quoting checked by a real /bin/sh (the words must come back
// exactly), the sudo prefix, and the messages of failed commands.
#include "deploy/ssh/RemoteShell.h"

#include <QProcess>
#include <QTest>

using namespace certdeck;
using namespace certdeck::deploy;

namespace {

/// What /bin/sh makes of `commandLine`: its stdout.
QByteArray shell(const QString& commandLine)
{
    QProcess sh;
    sh.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), commandLine});
    if (!sh.waitForStarted()) {
        return "<no shell>";
    }
    sh.closeWriteChannel();
    sh.waitForFinished(10000);
    return sh.readAllStandardOutput();
}

} // namespace

class TestRemoteShell : public QObject
{
    Q_OBJECT
private slots:
    void quoteSurvivesTheShell_data();
    void quoteSurvivesTheShell();
    void commandKeepsWords();
    void sudoPrefix();
    void sudoRefusals_data();
    void sudoRefusals();
    void checkExitNamesWhatFailed();
};

void TestRemoteShell::quoteSurvivesTheShell_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("plain") << QStringLiteral("/etc/nginx/ssl/cert.pem");
    QTest::newRow("empty") << QString();
    QTest::newRow("space") << QStringLiteral("/srv/my certs/a b.pem");
    QTest::newRow("single quotes") << QStringLiteral("it's 'quoted' ''");
    QTest::newRow("expansions") << QStringLiteral("$HOME ${PATH} $(id) `id` !1 ~ *");
    QTest::newRow("separators") << QStringLiteral("a; rm -rf /tmp/x && b | c > d < e &");
    QTest::newRow("backslashes") << QStringLiteral("\\ \\\\ \\' \\n");
    QTest::newRow("newline") << QStringLiteral("line one\nline two");
    QTest::newRow("utf-8") << QStringLiteral("/etc/ssl/zertifikat-\u00e4\u00f6\u00fc-\u20ac.pem");
    QTest::newRow("leading dash") << QStringLiteral("-rf");
}

void TestRemoteShell::quoteSurvivesTheShell()
{
    QFETCH(QString, text);
    const QString quoted = remoteshell::quote(text);
    QVERIFY(quoted.startsWith(u'\'') && quoted.endsWith(u'\''));
    QCOMPARE(QString::fromUtf8(shell(QStringLiteral("printf '%s' ") + quoted)), text);
}

void TestRemoteShell::commandKeepsWords()
{
    const QStringList argv{QStringLiteral("printf"),
                           QStringLiteral("[%s]"),
                           QStringLiteral("a b"),
                           QStringLiteral("it's"),
                           QString(),
                           QStringLiteral("$x")};
    QCOMPARE(shell(remoteshell::command(argv)), QByteArray("[a b][it's][][$x]"));
}

void TestRemoteShell::sudoPrefix()
{
    QCOMPARE(remoteshell::withSudo(QStringLiteral("nginx -t"), false), QStringLiteral("nginx -t"));
    const QString line = remoteshell::withSudo(QStringLiteral("cat 'a b' > /x"));
    QCOMPARE(line, QStringLiteral("sudo -n -- sh -c 'cat '\\''a b'\\'' > /x'"));
    // Strip the prefix and let a real shell show what sudo would run.
    const QString prefix = QStringLiteral("sudo -n -- sh -c ");
    QVERIFY(line.startsWith(prefix));
    QCOMPARE(shell(QStringLiteral("printf '%s' ") + line.mid(prefix.size())),
             QByteArray("cat 'a b' > /x"));
}

void TestRemoteShell::sudoRefusals_data()
{
    QTest::addColumn<QByteArray>("err");
    QTest::addColumn<bool>("refusal");
    QTest::newRow("password") << QByteArray("sudo: a password is required\n") << true;
    QTest::newRow("terminal") << QByteArray("sudo: a terminal is required to read the password")
                              << true;
    QTest::newRow("not in sudoers")
        << QByteArray("deploy is not in the sudoers file.  This incident will be reported.\n"
                      "sudo: ...")
        << true;
    QTest::newRow("not allowed")
        << QByteArray("Sorry, user deploy is not allowed to execute '/usr/sbin/nginx -t' as "
                      "root on web1.\nsudo: ...")
        << true;
    QTest::newRow("the command's own error")
        << QByteArray("nginx: [emerg] cannot load certificate \"/etc/ssl/x.pem\"\n") << false;
    QTest::newRow("empty") << QByteArray() << false;
}

void TestRemoteShell::sudoRefusals()
{
    QFETCH(QByteArray, err);
    QFETCH(bool, refusal);
    QCOMPARE(remoteshell::isSudoRefusal(err), refusal);
}

void TestRemoteShell::checkExitNamesWhatFailed()
{
    ExecResult ok;
    ok.exitStatus = 0;
    QVERIFY(remoteshell::checkExit(ok, QStringLiteral("reload nginx"), QStringLiteral("web1")));

    ExecResult failed;
    failed.exitStatus = 1;
    failed.err = QByteArray(5000, 'x') + "\nnginx: [emerg] the real cause\n";
    Status status =
        remoteshell::checkExit(failed, QStringLiteral("reload nginx"), QStringLiteral("web1"));
    QVERIFY(!status);
    QCOMPARE(status.error().code, ErrorCode::Io);
    QCOMPARE(status.error().message,
             QStringLiteral("reload nginx on web1 failed: the command exited with status 1"));
    // The tail, where the cause is, not the whole output.
    QVERIFY(status.error().detail.endsWith(QLatin1String("nginx: [emerg] the real cause")));
    QVERIFY(status.error().detail.size() < 2100);

    ExecResult killed;
    killed.exitSignal = QStringLiteral("KILL");
    status = remoteshell::checkExit(killed, QStringLiteral("validate"), QStringLiteral("web2"));
    QVERIFY(!status);
    QVERIFY(status.error().message.contains(QLatin1String("was killed by SIGKILL")));
    QCOMPARE(status.error().detail, QStringLiteral("no output on stderr"));
}

QTEST_GUILESS_MAIN(TestRemoteShell)
#include "test_remote_shell.moc"
