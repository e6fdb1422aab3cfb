// SPDX-License-Identifier: GPL-3.0-or-later
// CrlClient fetching CRLs made by `openssl ca -gencrl` from a loopback HTTP
// server, and refusing expired, forged, oversized and garbage ones; `openssl
// verify -crl_check` on the same files is the oracle.
#include "HttpFileServer.h"
#include "PeerProcess.h"
#include "RevocationPeers.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "revocation/CrlClient.h"
#include "revocation/RevocationCache.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::revocation;
using namespace certdeck::test;
using crypto::Certificate;

class TestCrlCheck : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void goodAndRevokedAgreeWithOpenssl_data();
    void goodAndRevokedAgreeWithOpenssl();
    void expiredCrl();
    void crlSignedByAnotherKey();
    void wrongIssuer();
    void oversized();
    void garbage_data();
    void garbage();
    void unreachableAndSilent();
    void cachedUntilNextUpdate();
    void cancelAborts();

private:
    Result<CrlAnswer> fetch(const QString& path, const Certificate& cert,
                            CrlClientOptions options = {}, Certificate issuer = {});
    /// `openssl verify -crl_check` of `leaf` with `crl` (PEM): its verdict line.
    QByteArray oracle(const QString& leaf, const QString& crl);

    FixtureDir m_dir;
    TestPki m_pki;
    HttpFileServer m_http;
    Certificate m_issuer;
    QString m_crlPem;
    QString m_crlDer;
};

void TestCrlCheck::initTestCase()
{
    const QString failed = startRevocationPeers(m_dir.path(), m_pki, nullptr, &m_http);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    m_issuer = firstCertificateIn(m_pki.intermediateCert);
    m_crlPem = m_pki.crl;
    m_crlDer = m_dir.filePath(QStringLiteral("int.crl.der"));
    QVERIFY(m_pki.writeCrl(TestPki::CrlSpec{m_crlDer, {}, {}, true}));
}

void TestCrlCheck::init()
{
    RevocationCache::instance().clear();
}

Result<CrlAnswer> TestCrlCheck::fetch(const QString& path, const Certificate& cert,
                                      CrlClientOptions options, Certificate issuer)
{
    QNetworkAccessManager nam;
    CrlClient client(&nam, options);
    QSignalSpy done(&client, &CrlClient::finished);
    client.check(m_http.url(path), cert, issuer.isNull() ? m_issuer : issuer);
    if (!done.wait(30000)) {
        return fail(ErrorCode::Internal, QStringLiteral("the client never finished"));
    }
    QTest::qWait(0);
    if (done.count() != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("finished() came more than once"));
    }
    return client.result();
}

QByteArray TestCrlCheck::oracle(const QString& leaf, const QString& crl)
{
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("verify"), QStringLiteral("-crl_check"), QStringLiteral("-CRLfile"),
             crl, QStringLiteral("-CAfile"), m_pki.rootCert, QStringLiteral("-untrusted"),
             m_pki.intermediateCert, leaf},
            &out);
    return out;
}

void TestCrlCheck::goodAndRevokedAgreeWithOpenssl_data()
{
    QTest::addColumn<QString>("leaf");
    QTest::addColumn<bool>("der");
    QTest::addColumn<bool>("revoked");
    QTest::newRow("good, DER") << m_pki.good.cert << true << false;
    QTest::newRow("good, PEM") << m_pki.good.cert << false << false;
    QTest::newRow("revoked, DER") << m_pki.revoked.cert << true << true;
    QTest::newRow("revoked, PEM") << m_pki.revoked.cert << false << true;
}

void TestCrlCheck::goodAndRevokedAgreeWithOpenssl()
{
    QFETCH(QString, leaf);
    QFETCH(bool, der);
    QFETCH(bool, revoked);
    const QByteArray verdict = oracle(leaf, m_crlPem);
    QCOMPARE(verdict.contains("certificate revoked"), revoked);
    QCOMPARE(verdict.contains(": OK"), !revoked);

    m_http.setFile(QStringLiteral("/int.crl"), fileBytes(der ? m_crlDer : m_crlPem),
                   HttpFileServer::Mode::Normal, "application/pkix-crl");
    const Result<CrlAnswer> a = fetch(QStringLiteral("/int.crl"), firstCertificateIn(leaf));
    QVERIFY2(a, qPrintable(a ? QString() : a.error().toString()));
    const CrlCheck& c = a->check;
    QVERIFY2(c.verified(), qPrintable(c.problems.join(u'\n')));
    QCOMPARE(*c.status, revoked ? CertStatus::Revoked : CertStatus::Good);
    QVERIFY(c.signatureValid);
    QVERIFY(c.issuer.contains(QLatin1String("CertDeck Test Intermediate")));
    QVERIFY(c.nextUpdate > c.thisUpdate);
    if (revoked) {
        QCOMPARE(c.revocationReason, QStringLiteral("keyCompromise"));
        QVERIFY(c.revocationTime.isValid());
        QVERIFY(c.revocationTime <= QDateTime::currentDateTimeUtc());
    }
}

void TestCrlCheck::expiredCrl()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString path = m_dir.filePath(QStringLiteral("expired.crl"));
    QVERIFY(m_pki.writeCrl(TestPki::CrlSpec{path, now.addDays(-10), now.addDays(-3), false}));
    QVERIFY(oracle(m_pki.good.cert, path).contains("CRL has expired"));
    m_http.setFile(QStringLiteral("/expired.crl"), fileBytes(path));
    const Result<CrlAnswer> a =
        fetch(QStringLiteral("/expired.crl"), firstCertificateIn(m_pki.good.cert));
    QVERIFY(a);
    QVERIFY(!a->check.verified());
    QVERIFY(a->check.signatureValid);
    QVERIFY2(a->check.problems.join(u' ').contains(QLatin1String("the CRL expired on")),
             qPrintable(a->check.problems.join(u'\n')));
    QCOMPARE(RevocationCache::instance().crlCount(), 0);

    // One not valid yet is refused too.
    const QString future = m_dir.filePath(QStringLiteral("future.crl"));
    QVERIFY(m_pki.writeCrl(TestPki::CrlSpec{future, now.addDays(2), now.addDays(30), false}));
    QVERIFY(oracle(m_pki.good.cert, future).contains("CRL is not yet valid"));
    m_http.setFile(QStringLiteral("/future.crl"), fileBytes(future));
    const Result<CrlAnswer> b =
        fetch(QStringLiteral("/future.crl"), firstCertificateIn(m_pki.good.cert));
    QVERIFY(b);
    QVERIFY(!b->check.verified());
    QVERIFY(b->check.problems.join(u' ').contains(QLatin1String("in the future")));
}

void TestCrlCheck::crlSignedByAnotherKey()
{
    // Same names, another key: the issuer name matches, the signature not.
    FixtureDir otherDir;
    TestPki other;
    QVERIFY2(other.create(otherDir.path(), {}), qPrintable(other.errorString()));
    QVERIFY(other.writeCrl());
    QVERIFY(!oracle(m_pki.revoked.cert, other.crl).contains(": OK"));
    m_http.setFile(QStringLiteral("/forged.crl"), fileBytes(other.crl));
    const Result<CrlAnswer> a =
        fetch(QStringLiteral("/forged.crl"), firstCertificateIn(m_pki.revoked.cert));
    QVERIFY(a);
    QVERIFY(!a->check.verified());
    QVERIFY(!a->check.signatureValid);
    QVERIFY2(a->check.problems.join(u' ').contains(QLatin1String("signature does not verify")),
             qPrintable(a->check.problems.join(u'\n')));
    QCOMPARE(RevocationCache::instance().crlCount(), 0);
}

void TestCrlCheck::wrongIssuer()
{
    // The intermediate's CRL checked as if the root had issued the leaf.
    m_http.setFile(QStringLiteral("/int.crl"), fileBytes(m_crlDer));
    const Result<CrlAnswer> a =
        fetch(QStringLiteral("/int.crl"), firstCertificateIn(m_pki.good.cert), {},
              firstCertificateIn(m_pki.rootCert));
    QVERIFY(a);
    QVERIFY(!a->check.verified());
    QVERIFY2(a->check.problems.first().contains(QLatin1String("not by the certificate's issuer")),
             qPrintable(a->check.problems.join(u'\n')));
}

void TestCrlCheck::oversized()
{
    const QByteArray crl = fileBytes(m_crlDer);
    CrlClientOptions o;
    o.maxBytes = crl.size() - 1;
    m_http.setFile(QStringLiteral("/int.crl"), crl);
    Result<CrlAnswer> a = fetch(QStringLiteral("/int.crl"), firstCertificateIn(m_pki.good.cert), o);
    QVERIFY(!a);
    QVERIFY2(
        a.error().message.contains(
            QStringLiteral("announces %1 bytes; at most %2").arg(crl.size()).arg(crl.size() - 1)),
        qPrintable(a.error().message));
    // No Content-Length: cut off while streaming.
    m_http.setFile(QStringLiteral("/stream.crl"), QByteArray(11 * 1024 * 1024, 'x'),
                   HttpFileServer::Mode::NoLength);
    a = fetch(QStringLiteral("/stream.crl"), firstCertificateIn(m_pki.good.cert));
    QVERIFY(!a);
    QVERIFY2(a.error().message.contains(QLatin1String("sent more than 10485760 bytes")),
             qPrintable(a.error().message));
    // Exactly at the cap is fine.
    o.maxBytes = crl.size();
    a = fetch(QStringLiteral("/int.crl"), firstCertificateIn(m_pki.good.cert), o);
    QVERIFY(a && a->check.verified());
}

void TestCrlCheck::garbage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("says");
    const QByteArray der = fileBytes(m_crlDer);
    QTest::newRow("html") << QByteArray("<html>not here</html>")
                          << QStringLiteral("neither a DER nor a PEM CRL");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("answered nothing");
    QTest::newRow("truncated") << der.left(der.size() / 2)
                               << QStringLiteral("neither a DER nor a PEM CRL");
    QTest::newRow("trailing") << der + "junk" << QStringLiteral("followed by 4 more bytes");
    QTest::newRow("a certificate")
        << fileBytes(m_pki.good.cert) << QStringLiteral("PEM without an X509 CRL block");
    QByteArray pem = fileBytes(m_crlPem);
    pem[pem.indexOf('\n') + 5] = '!';
    QTest::newRow("bad PEM") << pem << QStringLiteral("PEM CRL that does not decode");
}

void TestCrlCheck::garbage()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, says);
    m_http.setFile(QStringLiteral("/bad.crl"), body);
    const Result<CrlAnswer> a =
        fetch(QStringLiteral("/bad.crl"), firstCertificateIn(m_pki.good.cert));
    QVERIFY(a);
    QVERIFY(!a->check.verified());
    QVERIFY(!a->check.status);
    QVERIFY2(a->check.problems.join(u' ').contains(says),
             qPrintable(a->check.problems.join(u'\n')));
    QVERIFY(
        a->check.problems.join(u' ').contains(m_http.url(QStringLiteral("/bad.crl")).toString()));
}

void TestCrlCheck::unreachableAndSilent()
{
    QNetworkAccessManager nam;
    const quint16 port = freeLoopbackPort();
    CrlClient down(&nam);
    QSignalSpy done(&down, &CrlClient::finished);
    down.check(QUrl(QStringLiteral("http://127.0.0.1:%1/x.crl").arg(port)),
               firstCertificateIn(m_pki.good.cert), m_issuer);
    QVERIFY(done.wait(30000));
    QVERIFY(!down.result());
    QCOMPARE(down.result().error().code, ErrorCode::Network);
    QVERIFY(down.result().error().message.contains(QLatin1String("could not be reached")));

    m_http.setFile(QStringLiteral("/slow.crl"), {}, HttpFileServer::Mode::Stall);
    CrlClientOptions o;
    o.timeoutMs = 500;
    const Result<CrlAnswer> a =
        fetch(QStringLiteral("/slow.crl"), firstCertificateIn(m_pki.good.cert), o);
    QVERIFY(!a);
    QCOMPARE(a.error().code, ErrorCode::Timeout);

    const Result<CrlAnswer> nf =
        fetch(QStringLiteral("/nothere.crl"), firstCertificateIn(m_pki.good.cert));
    QVERIFY(!nf);
    QVERIFY2(nf.error().message.contains(QLatin1String("answered HTTP 404")),
             qPrintable(nf.error().message));
}

void TestCrlCheck::cachedUntilNextUpdate()
{
    m_http.setFile(QStringLiteral("/cached.crl"), fileBytes(m_crlDer));
    Result<CrlAnswer> a = fetch(QStringLiteral("/cached.crl"), firstCertificateIn(m_pki.good.cert));
    QVERIFY(a && a->check.verified() && !a->fromCache);
    // Another certificate of the same CA: the same CRL, from the cache.
    a = fetch(QStringLiteral("/cached.crl"), firstCertificateIn(m_pki.revoked.cert));
    QVERIFY(a && a->check.verified() && a->fromCache);
    QCOMPARE(*a->check.status, CertStatus::Revoked);
    QCOMPARE(m_http.requestCount(QStringLiteral("/cached.crl")), 1);
    // Past its nextUpdate (30 days) the CRL is fetched again.
    CrlClientOptions o;
    o.now = QDateTime::currentDateTimeUtc().addDays(31);
    a = fetch(QStringLiteral("/cached.crl"), firstCertificateIn(m_pki.good.cert), o);
    QVERIFY(a && !a->fromCache);
    QVERIFY(!a->check.verified()); // expired by then
    QCOMPARE(m_http.requestCount(QStringLiteral("/cached.crl")), 2);
    RevocationCache::instance().clear();
    a = fetch(QStringLiteral("/cached.crl"), firstCertificateIn(m_pki.good.cert));
    QVERIFY(a && !a->fromCache);
    QCOMPARE(m_http.requestCount(QStringLiteral("/cached.crl")), 3);
}

void TestCrlCheck::cancelAborts()
{
    m_http.setFile(QStringLiteral("/hang.crl"), {}, HttpFileServer::Mode::Stall);
    QNetworkAccessManager nam;
    CrlClientOptions o;
    o.timeoutMs = 60000;
    CrlClient client(&nam, o);
    QSignalSpy done(&client, &CrlClient::finished);
    client.check(m_http.url(QStringLiteral("/hang.crl")), firstCertificateIn(m_pki.good.cert),
                 m_issuer);
    QTRY_COMPARE(m_http.requestCount(QStringLiteral("/hang.crl")), 1);
    QVERIFY(done.isEmpty());
    client.cancel();
    QVERIFY(done.wait(5000));
    QCOMPARE(client.result().error().code, ErrorCode::Cancelled);
    QTest::qWait(0);
    QCOMPARE(done.count(), 1);
}

QTEST_GUILESS_MAIN(TestCrlCheck)
#include "test_crl_check.moc"
