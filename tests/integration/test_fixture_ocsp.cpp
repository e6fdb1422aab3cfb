// SPDX-License-Identifier: GPL-3.0-or-later
// Smoke test of the OCSP fixture: `openssl ocsp` as a client (an independent
// tool) gets signed good/revoked answers over POST, GET works per RFC 6960
// appendix A, and malformed requests get HTTP errors without stopping service.
#include "OcspFixture.h"
#include "TestPki.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <csignal>
#include <memory>

using namespace certdeck::test;

namespace {

/// The fixture started first, so the PKI's leaves carry its URL in AIA.
struct Setup
{
    OcspFixture ocsp;
    FixtureDir pkiDir;
    TestPki pki;
    QString error;

    bool create()
    {
        if (!ocsp.start()) {
            error = ocsp.errorString();
            return false;
        }
        TestPki::Options options;
        options.ocspUrl = ocsp.url();
        if (!pki.create(pkiDir.path(), options) || !pki.issueStandardSet()) {
            error = pki.errorString();
            return false;
        }
        if (!ocsp.serve(pki)) {
            error = ocsp.errorString();
            return false;
        }
        return true;
    }
};

/// `openssl ocsp` as the client: POSTs a request for `cert` and verifies the
/// signed answer against the PKI's root.
QByteArray ocspClient(const TestPki& pki, const QString& cert, const QString& url, int* rc,
                      const QString& respOut = {})
{
    QStringList args{QStringLiteral("ocsp"),
                     QStringLiteral("-issuer"),
                     pki.intermediateCert,
                     QStringLiteral("-cert"),
                     cert,
                     QStringLiteral("-url"),
                     url,
                     QStringLiteral("-CAfile"),
                     pki.rootCert,
                     QStringLiteral("-timeout"),
                     QStringLiteral("10"),
                     QStringLiteral("-resp_text")};
    if (!respOut.isEmpty()) {
        args << QStringLiteral("-respout") << respOut;
    }
    QByteArray out;
    *rc = runTool(QStringLiteral("openssl"), args, &out, 20000);
    return out;
}

/// Verifies a saved response against `trustAnchor` alone. Without -issuer on
/// purpose: `openssl ocsp` retries a failed verification with the -issuer
/// certificates as trusted (OCSP_TRUSTOTHER), which would accept any root.
QByteArray verifyResponse(const QString& resp, const QString& trustAnchor)
{
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("ocsp"), QStringLiteral("-respin"), resp, QStringLiteral("-CAfile"),
             trustAnchor},
            &out);
    return out;
}

/// Sends raw bytes and returns everything the server sent until it closed.
QByteArray rawHttp(quint16 port, const QByteArray& request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    if (!socket.waitForConnected(5000)) {
        return QByteArrayLiteral("<no connection>");
    }
    socket.write(request);
    QByteArray got;
    const bool closed = waitUntil(
        [&] {
            got += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        10000);
    got += socket.readAll();
    return closed ? got : got + "<server did not close>";
}

QByteArray post(const QByteArray& body)
{
    return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/ocsp-request\r\n"
           "Content-Length: " +
           QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestFixtureOcsp : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void goodAndRevokedOverPost();
    void getPerRfc6960();
    void malformedRequestsAndKeepsServing();
    void stopLeavesNoProcess();
};

void TestFixtureOcsp::initTestCase()
{
    // openssl's HTTP client honours http_proxy: keep every request on loopback.
    for (const char* name : {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"}) {
        qunsetenv(name);
    }
}

void TestFixtureOcsp::goodAndRevokedOverPost()
{
    Setup s;
    // Before serve(): the front is up but has no CA to answer for.
    OcspFixture early;
    QVERIFY2(early.start(), qPrintable(early.errorString()));
    QVERIFY2(rawHttp(early.port(), post(QByteArray("\x30\x00", 2))).startsWith("HTTP/1.0 503"),
             early.log().constData());
    early.stop();

    QVERIFY2(s.create(), qPrintable(s.error));
    QVERIFY(s.ocsp.url().startsWith(QLatin1String("http://127.0.0.1:")));

    // The leaf's AIA carries the fixture's URL: use it as a client would.
    QByteArray aia;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-in"), s.pki.good.cert,
                      QStringLiteral("-noout"), QStringLiteral("-ocsp_uri")},
                     &aia),
             0);
    const QString url = QString::fromUtf8(aia).trimmed();
    QCOMPARE(url, s.ocsp.url());

    int rc = -1;
    const QString goodResp = s.pkiDir.filePath(QStringLiteral("good.ocsp.der"));
    QByteArray out = ocspClient(s.pki, s.pki.good.cert, url, &rc, goodResp);
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("Response verify OK"), out.constData());
    QVERIFY2(out.contains("good.pem: good"), out.constData());
    QVERIFY2(out.contains("Responder Id: O = CertDeck Tests, CN = CertDeck Test Intermediate"),
             out.constData());

    out = ocspClient(s.pki, s.pki.revoked.cert, url, &rc);
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("Response verify OK"), out.constData());
    QVERIFY2(out.contains("revoked.pem: revoked"), out.constData());
    QVERIFY2(out.contains("Reason: keyCompromise"), out.constData());

    // The signature chains to our root and to no other.
    QVERIFY2(verifyResponse(goodResp, s.pki.rootCert).contains("Response verify OK"),
             verifyResponse(goodResp, s.pki.rootCert).constData());
    FixtureDir otherDir;
    TestPki other;
    QVERIFY2(other.create(otherDir.path(), {}), qPrintable(other.errorString()));
    out = verifyResponse(goodResp, other.rootCert);
    QVERIFY2(out.contains("Response Verify Failure"), out.constData());
    QVERIFY2(!out.contains("Response verify OK"), out.constData());

    QVERIFY2(s.ocsp.log().contains("POST 200"), s.ocsp.log().constData());
}

void TestFixtureOcsp::getPerRfc6960()
{
    Setup s;
    QVERIFY2(s.create(), qPrintable(s.error));
    FixtureDir work;
    const QString req = work.filePath(QStringLiteral("req.der"));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("ocsp"), QStringLiteral("-issuer"), s.pki.intermediateCert,
                      QStringLiteral("-cert"), s.pki.revoked.cert, QStringLiteral("-no_nonce"),
                      QStringLiteral("-reqout"), req},
                     &out),
             0);
    const QByteArray der = readFile(req);
    QVERIFY(!der.isEmpty());

    // Percent-encoded standard base64, through Qt's HTTP client.
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    const QUrl url = QUrl::fromEncoded(s.ocsp.url().toLatin1() + der.toBase64().toPercentEncoding(),
                                       QUrl::StrictMode);
    QVERIFY2(url.isValid(), qPrintable(url.errorString()));
    std::unique_ptr<QNetworkReply> reply(nam.get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    QVERIFY(finished.wait(15000));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toString(),
             QStringLiteral("application/ocsp-response"));
    const QString resp = work.filePath(QStringLiteral("resp.der"));
    QVERIFY(work.write(QStringLiteral("resp.der"), reply->readAll()));
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("ocsp"), QStringLiteral("-respin"), resp,
                      QStringLiteral("-issuer"), s.pki.intermediateCert, QStringLiteral("-cert"),
                      s.pki.revoked.cert, QStringLiteral("-CAfile"), s.pki.rootCert},
                     &out),
             0);
    QVERIFY2(out.contains("Response verify OK"), out.constData());
    QVERIFY2(out.contains("revoked.pem: revoked"), out.constData());

    // Unescaped base64url, as some clients send it.
    const QByteArray raw = rawHttp(
        s.ocsp.port(), "GET /" + der.toBase64(QByteArray::Base64UrlEncoding) + " HTTP/1.0\r\n\r\n");
    QVERIFY2(raw.startsWith("HTTP/1.0 200 OK"), raw.constData());
    QVERIFY2(raw.contains("Content-Type: application/ocsp-response"), raw.constData());
}

void TestFixtureOcsp::malformedRequestsAndKeepsServing()
{
    Setup s;
    QVERIFY2(s.create(), qPrintable(s.error));
    const quint16 port = s.ocsp.port();

    // A client that sends half a request and waits must not block others.
    QTcpSocket stalled;
    stalled.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    QVERIFY(stalled.waitForConnected(5000));
    stalled.write("POST / HTTP/1.1\r\nContent-Length: 500\r\n\r\n\x30\x82");

    QByteArray got = rawHttp(port, post("this is not an OCSP request"));
    QVERIFY2(got.startsWith("HTTP/1.0 400"), got.constData());
    // DER, but not an OCSPRequest: openssl itself rejects it.
    got = rawHttp(port, post(QByteArray("\x30\x03\x02\x01\x05", 5)));
    QVERIFY2(got.startsWith("HTTP/1.0 400"), got.constData());
    QVERIFY2(got.contains("Error reading OCSP request"), got.constData());
    got = rawHttp(port, "GET /!!not-base64!! HTTP/1.1\r\n\r\n");
    QVERIFY2(got.startsWith("HTTP/1.0 400"), got.constData());
    got = rawHttp(port, "hello\r\n\r\n");
    QVERIFY2(got.startsWith("HTTP/1.0 400"), got.constData());
    got = rawHttp(port, "POST / HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n");
    QVERIFY2(got.startsWith("HTTP/1.0 413"), got.constData());
    got = rawHttp(port, "POST / HTTP/1.1\r\n\r\n");
    QVERIFY2(got.startsWith("HTTP/1.0 411"), got.constData());
    got = rawHttp(port, "DELETE / HTTP/1.1\r\n\r\n");
    QVERIFY2(got.startsWith("HTTP/1.0 405"), got.constData());

    // Still serving, with the stalled client still connected.
    QVERIFY(stalled.state() == QAbstractSocket::ConnectedState);
    int rc = -1;
    const QByteArray out = ocspClient(s.pki, s.pki.good.cert, s.ocsp.url(), &rc);
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("good.pem: good"), out.constData());
    QVERIFY2(out.contains("Response verify OK"), out.constData());
    QVERIFY(::kill(static_cast<pid_t>(s.ocsp.pid()), 0) == 0);
    QVERIFY2(s.ocsp.log().contains("POST 400"), s.ocsp.log().constData());
}

void TestFixtureOcsp::stopLeavesNoProcess()
{
    Setup s;
    QVERIFY2(s.create(), qPrintable(s.error));
    const qint64 pid = s.ocsp.pid();
    QVERIFY(::kill(static_cast<pid_t>(pid), 0) == 0);
    s.ocsp.stop();
    QVERIFY(::kill(static_cast<pid_t>(pid), 0) != 0);
    QVERIFY(!tcpPortAnswers(s.ocsp.port()));
}

QTEST_GUILESS_MAIN(TestFixtureOcsp)
#include "test_fixture_ocsp.moc"
