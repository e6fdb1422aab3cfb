// SPDX-License-Identifier: GPL-3.0-or-later
// Crl::parse and checkCrl on CRLs made by `openssl ca -gencrl`, with
// `openssl verify -crl_check` as the oracle.
#include "PeerProcess.h"
#include "RevocationPeers.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "revocation/Crl.h"

#include <QFile>
#include <QTest>

using namespace certdeck;
using namespace certdeck::revocation;
using namespace certdeck::test;
using crypto::Certificate;

class TestCrl : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void parsesDerAndPem();
    void goodAndRevoked();
    void timeWindow();
    void wrongKeyAndWrongIssuer();
    void issuerWithoutCrlSign();
    void parseErrors_data();
    void parseErrors();

private:
    FixtureDir m_dir;
    TestPki m_pki;
    Certificate m_issuer;
    QString m_der;
};

void TestCrl::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    m_issuer = firstCertificateIn(m_pki.intermediateCert);
    m_der = m_dir.filePath(QStringLiteral("crl.der"));
    QVERIFY(m_pki.writeCrl(TestPki::CrlSpec{m_der, {}, {}, true}));
}

void TestCrl::parsesDerAndPem()
{
    const auto der = Crl::parse(fileBytes(m_der), QStringLiteral("crl.der"));
    const auto pem = Crl::parse(fileBytes(m_pki.crl), QStringLiteral("crl.pem"));
    QVERIFY(der && pem);
    QCOMPARE(der->entryCount(), 1); // the standard set revokes one leaf
    QCOMPARE(pem->entryCount(), 1);
    QCOMPARE(der->issuer(), QStringLiteral("CN=CertDeck Test Intermediate,O=CertDeck Tests"));
    QVERIFY(der->thisUpdate().isValid());
    QCOMPARE(der->thisUpdate().daysTo(der->nextUpdate()), 30);
    QCOMPARE(der->encodedSize(), fileBytes(m_der).size());
}

void TestCrl::goodAndRevoked()
{
    const auto crl = Crl::parse(fileBytes(m_der), QStringLiteral("crl.der"));
    QVERIFY(crl);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    CrlCheck c = checkCrl(*crl, firstCertificateIn(m_pki.good.cert), m_issuer, now);
    QVERIFY2(c.verified(), qPrintable(c.problems.join(u'\n')));
    QCOMPARE(*c.status, CertStatus::Good);
    c = checkCrl(*crl, firstCertificateIn(m_pki.revoked.cert), m_issuer, now);
    QVERIFY(c.verified());
    QCOMPARE(*c.status, CertStatus::Revoked);
    QCOMPARE(c.revocationReason, QStringLiteral("keyCompromise"));
    QVERIFY(c.revocationTime.isValid() && c.revocationTime <= now);
    // The oracle agrees.
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("verify"), QStringLiteral("-crl_check"), QStringLiteral("-CRLfile"),
             m_pki.crl, QStringLiteral("-CAfile"), m_pki.rootCert, QStringLiteral("-untrusted"),
             m_pki.intermediateCert, m_pki.revoked.cert},
            &out);
    QVERIFY2(out.contains("certificate revoked"), out.constData());
}

void TestCrl::timeWindow()
{
    const auto crl = Crl::parse(fileBytes(m_der), QStringLiteral("crl.der"));
    QVERIFY(crl);
    const Certificate leaf = firstCertificateIn(m_pki.good.cert);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(checkCrl(*crl, leaf, m_issuer, now.addDays(30).addSecs(60)).verified()); // skew
    CrlCheck c = checkCrl(*crl, leaf, m_issuer, now.addDays(31));
    QVERIFY(!c.verified());
    QVERIFY(c.problems.join(u' ').contains(QLatin1String("the CRL expired on")));
    c = checkCrl(*crl, leaf, m_issuer, now.addSecs(-3600));
    QVERIFY(!c.verified());
    QVERIFY(c.problems.join(u' ').contains(QLatin1String("in the future")));
}

void TestCrl::wrongKeyAndWrongIssuer()
{
    FixtureDir otherDir;
    TestPki other;
    QVERIFY2(other.create(otherDir.path(), {}), qPrintable(other.errorString()));
    QVERIFY(other.writeCrl());
    const auto forged = Crl::parse(fileBytes(other.crl), QStringLiteral("forged"));
    QVERIFY(forged);
    CrlCheck c = checkCrl(*forged, firstCertificateIn(m_pki.revoked.cert), m_issuer,
                          QDateTime::currentDateTimeUtc());
    QVERIFY(!c.signatureValid);
    QVERIFY(!c.verified());
    QVERIFY(!c.status);

    const auto crl = Crl::parse(fileBytes(m_der), QStringLiteral("crl.der"));
    c = checkCrl(*crl, firstCertificateIn(m_pki.good.cert), firstCertificateIn(m_pki.rootCert),
                 QDateTime::currentDateTimeUtc());
    QVERIFY(!c.verified());
    QVERIFY(c.problems.first().contains(QLatin1String("not by the certificate's issuer")));
}

void TestCrl::issuerWithoutCrlSign()
{
    // The good leaf as an "issuer": right or wrong name, no cRLSign.
    const auto crl = Crl::parse(fileBytes(m_der), QStringLiteral("crl.der"));
    const CrlCheck c =
        checkCrl(*crl, firstCertificateIn(m_pki.revoked.cert), firstCertificateIn(m_pki.good.cert),
                 QDateTime::currentDateTimeUtc());
    QVERIFY(!c.verified());
    QVERIFY2(c.problems.join(u' ').contains(QLatin1String("may not sign CRLs")),
             qPrintable(c.problems.join(u'\n')));
}

void TestCrl::parseErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("says");
    const QByteArray der = fileBytes(m_der);
    QTest::newRow("empty") << QByteArray() << QStringLiteral("origin answered nothing");
    QTest::newRow("garbage") << QByteArray("\x30\x82\xff\xff", 4)
                             << QStringLiteral("origin answered neither a DER nor a PEM CRL");
    QTest::newRow("truncated") << der.left(der.size() - 3)
                               << QStringLiteral("neither a DER nor a PEM CRL");
    QTest::newRow("trailing") << der + QByteArray(2, '\0')
                              << QStringLiteral("followed by 2 more bytes");
    QTest::newRow("a certificate, DER")
        << QByteArray::fromBase64(fileBytes(m_pki.good.cert)
                                      .replace("-----BEGIN CERTIFICATE-----", "")
                                      .replace("-----END CERTIFICATE-----", ""))
        << QStringLiteral("neither a DER nor a PEM CRL");
    QTest::newRow("a key") << fileBytes(m_pki.good.key)
                           << QStringLiteral("PEM without an X509 CRL block");
}

void TestCrl::parseErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, says);
    const auto crl = Crl::parse(bytes, QStringLiteral("origin"));
    QVERIFY(!crl);
    QVERIFY2(crl.error().message.contains(says), qPrintable(crl.error().toString()));
}

QTEST_GUILESS_MAIN(TestCrl)
#include "test_crl.moc"
