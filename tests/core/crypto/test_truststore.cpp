// SPDX-License-Identifier: GPL-3.0-or-later
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/TrustStore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

class TestTrustStore : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void emptyTrustsNothing();
    void bundleFromFile();
    void systemBundle();
    void badBundles_data();
    void badBundles();

private:
    QTemporaryDir m_dir;
    TestPki m_pki;
};

void TestTrustStore::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
}

void TestTrustStore::emptyTrustsNothing()
{
    const TrustStore t;
    QVERIFY(t.isEmpty());
    QVERIFY(t.handle() != nullptr);
}

void TestTrustStore::bundleFromFile()
{
    // root + intermediate + root again: the repeat is dropped.
    QFile root(m_pki.rootCert);
    QFile inter(m_pki.intermediateCert);
    QVERIFY(root.open(QIODevice::ReadOnly) && inter.open(QIODevice::ReadOnly));
    const QByteArray rootPem = root.readAll();
    const QByteArray bundle = "# a comment\n" + rootPem + inter.readAll() + rootPem;
    auto t = TrustStore::fromPem(bundle, QStringLiteral("bundle.pem"));
    QVERIFY2(t.has_value(), t ? "" : qPrintable(t.error().toString()));
    QCOMPARE(t->anchors().size(), 2);
    QCOMPARE(t->origin(), QStringLiteral("bundle.pem"));
    QCOMPARE(t->anchors().first().commonName(), QStringLiteral("CertDeck Test Root"));
    QVERIFY(t->contains(t->anchors().at(1)));

    auto onlyRoot = TrustStore::fromFile(m_pki.rootCert);
    QVERIFY(onlyRoot.has_value());
    QCOMPARE(onlyRoot->anchors().size(), 1);
    // The intermediate's issuer is found by name; the leaf's issuer is not in it.
    const QList<Certificate> issuers = onlyRoot->issuersByName(t->anchors().at(1));
    QCOMPARE(issuers.size(), 1);
    QCOMPARE(issuers.first().commonName(), QStringLiteral("CertDeck Test Root"));
    QVERIFY(onlyRoot->issuersByName(onlyRoot->anchors().first()).size() == 1); // self-issued

    // One DER certificate is a bundle too.
    auto der = TrustStore::fromFile(m_pki.intermediateDer);
    QVERIFY(der.has_value());
    QCOMPARE(der->anchors().first().commonName(), QStringLiteral("CertDeck Test Intermediate"));
}

void TestTrustStore::systemBundle()
{
    // SSL_CERT_FILE picks the bundle, as it does for OpenSSL itself.
    qputenv("SSL_CERT_FILE", m_pki.rootCert.toLocal8Bit());
    auto mine = TrustStore::system();
    qunsetenv("SSL_CERT_FILE");
    QVERIFY(mine.has_value());
    QCOMPARE(mine->anchors().size(), 1);
    QCOMPARE(mine->origin(), m_pki.rootCert);

    if (!QFile::exists(QStringLiteral("/etc/ssl/certs/ca-certificates.crt"))) {
        QSKIP("no Debian CA bundle on this machine (package ca-certificates)");
    }
    auto sys = TrustStore::system();
    QVERIFY2(sys.has_value(), sys ? "" : qPrintable(sys.error().toString()));
    QVERIFY2(sys->anchors().size() > 50, qPrintable(QString::number(sys->anchors().size())));
}

void TestTrustStore::badBundles_data()
{
    QFile root(m_pki.rootCert);
    QVERIFY(root.open(QIODevice::ReadOnly));
    const QByteArray pem = root.readAll();
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("b.pem is empty");
    QTest::newRow("garbage") << QByteArray("hello world\n")
                             << QStringLiteral("neither PEM certificates nor one DER");
    QTest::newRow("truncated") << pem.left(pem.size() / 2)
                               << QStringLiteral("b.pem line 1: certificate has no END line");
    QByteArray badBase64 = pem;
    badBase64[40] = '*';
    QTest::newRow("bad base64") << badBase64
                                << QStringLiteral("b.pem line 1: the base64 body is damaged");
    QTest::newRow("key, not certificate")
        << QByteArray("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        << QStringLiteral("no PEM certificate");
    QByteArray secondBroken = pem + "\n" + pem;
    secondBroken.insert(pem.size() + 40, "AAAA");
    QTest::newRow("second block broken")
        << secondBroken << QStringLiteral("b.pem line %1").arg(pem.count('\n') + 2);
}

void TestTrustStore::badBundles()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, says);
    auto t = TrustStore::fromPem(data, QStringLiteral("b.pem"));
    QVERIFY(!t.has_value());
    QVERIFY2(t.error().message.contains(says), qPrintable(t.error().toString()));
    QCOMPARE(t.error().code, ErrorCode::InvalidInput);
}

QTEST_GUILESS_MAIN(TestTrustStore)
#include "test_truststore.moc"
