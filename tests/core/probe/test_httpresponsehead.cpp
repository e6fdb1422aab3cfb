// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP/1.x response head reader the inspection uses for HSTS and Server.
#include "probe/inspect/HttpResponseHead.h"

#include <QTest>

using namespace certdeck::probe;

class TestHttpResponseHead : public QObject
{
    Q_OBJECT
private slots:
    void complete();
    void incompleteUntilBlankLine();
    void malformed_data();
    void malformed();
};

void TestHttpResponseHead::complete()
{
    const HttpResponseHead h =
        parseHttpResponseHead("HTTP/1.1 301 Moved Permanently\r\nServer: nginx/1.22.1\r\n"
                              "Strict-Transport-Security:  max-age=1 \r\nX-Folded: a\r\n  b\r\n"
                              "strict-transport-security: max-age=2\r\n\r\nbody");
    QCOMPARE(h.state, HttpResponseHead::State::Complete);
    QCOMPARE(h.statusLine, QStringLiteral("HTTP/1.1 301 Moved Permanently"));
    QCOMPARE(h.statusCode, 301);
    QCOMPARE(h.field("server"), QByteArray("nginx/1.22.1"));
    // RFC 6797 8.1: only the first HSTS header counts.
    QCOMPARE(h.field("strict-transport-security"), QByteArray("max-age=1"));
    QCOMPARE(h.field("x-folded"), QByteArray("a b"));
    QVERIFY(h.field("absent").isNull());
}

void TestHttpResponseHead::incompleteUntilBlankLine()
{
    const QByteArray full = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n";
    for (qsizetype n = 0; n < full.size(); ++n) {
        QCOMPARE(parseHttpResponseHead(full.left(n)).state, HttpResponseHead::State::Incomplete);
    }
    QCOMPARE(parseHttpResponseHead(full).state, HttpResponseHead::State::Complete);
}

void TestHttpResponseHead::malformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("not http") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n")
                              << QStringLiteral("status line");
    QTest::newRow("no code") << QByteArray("HTTP/1.1 abc\r\n\r\n") << QStringLiteral("status");
    QTest::newRow("no colon") << QByteArray("HTTP/1.1 200 OK\r\nbroken\r\n\r\n")
                              << QStringLiteral("no field name");
    QTest::newRow("endless") << QByteArray("HTTP/1.1 200 OK\r\n") +
                                    QByteArray(kMaxHttpHeadBytes, 'a')
                             << QStringLiteral("longer than");
}

void TestHttpResponseHead::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, errorPart);
    const HttpResponseHead h = parseHttpResponseHead(bytes);
    QCOMPARE(h.state, HttpResponseHead::State::Malformed);
    QVERIFY2(h.error.contains(errorPart), qPrintable(h.error));
}

QTEST_GUILESS_MAIN(TestHttpResponseHead)
#include "test_httpresponsehead.moc"
