// SPDX-License-Identifier: GPL-3.0-or-later
// DhParams against `openssl dhparam -check` as the oracle. Generating a
// 2048-bit safe prime takes 10-120 s here (41 s measured for `openssl
// dhparam 2048`), so that one test runs only with CERTDECK_SLOW_TESTS=1;
// cancel and the wire format are tested on every build.
#include "PeerProcess.h"
#include "crypto/DhParams.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

using namespace certdeck;
using namespace certdeck::crypto;
using certdeck::test::runTool;

class TestDhParams : public QObject
{
    Q_OBJECT
private slots:
    void onlyStrongSizes_data();
    void onlyStrongSizes();
    void readsAndWritesWhatOpensslChecks();
    void badPemSaysWhere();
    void callbackStopsTheSearchInsideOpenssl();
    void cancelStops4096Job();
    void generates2048ThatOpensslAccepts();

private:
    QTemporaryDir m_tmp;
};

void TestDhParams::onlyStrongSizes_data()
{
    QTest::addColumn<int>("bits");
    QTest::newRow("1024") << 1024;
    QTest::newRow("2047") << 2047;
    QTest::newRow("0") << 0;
    QTest::newRow("8192") << 8192;
}

void TestDhParams::onlyStrongSizes()
{
    QFETCH(int, bits);
    QVERIFY(!DhParams::isAllowedSize(bits));
    const auto direct = DhParams::generate(bits);
    QVERIFY(!direct);
    QCOMPARE(direct.error().code, ErrorCode::InvalidInput);
    QVERIFY2(direct.error().message.contains(QLatin1String("2048, 3072 or 4096")),
             qPrintable(direct.error().message));
    std::unique_ptr<TypedJob<DhParams>> job(DhParams::generateJob(bits));
    QSignalSpy finished(job.get(), &Job::finished);
    job->start();
    QVERIFY(finished.wait(10000));
    QCOMPARE(job->result().error().code, ErrorCode::InvalidInput);
    for (int ok : {2048, 3072, 4096}) {
        QVERIFY(DhParams::isAllowedSize(ok));
    }
}

void TestDhParams::readsAndWritesWhatOpensslChecks()
{
    // RFC 7919 ffdhe2048 from the openssl CLI: a known-good safe prime
    // without waiting for a search.
    const QString theirs = m_tmp.filePath(QStringLiteral("ffdhe2048.pem"));
    QByteArray out;
    QCOMPARE(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("genpkey"), QStringLiteral("-genparam"),
                 QStringLiteral("-algorithm"), QStringLiteral("DH"), QStringLiteral("-pkeyopt"),
                 QStringLiteral("group:ffdhe2048"), QStringLiteral("-out"), theirs},
                &out),
        0);
    QFile f(theirs);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray pem = f.readAll();
    const auto dh = DhParams::fromPem(pem, QStringLiteral("ffdhe2048.pem"));
    QVERIFY2(dh, qPrintable(dh ? QString() : dh.error().toString()));
    QCOMPARE(dh->bits(), 2048);
    const QByteArray ours = dh->toPem();
    QVERIFY(ours.startsWith("-----BEGIN DH PARAMETERS-----\n"));
    QCOMPARE(ours, pem);
    DhParams copy = *dh;
    QCOMPARE(copy.toPem(), ours);
    QVERIFY(DhParams().toPem().isEmpty());
}

void TestDhParams::badPemSaysWhere()
{
    const auto none = DhParams::fromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END "
                                        "CERTIFICATE-----\n",
                                        QStringLiteral("dh.pem"));
    QVERIFY(!none);
    QCOMPARE(none.error().message,
             QStringLiteral("dh.pem has no '-----BEGIN DH PARAMETERS-----' block"));
    const auto cut = DhParams::fromPem("# nginx\n-----BEGIN DH PARAMETERS-----\nMIIBCAKCAQEA\n",
                                       QStringLiteral("dh.pem"));
    QVERIFY(!cut);
    QCOMPARE(cut.error().code, ErrorCode::InvalidInput);
    QVERIFY2(cut.error().message.startsWith(QLatin1String("dh.pem line 2: '-----BEGIN DH "
                                                          "PARAMETERS-----' has no END line")),
             qPrintable(cut.error().message));
    const auto junk =
        DhParams::fromPem("-----BEGIN DH PARAMETERS-----\nMAMCAQU=\n-----END DH PARAMETERS-----\n",
                          QStringLiteral("dh.pem"));
    QVERIFY(!junk);
    QCOMPARE(junk.error().message,
             QStringLiteral("dh.pem line 1: the DH parameters cannot be read"));
}

void TestDhParams::callbackStopsTheSearchInsideOpenssl()
{
    int calls = 0;
    const auto dh =
        DhParams::generate(2048, [&calls](const PrimeSearchProgress&) { return ++calls < 3; });
    QVERIFY(!dh);
    QCOMPARE(dh.error().code, ErrorCode::Cancelled);
    QCOMPARE(calls, 3);
}

void TestDhParams::cancelStops4096Job()
{
    std::unique_ptr<TypedJob<DhParams>> job(DhParams::generateJob(4096));
    QSignalSpy progress(job.get(), &Job::progress);
    QSignalSpy finished(job.get(), &Job::finished);
    job->start();
    // Wait until the search itself reports, so cancel lands inside OpenSSL.
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(progress.cbegin(), progress.cend(),
                                         [](const QList<QVariant>& args) {
                                             return args.at(2).toString().contains(
                                                 QLatin1String("candidates tested"));
                                         }),
                             30000);
    QCOMPARE(progress.first().at(0).toString(),
             QStringLiteral("Generating 4096-bit DH parameters"));
    QCOMPARE(progress.last().at(1).toDouble(), Job::Indeterminate);
    job->cancel();
    // A 4096-bit search takes minutes; a cancelled one ends at the next
    // candidate. The wait bounds it without asserting a timing.
    QVERIFY(finished.wait(30000));
    QCOMPARE(job->result().error().code, ErrorCode::Cancelled);
    QVERIFY(QThreadPool::globalInstance()->waitForDone(30000));
}

void TestDhParams::generates2048ThatOpensslAccepts()
{
    if (qEnvironmentVariableIntValue("CERTDECK_SLOW_TESTS") != 1) {
        QSKIP("a 2048-bit safe-prime search takes 10-120 s: set CERTDECK_SLOW_TESTS=1");
    }
    std::unique_ptr<TypedJob<DhParams>> job(DhParams::generateJob(2048));
    QSignalSpy finished(job.get(), &Job::finished);
    job->start();
    QVERIFY(finished.wait(600000));
    const auto dh = job->result();
    QVERIFY2(dh, qPrintable(dh ? QString() : dh.error().toString()));
    QCOMPARE(dh->bits(), 2048);
    const QString file = m_tmp.filePath(QStringLiteral("ours.pem"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(dh->toPem());
    f.close();
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("dhparam"), QStringLiteral("-in"), file,
                      QStringLiteral("-check"), QStringLiteral("-noout")},
                     &out),
             0);
    QVERIFY2(out.contains("DH parameters appear to be ok."), out.constData());
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("dhparam"), QStringLiteral("-in"), file,
                      QStringLiteral("-text"), QStringLiteral("-noout")},
                     &out),
             0);
    QVERIFY2(out.contains("(2048 bit)") && out.contains("G:    2 (0x2)"), out.constData());
}

QTEST_GUILESS_MAIN(TestDhParams)
#include "test_dhparams.moc"
