// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the real certdeckctl binary as a user or a monitoring system would.
#include "CtlRun.h"
#include "PeerProcess.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck::test;

class TestCertdeckctl : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void versionAndHelp();
    void usageErrorsExitUnknown_data();
    void usageErrorsExitUnknown();
    void aboutJsonMatchesOpensslCli();
    void storeInfoAndCheck();
    void damagedStoreIsCritical();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(const QStringList& args, const QString& db = {});
    QString m_ctl;
    QTemporaryDir m_tmp;
};

TestCertdeckctl::Run TestCertdeckctl::ctl(const QStringList& args, const QString& db)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"),
               db.isEmpty() ? m_tmp.filePath(QStringLiteral("default.sqlite")) : db);
    return certdeck::test::runCtl(args, env, 30000);
}

void TestCertdeckctl::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(m_ctl), "CERTDECKCTL must name the built certdeckctl");
}

void TestCertdeckctl::versionAndHelp()
{
    const Run v = ctl({QStringLiteral("--version")});
    QCOMPARE(v.code, 0);
    QVERIFY(v.out.startsWith("certdeckctl "));
    const Run h = ctl({QStringLiteral("--help")});
    QCOMPARE(h.code, 0);
    // The exit codes are documented where an admin wiring a check looks.
    for (const char* line : {"0  OK", "1  WARNING", "2  CRITICAL", "3  UNKNOWN"}) {
        QVERIFY2(h.out.contains(line), h.out.constData());
    }
    QVERIFY(h.out.contains("--json"));
    const Run sub = ctl({QStringLiteral("store"), QStringLiteral("--help")});
    QCOMPARE(sub.code, 0);
    QVERIFY2(sub.out.contains("certdeckctl store info") &&
                 sub.out.contains("certdeckctl store check"),
             sub.out.constData());
}

void TestCertdeckctl::usageErrorsExitUnknown_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("no command") << QStringList{} << QByteArray("no command given");
    QTest::newRow("unknown command")
        << QStringList{QStringLiteral("frobnicate")} << QByteArray("unknown command 'frobnicate'");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frob")} << QByteArray("frob");
    QTest::newRow("store without action")
        << QStringList{QStringLiteral("store")} << QByteArray("info or check");
    QTest::newRow("about with argument")
        << QStringList{QStringLiteral("about"), QStringLiteral("x")}
        << QByteArray("takes no arguments");
}

void TestCertdeckctl::usageErrorsExitUnknown()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, message);
    const Run r = ctl(args);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void TestCertdeckctl::aboutJsonMatchesOpensslCli()
{
    const Run r = ctl({QStringLiteral("--json"), QStringLiteral("about")});
    QCOMPARE(r.code, 0);
    QJsonParseError pe{};
    const QJsonObject o = QJsonDocument::fromJson(r.out, &pe).object();
    QVERIFY2(pe.error == QJsonParseError::NoError, r.out.constData());
    // Same library as the openssl CLI on this machine (both from Debian's libssl3).
    QByteArray cli;
    QCOMPARE(runTool(QStringLiteral("openssl"), {QStringLiteral("version")}, &cli), 0);
    QVERIFY2(cli.startsWith(o.value(QStringLiteral("openssl")).toString().toUtf8()),
             (cli + " vs " + r.out).constData());
    QVERIFY(o.value(QStringLiteral("libssh")).toString().startsWith(QLatin1String("0.")));
    QVERIFY(o.value(QStringLiteral("qt")).toString().startsWith(QLatin1String("6.")));
    const QJsonObject features =
        o.value(QStringLiteral("cpu")).toObject().value(QStringLiteral("features")).toObject();
    QCOMPARE(features.size(), 8);
    QVERIFY(features.contains(QStringLiteral("AES-NI")));
    QVERIFY(features.contains(QStringLiteral("AVX-512")));
    QVERIFY(features.contains(QStringLiteral("AVX-512 IFMA")));
}

void TestCertdeckctl::storeInfoAndCheck()
{
    const QString db = m_tmp.filePath(QStringLiteral("info/certdeck.sqlite"));
    const Run info =
        ctl({QStringLiteral("store"), QStringLiteral("info"), QStringLiteral("--json")}, db);
    QCOMPARE(info.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(info.out).object();
    QCOMPARE(o.value(QStringLiteral("backend")).toString(), QStringLiteral("SQLite"));
    QCOMPARE(o.value(QStringLiteral("location")).toString(), db);
    QCOMPARE(o.value(QStringLiteral("journalMode")).toString(), QStringLiteral("wal"));
    QCOMPARE(o.value(QStringLiteral("schemaVersion")).toInt(),
             o.value(QStringLiteral("latestSchemaVersion")).toInt());
    const Run check = ctl({QStringLiteral("store"), QStringLiteral("check")}, db);
    QCOMPARE(check.code, 0);
    QVERIFY2(check.out.startsWith("STORE OK"), check.out.constData());
    // --db overrides $CERTDECK_DB.
    const QString other = m_tmp.filePath(QStringLiteral("other.sqlite"));
    const Run viaFlag =
        ctl({QStringLiteral("--db"), other, QStringLiteral("store"), QStringLiteral("info")}, db);
    QCOMPARE(viaFlag.code, 0);
    QVERIFY(viaFlag.out.contains(other.toUtf8()));
}

void TestCertdeckctl::damagedStoreIsCritical()
{
    const QString db = m_tmp.filePath(QStringLiteral("damaged.sqlite"));
    QFile f(db);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(8192, 'x'));
    f.close();
    const Run check = ctl({QStringLiteral("store"), QStringLiteral("check")}, db);
    QCOMPARE(check.code, 2);
    QVERIFY2(check.err.contains("not an SQLite database"), check.err.constData());
    const Run json =
        ctl({QStringLiteral("--json"), QStringLiteral("store"), QStringLiteral("check")}, db);
    QCOMPARE(json.code, 2);
    const QJsonObject e =
        QJsonDocument::fromJson(json.out).object().value(QStringLiteral("error")).toObject();
    QCOMPARE(e.value(QStringLiteral("code")).toString(), QStringLiteral("database"));
    QVERIFY(e.value(QStringLiteral("detail")).toString().contains(db));
    // The file is untouched.
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray(8192, 'x'));
}

QTEST_GUILESS_MAIN(TestCertdeckctl)
#include "test_certdeckctl.moc"
