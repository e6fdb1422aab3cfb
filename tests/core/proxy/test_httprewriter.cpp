// SPDX-License-Identifier: GPL-3.0-or-later
// HTTP/1.1 framing and header injection of the proxy's HTTP mode, fed whole
// and byte by byte: only heads get headers, bodies (Content-Length, chunked,
// until close; none after HEAD, 204, 304, 1xx) pass untouched, pipelined
// messages are all found, and malformed heads are refused.
#include "proxy/internal/HttpRewriter.h"

#include <QTest>

using namespace certdeck::proxy::internal;

namespace {

const QByteArray kRequestExtra = "X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Proto: https\r\n";
const QByteArray kResponseExtra = "Strict-Transport-Security: max-age=60\r\n";

struct Outcome
{
    QByteArray forwarded;
    HttpRewriter::Verdict verdict = HttpRewriter::Verdict::Ok;
};

/// Feeds `input` in pieces of `step` bytes (0: whole) through one direction
/// and collects what the rewriter releases.
Outcome run(HttpRewriter& rw, const QByteArray& input, bool requests, int step)
{
    RelayBuffer buf;
    buf.allocate(64 * 1024);
    Outcome out;
    qsizetype pos = 0;
    const qsizetype piece = step == 0 ? input.size() : step;
    while (pos < input.size()) {
        const qsizetype n = std::min(piece, input.size() - pos);
        memcpy(buf.tail(), input.constData() + pos, static_cast<size_t>(n));
        buf.commit(static_cast<size_t>(n));
        pos += n;
        std::size_t ready = 0;
        out.verdict = requests ? rw.onRequestBytes(buf, &ready) : rw.onResponseBytes(buf, &ready);
        if (out.verdict == HttpRewriter::Verdict::Malformed) {
            return out;
        }
        out.forwarded.append(buf.data(), static_cast<qsizetype>(ready));
        buf.consume(ready);
        if (requests) {
            rw.requestSent(ready);
        } else {
            rw.responseSent(ready);
        }
    }
    return out;
}

HttpRewriter make()
{
    return HttpRewriter(kRequestExtra, kResponseExtra, 8192);
}

} // namespace

class TestHttpRewriter : public QObject
{
    Q_OBJECT
private slots:
    void requests_data();
    void requests();
    void malformedRequests_data();
    void malformedRequests();
    void responsesFollowRequests();
    void responseUntilClose();
    void upgradeMakesBothSidesOpaque();
};

void TestHttpRewriter::requests_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<int>("step");
    const QByteArray get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    const QByteArray getOut = "GET / HTTP/1.1\r\nHost: a\r\n" + kRequestExtra + "\r\n";
    for (int step : {0, 1, 7}) {
        const QByteArray s = "/" + QByteArray::number(step);
        QTest::newRow("one GET" + s) << get << getOut << step;
        QTest::newRow("pipelined" + s) << get + get << getOut + getOut << step;
        const QByteArray post = "POST /u HTTP/1.1\r\nContent-Length: 26\r\n\r\n"
                                "\r\n\r\nGET /fake HTTP/1.1\r\n\r\n";
        const QByteArray postOut = "POST /u HTTP/1.1\r\nContent-Length: 26\r\n" + kRequestExtra +
                                   "\r\n\r\n\r\nGET /fake HTTP/1.1\r\n\r\n";
        QTest::newRow("body that looks like a request" + s)
            << post + get << postOut + getOut << step;
        const QByteArray chunked = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   "5;ext=1\r\nhello\r\n1A\r\nGET /x HTTP/1.1\r\n\r\n1234567\r\n"
                                   "0\r\nTrailer: yes\r\n\r\n";
        const QByteArray chunkedOut = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n" +
                                      kRequestExtra + "\r\n" + chunked.mid(chunked.indexOf("5;"));
        QTest::newRow("chunked with trailers" + s) << chunked + get << chunkedOut + getOut << step;
    }
}

void TestHttpRewriter::requests()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QFETCH(int, step);
    HttpRewriter rw = make();
    const Outcome out = run(rw, input, true, step);
    QCOMPARE(out.verdict, HttpRewriter::Verdict::Ok);
    QCOMPARE(out.forwarded, expected);
}

void TestHttpRewriter::malformedRequests_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("no version") << QByteArray("GET /\r\n\r\n");
    QTest::newRow("header without colon") << QByteArray("GET / HTTP/1.1\r\nHost a\r\n\r\n");
    QTest::newRow("conflicting lengths")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
    QTest::newRow("negative length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n");
    QTest::newRow("bad chunk size")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    QTest::newRow("head over the limit")
        << "GET / HTTP/1.1\r\nX: " + QByteArray(9000, 'a') + "\r\n\r\n";
    QTest::newRow("endless head") << "GET / HTTP/1.1\r\nX: " + QByteArray(9000, 'a');
}

void TestHttpRewriter::malformedRequests()
{
    QFETCH(QByteArray, input);
    for (int step : {0, 1}) {
        HttpRewriter rw = make();
        QCOMPARE(run(rw, input, true, step).verdict, HttpRewriter::Verdict::Malformed);
    }
}

void TestHttpRewriter::responsesFollowRequests()
{
    HttpRewriter rw = make();
    // HEAD, then GET, then GET: the HEAD's answer has a length but no body.
    run(rw, "HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\nGET /n HTTP/1.1\r\n\r\n", true, 0);
    const QByteArray responses =
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        "HTTP/1.1 204 No Content\r\nStrict-Transport-Security: max-age=1\r\n\r\n";
    const QByteArray expected =
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n" + kResponseExtra +
        "\r\n"
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" +
        kResponseExtra +
        "\r\nok"
        "HTTP/1.1 204 No Content\r\nStrict-Transport-Security: max-age=1\r\n\r\n";
    for (int step : {0, 1, 5}) {
        HttpRewriter fresh = make();
        run(fresh, "HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\nGET /n HTTP/1.1\r\n\r\n", true, 0);
        const Outcome out = run(fresh, responses, false, step);
        QCOMPARE(out.verdict, HttpRewriter::Verdict::Ok);
        QCOMPARE(out.forwarded, expected);
    }
}

void TestHttpRewriter::responseUntilClose()
{
    HttpRewriter rw = make();
    run(rw, "GET / HTTP/1.0\r\n\r\n", true, 0);
    const QByteArray body = "HTTP/1.1 200 OK\r\nSTRICT-transport-security: x\r\n\r\n";
    const Outcome head = run(rw, "HTTP/1.0 200 OK\r\n\r\n" + body, false, 0);
    QCOMPARE(head.forwarded, "HTTP/1.0 200 OK\r\n" + kResponseExtra + "\r\n" + body);
    QVERIFY(rw.responseUntilClose());
}

void TestHttpRewriter::upgradeMakesBothSidesOpaque()
{
    HttpRewriter rw = make();
    run(rw, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", true, 0);
    const QByteArray frames = "\x81\x02hi GET / HTTP/1.1\r\n\r\n";
    const Outcome r = run(
        rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + frames, false, 0);
    QVERIFY(r.forwarded.endsWith(frames));
    QVERIFY(!r.forwarded.contains("Strict-Transport-Security"));
    QCOMPARE(run(rw, frames, true, 0).forwarded, frames);
}

QTEST_GUILESS_MAIN(TestHttpRewriter)
#include "test_httprewriter.moc"
