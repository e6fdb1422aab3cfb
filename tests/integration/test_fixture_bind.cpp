// SPDX-License-Identifier: GPL-3.0-or-later
// Smoke test of the BIND fixture: the zone answers, and RFC 2136 updates made
// by nsupdate (an independent client) are accepted only with the right key.
#include "BindFixture.h"

#include <QFile>
#include <QTest>
#include <csignal>
#include <sys/stat.h>

using namespace certdeck::test;

namespace {

// What dig answered, so a failed QCOMPARE prints it.
QStringList ask(const BindFixture& bind, const QString& name, const QString& type)
{
    return bind.query(name, type).value_or(QStringList{QStringLiteral("<dig got no answer>")});
}

} // namespace

class TestFixtureBind : public QObject
{
    Q_OBJECT
private slots:
    void answersSoa();
    void signedUpdateAddsAndDeletes();
    void wrongKeyAndUnsignedRefused();
    void otherZoneWithExtraRecords();
    void brokenZoneFailsWithLog();
    void stopLeavesNoProcess();

private:
    static int nsupdate(const BindFixture& bind, const QString& keyFile, const QString& commands,
                        QByteArray* out);
};

int TestFixtureBind::nsupdate(const BindFixture& bind, const QString& keyFile,
                              const QString& commands, QByteArray* out)
{
    QStringList args{QStringLiteral("-t"), QStringLiteral("5")};
    if (!keyFile.isEmpty()) {
        args << QStringLiteral("-k") << keyFile;
    }
    const QString script = QStringLiteral("server 127.0.0.1 %1\nzone %2\n%3\nsend\n")
                               .arg(bind.port())
                               .arg(bind.zone(), commands);
    return runTool(QStringLiteral("nsupdate"), args, out, 20000, {}, script.toUtf8());
}

void TestFixtureBind::answersSoa()
{
    BindFixture bind;
    QVERIFY2(bind.start(), qPrintable(bind.errorString()));
    QVERIFY(bind.port() > 0);
    QCOMPARE(bind.zone(), QStringLiteral("example.test"));

    // The full dig answer: authoritative, NOERROR, our SOA.
    QByteArray out;
    QCOMPARE(
        runTool(QStringLiteral("dig"),
                {QStringLiteral("@127.0.0.1"), QStringLiteral("-p"), QString::number(bind.port()),
                 QStringLiteral("+norec"), QStringLiteral("example.test"), QStringLiteral("SOA")},
                &out),
        0);
    QVERIFY2(out.contains("status: NOERROR"), out.constData());
    QVERIFY2(out.contains("flags: qr aa"), out.constData());
    QVERIFY2(out.contains("SOA\tns1.example.test. hostmaster.example.test. 1 3600 600 86400 60"),
             out.constData());

    QCOMPARE(ask(bind, QStringLiteral("www.example.test"), QStringLiteral("A")),
             QStringList{QStringLiteral("127.0.0.1")});
    QCOMPARE(ask(bind, QStringLiteral("nothing.example.test"), QStringLiteral("A")), QStringList{});
    // Not authoritative for anything else and no recursion.
    QByteArray other;
    runTool(QStringLiteral("dig"),
            {QStringLiteral("@127.0.0.1"), QStringLiteral("-p"), QString::number(bind.port()),
             QStringLiteral("example.org"), QStringLiteral("A")},
            &other);
    QVERIFY2(other.contains("status: REFUSED"), other.constData());

    // The key the fixture hands out: 0600, 32-byte secret.
    struct stat st
    {
    };
    QCOMPARE(::stat(QFile::encodeName(bind.keyFilePath()).constData(), &st), 0);
    QCOMPARE(st.st_mode & 07777, 0600u);
    QCOMPARE(QByteArray::fromBase64(bind.keySecretBase64()).size(), 32);
    QCOMPARE(BindFixture::keyAlgorithm(), QStringLiteral("hmac-sha256"));
}

void TestFixtureBind::signedUpdateAddsAndDeletes()
{
    BindFixture bind;
    QVERIFY2(bind.start(), qPrintable(bind.errorString()));
    const QString name = QStringLiteral("_acme-challenge.www.example.test.");

    QByteArray out;
    QCOMPARE(nsupdate(bind, bind.keyFilePath(),
                      QStringLiteral("update add %1 60 IN TXT \"token-1\"").arg(name), &out),
             0);
    QCOMPARE(ask(bind, name, QStringLiteral("TXT")), QStringList{QStringLiteral("\"token-1\"")});

    QCOMPARE(nsupdate(bind, bind.keyFilePath(),
                      QStringLiteral("update delete %1 TXT \"token-1\"").arg(name), &out),
             0);
    QCOMPARE(ask(bind, name, QStringLiteral("TXT")), QStringList{});
    QVERIFY2(bind.log().contains("approved"), bind.log().constData());
}

void TestFixtureBind::wrongKeyAndUnsignedRefused()
{
    BindFixture bind;
    QVERIFY2(bind.start(), qPrintable(bind.errorString()));
    const QString name = QStringLiteral("_acme-challenge.www.example.test.");
    const QString add = QStringLiteral("update add %1 60 IN TXT \"forged\"").arg(name);

    // Same key name, another secret: the signature does not verify.
    FixtureDir keys;
    const QString wrongKey = keys.filePath(QStringLiteral("wrong.key"));
    QVERIFY(keys.write(QStringLiteral("wrong.key"),
                       QStringLiteral("key \"%1\" { algorithm hmac-sha256; secret \"%2\"; };\n")
                           .arg(bind.keyName(), QString::fromLatin1(QByteArray(32, 'x').toBase64()))
                           .toUtf8()));
    QVERIFY(QFile::setPermissions(wrongKey, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QByteArray out;
    QVERIFY(nsupdate(bind, wrongKey, add, &out) != 0);
    QVERIFY2(out.contains("NOTAUTH(BADSIG)"), out.constData());
    QCOMPARE(ask(bind, name, QStringLiteral("TXT")), QStringList{});

    QVERIFY(nsupdate(bind, {}, add, &out) != 0);
    QVERIFY2(out.contains("REFUSED"), out.constData());
    QCOMPARE(ask(bind, name, QStringLiteral("TXT")), QStringList{});

    // The right key still works afterwards: the refusals were about the keys.
    QCOMPARE(nsupdate(bind, bind.keyFilePath(), add, &out), 0);
    QCOMPARE(ask(bind, name, QStringLiteral("TXT")), QStringList{QStringLiteral("\"forged\"")});
}

void TestFixtureBind::otherZoneWithExtraRecords()
{
    BindFixture bind;
    QVERIFY2(bind.start(QStringLiteral("acme.internal.test."),
                        {QStringLiteral("extra 60 IN TXT \"hello world\""),
                         QStringLiteral("mail 60 IN A 127.0.0.2")}),
             qPrintable(bind.errorString()));
    QCOMPARE(bind.zone(), QStringLiteral("acme.internal.test"));
    QCOMPARE(ask(bind, QStringLiteral("extra.acme.internal.test"), QStringLiteral("TXT")),
             QStringList{QStringLiteral("\"hello world\"")});
    QCOMPARE(ask(bind, QStringLiteral("mail.acme.internal.test"), QStringLiteral("A")),
             QStringList{QStringLiteral("127.0.0.2")});
    QVERIFY(!bind.query(QStringLiteral("www.example.test"), QStringLiteral("A")).has_value());
}

void TestFixtureBind::brokenZoneFailsWithLog()
{
    BindFixture bind;
    QVERIFY(!bind.start(QStringLiteral("example.test"), {QStringLiteral("bad 60 IN A not-an-ip")}));
    // named's own words reach the test log, so a CI failure is diagnosable.
    QVERIFY2(bind.errorString().contains(QLatin1String("not-an-ip")) ||
                 bind.errorString().contains(QLatin1String("bad dotted quad")),
             qPrintable(bind.errorString()));
}

void TestFixtureBind::stopLeavesNoProcess()
{
    BindFixture bind;
    QVERIFY2(bind.start(), qPrintable(bind.errorString()));
    const qint64 pid = bind.pid();
    QVERIFY(::kill(static_cast<pid_t>(pid), 0) == 0);
    bind.stop();
    QVERIFY(::kill(static_cast<pid_t>(pid), 0) != 0);
    QVERIFY(!tcpPortAnswers(bind.port()));
    QCOMPARE(bind.query(bind.zone(), QStringLiteral("SOA")).has_value(), false);
}

QTEST_GUILESS_MAIN(TestFixtureBind)
#include "test_fixture_bind.moc"
