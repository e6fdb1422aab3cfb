// SPDX-License-Identifier: GPL-3.0-or-later
// OcspClient against a real responder (`openssl ocsp` behind the OCSP
// fixture) and against HTTP servers that misbehave; `openssl ocsp` as a
// client is the oracle for each status.
#include "HttpFileServer.h"
#include "OcspFixture.h"
#include "PeerProcess.h"
#include "RevocationPeers.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "revocation/OcspClient.h"
#include "revocation/RevocationCache.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::revocation;
using namespace certdeck::test;
using crypto::Certificate;

class TestOcspClient : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void statusesAgreeWithOpenssl_data();
    void statusesAgreeWithOpenssl();
    void getAndPost_data();
    void getAndPost();
    void nonceEchoed();
    void wrongNonceIsAnError();
    void getRefusedFallsBackToPost();
    void forgedResponse();
    void delegatedResponder_data();
    void delegatedResponder();
    void staleAndFutureResponses();
    void responderDown();
    void responderSilentTimesOut();
    void oversizedAndGarbageAnswers();
    void answersAreCachedUntilNextUpdate();
    void cancelAborts();

private:
    Result<OcspAnswer> ask(const Certificate& cert, OcspClientOptions options = {},
                           const QUrl& url = {});
    /// `openssl ocsp` as a client: the status it reports ("good", "revoked", "unknown").
    QString oracle(const QString& certPath);

    FixtureDir m_dir;
    OcspFixture m_ocsp;
    TestPki m_pki;
    Certificate m_issuer;
    HttpFileServer m_http;
    TestPki::Leaf m_unknown;
};

void TestOcspClient::initTestCase()
{
    const QString failed = startRevocationPeers(m_dir.path(), m_pki, &m_ocsp, nullptr);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    TestPki::LeafSpec s;
    s.name = QStringLiteral("lost");
    m_unknown = m_pki.issue(s);
    QVERIFY(!m_unknown.name.isEmpty());
    QVERIFY2(m_pki.forget(m_unknown), qPrintable(m_pki.errorString()));
    QVERIFY2(m_ocsp.serve(m_pki), qPrintable(m_ocsp.errorString()));
    m_issuer = firstCertificateIn(m_pki.intermediateCert);
    QVERIFY(!m_issuer.isNull());
    QVERIFY(m_http.listen());
}

void TestOcspClient::init()
{
    RevocationCache::instance().clear();
    QVERIFY(m_ocsp.serve(m_pki));
}

Result<OcspAnswer> TestOcspClient::ask(const Certificate& cert, OcspClientOptions options,
                                       const QUrl& url)
{
    QNetworkAccessManager nam;
    OcspClient client(&nam, options);
    QSignalSpy done(&client, &OcspClient::finished);
    client.check(url.isValid() ? url : QUrl(m_ocsp.url()), cert, m_issuer);
    if (!done.wait(30000)) {
        return fail(ErrorCode::Internal, QStringLiteral("the client never finished"));
    }
    QTest::qWait(0);
    if (done.count() != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("finished() came more than once"));
    }
    return client.result();
}

QString TestOcspClient::oracle(const QString& certPath)
{
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("ocsp"), QStringLiteral("-issuer"), m_pki.intermediateCert,
             QStringLiteral("-cert"), certPath, QStringLiteral("-url"), m_ocsp.url(),
             QStringLiteral("-VAfile"), m_pki.intermediateCert, QStringLiteral("-timeout"),
             QStringLiteral("10")},
            &out, 20000);
    if (!out.contains("Response verify OK")) {
        return QStringLiteral("verify failure: ") + QString::fromUtf8(out);
    }
    for (const char* s : {"good", "revoked", "unknown"}) {
        if (out.contains(QByteArray(": ") + s)) {
            return QString::fromLatin1(s);
        }
    }
    return QString::fromUtf8(out);
}

void TestOcspClient::statusesAgreeWithOpenssl_data()
{
    QTest::addColumn<QString>("leaf");
    QTest::addColumn<QString>("status");
    QTest::newRow("good") << m_pki.good.cert << QStringLiteral("good");
    QTest::newRow("revoked") << m_pki.revoked.cert << QStringLiteral("revoked");
    QTest::newRow("unknown") << m_unknown.cert << QStringLiteral("unknown");
}

void TestOcspClient::statusesAgreeWithOpenssl()
{
    QFETCH(QString, leaf);
    QFETCH(QString, status);
    QCOMPARE(oracle(leaf), status);
    const Result<OcspAnswer> a = ask(firstCertificateIn(leaf));
    QVERIFY2(a, qPrintable(a ? QString() : a.error().toString()));
    const OcspResponseCheck& r = a->response;
    QVERIFY2(r.verified(), qPrintable(r.problems.join(u'\n')));
    QVERIFY(r.status);
    QCOMPARE(certStatusName(*r.status), status);
    QVERIFY(r.signatureValid);
    QVERIFY(r.thisUpdate.isValid());
    QVERIFY(r.nextUpdate > r.thisUpdate);
    QVERIFY2(r.responder.contains(QLatin1String("CertDeck Test Intermediate")),
             qPrintable(r.responder));
    if (status == QLatin1String("revoked")) {
        QCOMPARE(r.revocationReason, QStringLiteral("keyCompromise"));
        QVERIFY(r.revocationTime.isValid());
        QVERIFY(r.revocationTime <= QDateTime::currentDateTimeUtc());
        QVERIFY(r.revocationTime > QDateTime::currentDateTimeUtc().addDays(-1));
    }
}

void TestOcspClient::getAndPost_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<QString>("expected");
    QTest::newRow("GET") << int(OcspClientOptions::Method::Get) << QStringLiteral("GET");
    QTest::newRow("POST") << int(OcspClientOptions::Method::Post) << QStringLiteral("POST");
    // A request with a 32-byte nonce is ~190 bytes encoded: GET.
    QTest::newRow("auto") << int(OcspClientOptions::Method::Auto) << QStringLiteral("GET");
}

void TestOcspClient::getAndPost()
{
    QFETCH(int, method);
    QFETCH(QString, expected);
    const int before = int(m_ocsp.log().count(expected.toLatin1() + " 200"));
    OcspClientOptions o;
    o.method = OcspClientOptions::Method(method);
    const Result<OcspAnswer> a = ask(firstCertificateIn(m_pki.revoked.cert), o);
    QVERIFY2(a, qPrintable(a ? QString() : a.error().toString()));
    QCOMPARE(a->method, expected);
    QVERIFY2(a->response.verified(), qPrintable(a->response.problems.join(u'\n')));
    QCOMPARE(*a->response.status, CertStatus::Revoked);
    // The responder saw that method.
    QTRY_COMPARE(int(m_ocsp.log().count(expected.toLatin1() + " 200")), before + 1);
}

void TestOcspClient::nonceEchoed()
{
    QNetworkAccessManager nam;
    OcspClient client(&nam);
    QSignalSpy done(&client, &OcspClient::finished);
    client.check(QUrl(m_ocsp.url()), firstCertificateIn(m_pki.good.cert), m_issuer);
    QVERIFY(done.wait(30000));
    QCOMPARE(client.request().nonce.size(), 32);
    QVERIFY(client.result());
    QCOMPARE(client.result()->response.nonce, NonceCheck::Echoed);
    QVERIFY(client.result()->response.verified());

    // Without a nonce nothing is expected.
    OcspClientOptions o;
    o.nonce = false;
    o.useCache = false;
    const Result<OcspAnswer> a = ask(firstCertificateIn(m_pki.good.cert), o);
    QVERIFY(a);
    QCOMPARE(a->response.nonce, NonceCheck::NotSent);
    QVERIFY(a->response.verified());
}

void TestOcspClient::wrongNonceIsAnError()
{
    // A genuine answer made earlier for another request (its own nonce),
    // replayed by a server in the middle.
    const QByteArray replayed =
        signedOcspResponse(m_pki, m_pki.good.cert, m_dir.filePath(QStringLiteral("replay")), true);
    QVERIFY(!replayed.isEmpty());
    m_http.setFile(QStringLiteral("/replay"), replayed, HttpFileServer::Mode::Normal,
                   "application/ocsp-response");
    OcspClientOptions o;
    o.method = OcspClientOptions::Method::Post;
    Result<OcspAnswer> a =
        ask(firstCertificateIn(m_pki.good.cert), o, m_http.url(QStringLiteral("/replay")));
    QVERIFY(a);
    QCOMPARE(a->response.nonce, NonceCheck::Mismatch);
    QVERIFY(a->response.signatureValid); // genuine, yet not an answer to this request
    QVERIFY(!a->response.verified());
    QVERIFY2(a->response.problems.join(u' ').contains(QLatin1String("another nonce")),
             qPrintable(a->response.problems.join(u'\n')));
    QCOMPARE(RevocationCache::instance().ocspCount(), 0);

    // The same answer to a client that sent no nonce is fine.
    o.nonce = false;
    a = ask(firstCertificateIn(m_pki.good.cert), o, m_http.url(QStringLiteral("/replay")));
    QVERIFY(a);
    QVERIFY2(a->response.verified(), qPrintable(a->response.problems.join(u'\n')));
}

void TestOcspClient::getRefusedFallsBackToPost()
{
    // This server knows only POST /ocsp: the GET path (the request in it)
    // gets a 404, and Auto tries POST.
    const QByteArray answer = signedOcspResponse(m_pki, m_pki.revoked.cert,
                                                 m_dir.filePath(QStringLiteral("nononce")), false);
    QVERIFY(!answer.isEmpty());
    m_http.setFile(QStringLiteral("/ocsp"), answer, HttpFileServer::Mode::Normal,
                   "application/ocsp-response");
    const Result<OcspAnswer> a =
        ask(firstCertificateIn(m_pki.revoked.cert), {}, m_http.url(QStringLiteral("/ocsp")));
    QVERIFY2(a, qPrintable(a ? QString() : a.error().toString()));
    QCOMPARE(a->method, QStringLiteral("GET, then POST"));
    QCOMPARE(m_http.methods(QStringLiteral("/ocsp")), QStringList{QStringLiteral("POST")});
    // A responder that omits the nonce is allowed.
    QCOMPARE(a->response.nonce, NonceCheck::Omitted);
    QVERIFY2(a->response.verified(), qPrintable(a->response.problems.join(u'\n')));
    QCOMPARE(*a->response.status, CertStatus::Revoked);
}

void TestOcspClient::forgedResponse()
{
    // Another CA with the same names: its intermediate signs instead.
    FixtureDir otherDir;
    TestPki other;
    QVERIFY2(other.create(otherDir.path(), {}), qPrintable(other.errorString()));
    OcspFixture::Signing forger;
    forger.cert = other.intermediateCert;
    forger.key = other.intermediateKey;
    QVERIFY(m_ocsp.serve(m_pki, forger));
    const Result<OcspAnswer> a = ask(firstCertificateIn(m_pki.good.cert));
    QVERIFY(a);
    QVERIFY(a->response.successful);
    QCOMPARE(*a->response.status, CertStatus::Good); // what it claims
    QVERIFY(!a->response.signatureValid);
    QVERIFY(!a->response.verified());
    QVERIFY2(a->response.problems.join(u' ').contains(QLatin1String("signature does not verify")),
             qPrintable(a->response.problems.join(u'\n')));
    // The oracle refuses it too.
    QVERIFY(oracle(m_pki.good.cert).startsWith(QLatin1String("verify failure")));
}

void TestOcspClient::delegatedResponder_data()
{
    QTest::addColumn<bool>("ocspSigning");
    QTest::newRow("with id-kp-OCSPSigning") << true;
    QTest::newRow("without id-kp-OCSPSigning") << false;
}

void TestOcspClient::delegatedResponder()
{
    QFETCH(bool, ocspSigning);
    const TestPki::Responder r = m_pki.issueResponder(
        ocspSigning ? QStringLiteral("responder") : QStringLiteral("noeku"), ocspSigning);
    QVERIFY2(!r.cert.isEmpty(), qPrintable(m_pki.errorString()));
    QVERIFY(m_ocsp.serve(m_pki, OcspFixture::Signing{r.cert, r.key, 1}));
    const Result<OcspAnswer> a = ask(firstCertificateIn(m_pki.revoked.cert));
    QVERIFY(a);
    QCOMPARE(a->response.verified(), ocspSigning);
    QCOMPARE(a->response.signatureValid, ocspSigning);
    if (ocspSigning) {
        QCOMPARE(*a->response.status, CertStatus::Revoked);
        QVERIFY2(a->response.responder.contains(QLatin1String("OCSP responder")),
                 qPrintable(a->response.responder));
    }
    // openssl agrees: with the intermediate trusted, only the delegate with
    // the EKU is accepted.
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("ocsp"), QStringLiteral("-issuer"), m_pki.intermediateCert,
             QStringLiteral("-cert"), m_pki.revoked.cert, QStringLiteral("-url"), m_ocsp.url(),
             QStringLiteral("-CAfile"), m_pki.rootCert},
            &out, 20000);
    QCOMPARE(out.contains("Response verify OK"), ocspSigning);
}

void TestOcspClient::staleAndFutureResponses()
{
    // The responder's answers are fresh for a day: two days on they are stale.
    OcspClientOptions o;
    o.now = QDateTime::currentDateTimeUtc().addDays(2);
    Result<OcspAnswer> a = ask(firstCertificateIn(m_pki.good.cert), o);
    QVERIFY(a);
    QVERIFY(a->response.signatureValid);
    QVERIFY(!a->response.verified());
    QVERIFY2(a->response.problems.join(u' ').contains(QLatin1String("stale")),
             qPrintable(a->response.problems.join(u'\n')));
    QCOMPARE(RevocationCache::instance().ocspCount(), 0);

    // A clock a day behind sees thisUpdate in the future.
    o.now = QDateTime::currentDateTimeUtc().addDays(-1);
    a = ask(firstCertificateIn(m_pki.good.cert), o);
    QVERIFY(a);
    QVERIFY(!a->response.verified());
    QVERIFY2(a->response.problems.join(u' ').contains(QLatin1String("in the future")),
             qPrintable(a->response.problems.join(u'\n')));
}

void TestOcspClient::responderDown()
{
    const quint16 port = freeLoopbackPort();
    const QUrl url(QStringLiteral("http://127.0.0.1:%1/").arg(port));
    OcspClientOptions o;
    o.timeoutMs = 20000;
    const Result<OcspAnswer> a = ask(firstCertificateIn(m_pki.good.cert), o, url);
    QVERIFY(!a);
    QCOMPARE(a.error().code, ErrorCode::Network); // refused at once, not timed out
    QVERIFY2(a.error().message.contains(QLatin1String("could not be reached")),
             qPrintable(a.error().message));
    QVERIFY2(a.error().message.contains(url.toString()), qPrintable(a.error().message));
}

void TestOcspClient::responderSilentTimesOut()
{
    m_http.setFile(QStringLiteral("/silent"), {}, HttpFileServer::Mode::Stall);
    OcspClientOptions o;
    o.timeoutMs = 500;
    o.method = OcspClientOptions::Method::Post;
    const Result<OcspAnswer> a =
        ask(firstCertificateIn(m_pki.good.cert), o, m_http.url(QStringLiteral("/silent")));
    QVERIFY(!a);
    QCOMPARE(a.error().code, ErrorCode::Timeout);
    QVERIFY2(a.error().message.contains(QLatin1String("did not answer within 0.5 s")),
             qPrintable(a.error().message));
}

void TestOcspClient::oversizedAndGarbageAnswers()
{
    OcspClientOptions o;
    o.method = OcspClientOptions::Method::Post;
    m_http.setFile(QStringLiteral("/big"), QByteArray(100 * 1024, '\x30'));
    Result<OcspAnswer> a =
        ask(firstCertificateIn(m_pki.good.cert), o, m_http.url(QStringLiteral("/big")));
    QVERIFY(!a);
    QVERIFY2(a.error().message.contains(QLatin1String("at most 65536")),
             qPrintable(a.error().message));
    m_http.setFile(QStringLiteral("/bigstream"), QByteArray(100 * 1024, '\x30'),
                   HttpFileServer::Mode::NoLength);
    a = ask(firstCertificateIn(m_pki.good.cert), o, m_http.url(QStringLiteral("/bigstream")));
    QVERIFY(!a);
    QVERIFY2(a.error().message.contains(QLatin1String("more than 65536")),
             qPrintable(a.error().message));

    m_http.setFile(QStringLiteral("/garbage"), "<html>hello</html>");
    a = ask(firstCertificateIn(m_pki.good.cert), o, m_http.url(QStringLiteral("/garbage")));
    QVERIFY(a);
    QVERIFY(!a->response.decoded);
    QVERIFY(a->response.problems.first().contains(QLatin1String("not a DER OCSP response")));

    // tryLater: an answer, but no status.
    m_http.setFile(QStringLiteral("/later"), QByteArray::fromHex("30030a0103"));
    a = ask(firstCertificateIn(m_pki.good.cert), o, m_http.url(QStringLiteral("/later")));
    QVERIFY(a);
    QVERIFY(a->response.decoded);
    QVERIFY(!a->response.successful);
    QCOMPARE(a->response.responseStatus, QStringLiteral("trylater"));

    m_http.setRedirect(QStringLiteral("/moved"), QUrl(QStringLiteral("ftp://127.0.0.1/x")));
    a = ask(firstCertificateIn(m_pki.good.cert), o, m_http.url(QStringLiteral("/moved")));
    QVERIFY(!a);
    QVERIFY2(a.error().message.contains(QLatin1String("not http or https")),
             qPrintable(a.error().message));
}

void TestOcspClient::answersAreCachedUntilNextUpdate()
{
    const qsizetype before = m_ocsp.log().count('\n');
    Result<OcspAnswer> a = ask(firstCertificateIn(m_pki.revoked.cert));
    QVERIFY(a && a->response.verified());
    QVERIFY(!a->fromCache);
    QTRY_COMPARE(m_ocsp.log().count('\n'), before + 1);
    a = ask(firstCertificateIn(m_pki.revoked.cert));
    QVERIFY(a && a->response.verified());
    QVERIFY(a->fromCache);
    QCOMPARE(*a->response.status, CertStatus::Revoked);
    QCOMPARE(m_ocsp.log().count('\n'), before + 1); // no second request
    // Past nextUpdate the cache has nothing: the responder is asked again.
    OcspClientOptions o;
    o.now = QDateTime::currentDateTimeUtc().addDays(2);
    a = ask(firstCertificateIn(m_pki.revoked.cert), o);
    QVERIFY(a && !a->fromCache);
    // Without the cache, always asked.
    o = {};
    o.useCache = false;
    a = ask(firstCertificateIn(m_pki.revoked.cert), o);
    QVERIFY(a && !a->fromCache);
    QTRY_COMPARE(m_ocsp.log().count('\n'), before + 3);
}

void TestOcspClient::cancelAborts()
{
    m_http.setFile(QStringLiteral("/hang"), {}, HttpFileServer::Mode::Stall);
    QNetworkAccessManager nam;
    OcspClientOptions o;
    o.timeoutMs = 60000;
    o.method = OcspClientOptions::Method::Post;
    OcspClient client(&nam, o);
    QSignalSpy done(&client, &OcspClient::finished);
    client.check(m_http.url(QStringLiteral("/hang")), firstCertificateIn(m_pki.good.cert),
                 m_issuer);
    QTRY_COMPARE(m_http.requestCount(QStringLiteral("/hang")), 1);
    QVERIFY(done.isEmpty());
    client.cancel();
    QVERIFY(done.wait(5000));
    QVERIFY(!client.result());
    QCOMPARE(client.result().error().code, ErrorCode::Cancelled);
    QTest::qWait(0);
    QCOMPARE(done.count(), 1);
}

QTEST_GUILESS_MAIN(TestOcspClient)
#include "test_ocsp_client.moc"
