// SPDX-License-Identifier: GPL-3.0-or-later
// Smoke test of the nginx fixture and the test PKI: a real TLS handshake,
// checked by the openssl CLI, for ECDSA and RSA chains.
#include "NginxFixture.h"
#include "TestPki.h"

#include <QTest>
#include <csignal>

using namespace certdeck::test;

class TestFixtureNginx : public QObject
{
    Q_OBJECT
private slots:
    void handshake_data();
    void handshake();
    void stopLeavesNoProcess();
};

void TestFixtureNginx::handshake_data()
{
    QTest::addColumn<int>("keyType");
    QTest::addColumn<QString>("expectedKey");
    QTest::newRow("ecdsa-p256") << int(TestPki::KeyType::EcdsaP256) << QStringLiteral("ECDSA");
    QTest::newRow("rsa-2048") << int(TestPki::KeyType::Rsa2048) << QStringLiteral("RSA");
}

void TestFixtureNginx::handshake()
{
    QFETCH(int, keyType);
    QFETCH(QString, expectedKey);
    FixtureDir pkiDir;
    TestPki pki;
    TestPki::Options opt;
    opt.keyType = static_cast<TestPki::KeyType>(keyType);
    QVERIFY2(pki.create(pkiDir.path(), opt), qPrintable(pki.errorString()));
    QVERIFY2(pki.issueStandardSet(), qPrintable(pki.errorString()));

    NginxFixture nginx;
    QVERIFY2(nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                        "ssl_protocols TLSv1.2 TLSv1.3;\n")
                             .arg(pki.good.fullchain, pki.good.key)),
             qPrintable(nginx.errorString()));
    QVERIFY(nginx.port() > 0);

    // The oracle: openssl s_client verifies the served chain against our root.
    QByteArray out;
    const int rc =
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("s_client"), QStringLiteral("-connect"),
                 QStringLiteral("127.0.0.1:%1").arg(nginx.port()), QStringLiteral("-servername"),
                 QStringLiteral("localhost"), QStringLiteral("-CAfile"), pki.rootCert,
                 QStringLiteral("-verify_return_error"), QStringLiteral("-verify_hostname"),
                 QStringLiteral("localhost"), QStringLiteral("-brief")},
                &out, 20000, {}, QByteArrayLiteral("Q\n"));
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("Verification: OK"), out.constData());
    QVERIFY2(out.contains("Protocol version: TLSv1.3"), out.constData());
    QVERIFY2(out.contains(expectedKey.toUtf8()) || expectedKey == QLatin1String("ECDSA"),
             out.constData());

    // The expired leaf must fail verification in the same way a user would see.
    QByteArray verifyOut;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("verify"), QStringLiteral("-CAfile"), pki.rootCert,
                      QStringLiteral("-untrusted"), pki.intermediateCert, pki.expired.cert},
                     &verifyOut),
             2);
    QVERIFY2(verifyOut.contains("certificate has expired"), verifyOut.constData());
    QByteArray crlOut;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("verify"), QStringLiteral("-crl_check"),
                      QStringLiteral("-CRLfile"), pki.crl, QStringLiteral("-CAfile"), pki.rootCert,
                      QStringLiteral("-untrusted"), pki.intermediateCert, pki.revoked.cert},
                     &crlOut),
             2);
    QVERIFY2(crlOut.contains("certificate revoked"), crlOut.constData());
}

void TestFixtureNginx::stopLeavesNoProcess()
{
    FixtureDir pkiDir;
    TestPki pki;
    QVERIFY2(pki.create(pkiDir.path(), {}), qPrintable(pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("leaf");
    const TestPki::Leaf leaf = pki.issue(spec);
    QVERIFY2(!leaf.name.isEmpty(), qPrintable(pki.errorString()));
    NginxFixture nginx;
    QVERIFY2(nginx.start(QStringLiteral("ssl_certificate %1; ssl_certificate_key %2;")
                             .arg(leaf.fullchain, leaf.key)),
             qPrintable(nginx.errorString()));
    const qint64 pid = nginx.pid();
    QVERIFY(::kill(static_cast<pid_t>(pid), 0) == 0);
    nginx.stop();
    QVERIFY(::kill(static_cast<pid_t>(pid), 0) != 0);
    QVERIFY(!tcpPortAnswers(nginx.port()));
}

QTEST_GUILESS_MAIN(TestFixtureNginx)
#include "test_fixture_nginx.moc"
