// SPDX-License-Identifier: GPL-3.0-or-later
// ServedChainFetcher against a real nginx serving a full chain, a leaf only,
// and refusing handshakes; plus refused, silent and non-TLS peers.
#include "NginxFixture.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "crypto/ServedChainFetcher.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <optional>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

class TestServedChainFetcher : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void servedChainAsSent_data();
    void servedChainAsSent();
    void handshakeAlertInPlainWords();
    void refusedAndUnresolvable();
    void silentServerTimesOutAndCancel();
    void plainTextServer();
    void parseEndpoint();
    void certShowLiveEndpoint();

private:
    std::optional<Result<ServedChain>> fetchAsync(const ServedChainFetcher::Options& o);
    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_leaf;
};

std::optional<Result<ServedChain>>
TestServedChainFetcher::fetchAsync(const ServedChainFetcher::Options& o)
{
    // Through the async path, so this thread's event loop keeps serving any
    // QTcpServer peer of the test meanwhile.
    std::optional<Result<ServedChain>> result;
    QObject context;
    ServedChainFetcher::fetchAsync(o, &context,
                                   [&result](const Result<ServedChain>& r) { result = r; });
    if (!waitUntil([&result] { return result.has_value(); }, 30000)) {
        return std::nullopt;
    }
    return result;
}

void TestServedChainFetcher::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("leaf");
    m_leaf = m_pki.issue(spec);
    QVERIFY2(!m_leaf.name.isEmpty(), qPrintable(m_pki.errorString()));
}

void TestServedChainFetcher::servedChainAsSent_data()
{
    QTest::addColumn<bool>("full");
    QTest::newRow("fullchain") << true;
    QTest::newRow("leaf only") << false;
}

void TestServedChainFetcher::servedChainAsSent()
{
    QFETCH(bool, full);
    const QString certFile = full ? m_leaf.fullchain : m_leaf.cert;
    NginxFixture nginx;
    QVERIFY2(nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                        "ssl_protocols TLSv1.2 TLSv1.3;\n")
                             .arg(certFile, m_leaf.key)),
             qPrintable(nginx.errorString()));
    ServedChainFetcher::Options o;
    o.host = QStringLiteral("127.0.0.1");
    o.port = nginx.port();
    o.sni = QStringLiteral("localhost");
    QElapsedTimer t;
    t.start();
    const auto r = fetchAsync(o);
    QVERIFY(r.has_value());
    QVERIFY2(r->has_value(), r->has_value() ? "" : qPrintable(r->error().toString()));
    qInfo("fetched in %lld ms", t.elapsed());
    const auto expected = CertificateReader::readFile(certFile);
    QVERIFY(expected);
    QCOMPARE((*r)->certificates.size(), full ? 2 : 1);
    QCOMPARE((*r)->certificates, expected->certificates);
    QCOMPARE((*r)->protocol, QStringLiteral("TLSv1.3"));
    QVERIFY((*r)->cipher.startsWith(u"TLS_"));
    QCOMPARE((*r)->sni, QStringLiteral("localhost"));
    QCOMPARE((*r)->peerAddress, QStringLiteral("127.0.0.1"));
}

void TestServedChainFetcher::handshakeAlertInPlainWords()
{
    NginxFixture nginx;
    QVERIFY2(nginx.start(QStringLiteral("ssl_reject_handshake on;\n")),
             qPrintable(nginx.errorString()));
    ServedChainFetcher::Options o;
    o.host = QStringLiteral("127.0.0.1");
    o.port = nginx.port();
    o.sni = QStringLiteral("api.example.test");
    const auto r = ServedChainFetcher::fetch(o);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Protocol);
    QVERIFY2(r.error().message.contains(
                 u"the server does not serve the name 'api.example.test' (TLS alert: "
                 u"unrecognized name)"),
             qPrintable(r.error().toString()));
    QVERIFY(r.error().message.contains(QStringLiteral("127.0.0.1:%1").arg(nginx.port())));
}

void TestServedChainFetcher::refusedAndUnresolvable()
{
    ServedChainFetcher::Options o;
    o.host = QStringLiteral("127.0.0.1");
    o.port = freeLoopbackPort();
    const auto refused = ServedChainFetcher::fetch(o);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Network);
    QVERIFY2(refused.error().message.startsWith(
                 QStringLiteral("Connection refused by 127.0.0.1:%1").arg(o.port)),
             qPrintable(refused.error().toString()));
    // .invalid never resolves (RFC 6761).
    o.host = QStringLiteral("no-such-host.invalid");
    const auto dns = ServedChainFetcher::fetch(o);
    QVERIFY(!dns);
    QCOMPARE(dns.error().code, ErrorCode::Network);
    QCOMPARE(dns.error().message,
             QStringLiteral("Cannot resolve the host name 'no-such-host.invalid'"));
}

void TestServedChainFetcher::silentServerTimesOutAndCancel()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    ServedChainFetcher::Options o;
    o.host = QStringLiteral("127.0.0.1");
    o.port = silent.serverPort();
    o.handshakeTimeoutMs = 500;
    QElapsedTimer t;
    t.start();
    const auto r = fetchAsync(o);
    QVERIFY(r.has_value());
    QVERIFY(!r->has_value());
    QCOMPARE(r->error().code, ErrorCode::Timeout);
    QVERIFY2(r->error().message.contains(u"did not complete a TLS handshake within 0.5 s"),
             qPrintable(r->error().message));
    QVERIFY(t.elapsed() >= 450);

    // Cancelled from this thread while the worker waits in poll(): cancel()
    // wakes it at once, and the socket is closed as it returns.
    o.handshakeTimeoutMs = 20000;
    while (silent.hasPendingConnections()) {
        delete silent.nextPendingConnection(); // the first fetch's
    }
    ServedChainFetcher fetcher(o);
    QSignalSpy finished(&fetcher, &Operation::finished);
    fetcher.start();
    QTRY_VERIFY(silent.hasPendingConnections());
    QTcpSocket* peer = silent.nextPendingConnection();
    QVERIFY(peer != nullptr);
    QSignalSpy peerSawClose(peer, &QTcpSocket::disconnected);
    t.restart();
    fetcher.cancel();
    QVERIFY(finished.wait(5000));
    QCOMPARE(fetcher.result().error().code, ErrorCode::Cancelled);
    QVERIFY(t.elapsed() < 2000); // a sanity bound: the 20 s handshake limit did not run out
    QVERIFY(peerSawClose.count() == 1 || peerSawClose.wait(5000));
}

void TestServedChainFetcher::plainTextServer()
{
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost));
    connect(&http, &QTcpServer::newConnection, this, [&http] {
        QTcpSocket* s = http.nextPendingConnection();
        s->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        s->flush();
    });
    ServedChainFetcher::Options o;
    o.host = QStringLiteral("127.0.0.1");
    o.port = http.serverPort();
    const auto r = fetchAsync(o);
    QVERIFY(r.has_value());
    QVERIFY(!r->has_value());
    QCOMPARE(r->error().code, ErrorCode::Protocol);
    QVERIFY2(r->error().message.contains(u"did not answer with TLS"),
             qPrintable(r->error().toString()));
}

void TestServedChainFetcher::parseEndpoint()
{
    auto a = ServedChainFetcher::parseEndpoint(QStringLiteral("example.com:8443"));
    QVERIFY(a);
    QCOMPARE(a->host, QStringLiteral("example.com"));
    QCOMPARE(a->port, quint16(8443));
    auto b = ServedChainFetcher::parseEndpoint(QStringLiteral("[::1]:443"));
    QVERIFY(b);
    QCOMPARE(b->host, QStringLiteral("::1"));
    auto c = ServedChainFetcher::parseEndpoint(QStringLiteral("example.com"));
    QVERIFY(c);
    QCOMPARE(c->port, quint16(443));
    auto bad = ServedChainFetcher::parseEndpoint(QStringLiteral("example.com:99999"));
    QVERIFY(!bad);
    QCOMPARE(bad.error().message,
             QStringLiteral("\"example.com:99999\": port 99999 is out of range (1-65535)"));
    auto idn = ServedChainFetcher::parseEndpoint(QStringLiteral(" bücher.example:8443 "));
    QVERIFY(idn);
    QCOMPARE(idn->host, QStringLiteral("xn--bcher-kva.example"));
    auto garbage = ServedChainFetcher::parseEndpoint(QStringLiteral("a:b:c"));
    QVERIFY(!garbage);
    QVERIFY2(garbage.error().message.startsWith(QStringLiteral("\"a:b:c\": neither HOST:PORT")),
             qPrintable(garbage.error().message));
}

void TestServedChainFetcher::certShowLiveEndpoint()
{
    // certdeckctl cert show HOST:PORT as an admin runs it.
    const QString ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(ctl), "CERTDECKCTL must name the built certdeckctl");
    NginxFixture nginx;
    QVERIFY2(nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n")
                             .arg(m_leaf.cert, m_leaf.key)),
             qPrintable(nginx.errorString()));
    const QString endpoint = QStringLiteral("127.0.0.1:%1").arg(nginx.port());
    QProcess p;
    p.start(ctl, {QStringLiteral("cert"), QStringLiteral("show"), endpoint, QStringLiteral("--sni"),
                  QStringLiteral("localhost"), QStringLiteral("--json")});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    const QJsonObject o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QCOMPARE(o.value(QStringLiteral("certificates")).toArray().size(), 1);
    QCOMPARE(o.value(QStringLiteral("served")).toObject().value(QStringLiteral("sni")).toString(),
             QStringLiteral("localhost"));
    QProcess human;
    human.start(ctl, {QStringLiteral("cert"), QStringLiteral("show"), endpoint});
    QVERIFY(human.waitForFinished(30000));
    QCOMPARE(human.exitCode(), 0);
    const QByteArray out = human.readAllStandardOutput();
    QVERIFY2(out.contains("1 certificate(s) served") && out.contains("DNS:localhost"),
             out.constData());
    // Nothing listens any more: exit 3 with the reason on stderr.
    nginx.stop();
    QProcess refused;
    refused.start(ctl, {QStringLiteral("cert"), QStringLiteral("show"), endpoint});
    QVERIFY(refused.waitForFinished(30000));
    QCOMPARE(refused.exitCode(), 3);
    QVERIFY(refused.readAllStandardError().contains("Connection refused by " + endpoint.toUtf8()));
}

QTEST_GUILESS_MAIN(TestServedChainFetcher)
#include "test_served_chain_fetcher.moc"
