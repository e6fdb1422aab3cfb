// SPDX-License-Identifier: GPL-3.0-or-later
// The termination proxy against independent clients: openssl s_client sees
// the certificate SNI and the signature algorithms select, resumes TLS 1.2
// sessions and TLS 1.3 tickets ("Reused"), ALPN passes through; curl gets
// the backend's answers (HTTP mode adds HSTS and X-Forwarded-*); sslscan
// finds exactly the policy's suites; a reload under h2load fails no request.
#include "PeerProcess.h"
#include "ScannerOracle.h"
#include "TestBackend.h"
#include "TestPki.h"
#include "proxy/MetricsServer.h"
#include "proxy/Proxy.h"
#include "proxy/TlsContextSet.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <memory>

using namespace certdeck;
using namespace certdeck::proxy;
using namespace certdeck::test;

namespace {

QString spec(const TestPki::Leaf& leaf)
{
    return leaf.fullchain + u',' + leaf.key;
}

/// The first certificate s_client printed (-showcerts prints the served chain).
QByteArray firstPem(const QByteArray& text)
{
    const qsizetype begin = text.indexOf("-----BEGIN CERTIFICATE-----");
    const qsizetype end = text.indexOf("-----END CERTIFICATE-----", begin);
    if (begin < 0 || end < 0) {
        return {};
    }
    return text.mid(begin, end - begin + 25);
}

QByteArray leafPem(const TestPki::Leaf& leaf)
{
    QFile f(leaf.cert);
    return f.open(QIODevice::ReadOnly) ? firstPem(f.readAll()) : QByteArray();
}

} // namespace

class TestProxy : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void requestReachesBackend();
    void sniPicksCertificate_data();
    void sniPicksCertificate();
    void signatureAlgorithmsPickEcdsaOrRsa_data();
    void signatureAlgorithmsPickEcdsaOrRsa();
    void backendCloseEndsTheClientConnection();
    void sessionsResume_data();
    void sessionsResume();
    void ticketsSurviveOneRotationOnly();
    void alpnH2PassesThrough();
    void sslscanFindsPolicySuites_data();
    void sslscanFindsPolicySuites();
    void largeTransferThroughSmallBuffers();
    void httpModeAddsHeaders();
    void reloadUnderLoadFailsNothing();
    void metricsAreServed();
    void badCertificateFilesAreNamed();

private:
    std::unique_ptr<Proxy> startProxy(ProxyConfig config);
    QByteArray sClient(quint16 port, const QStringList& extra, const QByteArray& input = {});
    ProxyConfig baseConfig() const;

    FixtureDir m_dir;
    TestPki m_ec;
    TestPki m_rsa;
    TestPki::Leaf m_ecA, m_rsaA, m_ecB;
    TestBackend m_backend;
};

void TestProxy::initTestCase()
{
    QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("ec"))));
    QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("rsa"))));
    QVERIFY2(m_ec.create(m_dir.filePath(QStringLiteral("ec")), {}), qPrintable(m_ec.errorString()));
    TestPki::Options rsaOptions;
    rsaOptions.keyType = TestPki::KeyType::Rsa2048;
    QVERIFY2(m_rsa.create(m_dir.filePath(QStringLiteral("rsa")), rsaOptions),
             qPrintable(m_rsa.errorString()));
    TestPki::LeafSpec a;
    a.name = QStringLiteral("a");
    a.commonName = QStringLiteral("a.test");
    a.sans = {QStringLiteral("DNS:a.test"), QStringLiteral("DNS:localhost")};
    m_ecA = m_ec.issue(a);
    m_rsaA = m_rsa.issue(a);
    TestPki::LeafSpec b;
    b.name = QStringLiteral("b");
    b.commonName = QStringLiteral("b.test");
    b.sans = {QStringLiteral("DNS:b.test"), QStringLiteral("DNS:*.wild.test")};
    m_ecB = m_ec.issue(b);
    QVERIFY2(!m_ecA.name.isEmpty() && !m_rsaA.name.isEmpty() && !m_ecB.name.isEmpty(),
             qPrintable(m_ec.errorString() + m_rsa.errorString()));
    QVERIFY(m_backend.start());
}

ProxyConfig TestProxy::baseConfig() const
{
    ProxyConfig c;
    c.listen = {QHostAddress(QHostAddress::LocalHost), 0};
    c.backend = {QHostAddress(QHostAddress::LocalHost), m_backend.port()};
    c.certificateFiles = {spec(m_ecA), spec(m_rsaA), spec(m_ecB)};
    c.workers = 2;
    return c;
}

std::unique_ptr<Proxy> TestProxy::startProxy(ProxyConfig config)
{
    auto proxy = std::make_unique<Proxy>(std::move(config));
    const Status st = proxy->start();
    if (!st) {
        qWarning("proxy did not start: %s", qPrintable(st.error().toString()));
        return {};
    }
    return proxy;
}

QByteArray TestProxy::sClient(quint16 port, const QStringList& extra, const QByteArray& input)
{
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            QStringList{QStringLiteral("s_client"), QStringLiteral("-connect"),
                        QStringLiteral("127.0.0.1:%1").arg(port)} +
                extra,
            &out, 30000, m_dir.path(), input.isEmpty() ? QByteArray("Q\n") : input);
    return out;
}

void TestProxy::requestReachesBackend()
{
    auto proxy = startProxy(baseConfig());
    QVERIFY(proxy);
    QByteArray out;
    const int rc = runTool(QStringLiteral("curl"),
                           {QStringLiteral("-sS"), QStringLiteral("--cacert"), m_ec.rootCert,
                            QStringLiteral("--resolve"),
                            QStringLiteral("a.test:%1:127.0.0.1").arg(proxy->port()),
                            QStringLiteral("https://a.test:%1/hello").arg(proxy->port())},
                           &out);
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("backend saw:\nGET /hello HTTP/1.1"), out.constData());
    proxy->stop();
    const ProxyStatsSnapshot s = proxy->stats();
    QCOMPARE(s.handshakesFull + s.handshakesResumed, uint64_t{1});
    QVERIFY(s.bytesFromBackend > 0);
}

void TestProxy::sniPicksCertificate_data()
{
    QTest::addColumn<QString>("serverName");
    QTest::addColumn<QString>("expected");
    QTest::newRow("a.test") << QStringLiteral("a.test") << QStringLiteral("a");
    QTest::newRow("b.test") << QStringLiteral("b.test") << QStringLiteral("b");
    QTest::newRow("wildcard") << QStringLiteral("x.wild.test") << QStringLiteral("b");
    QTest::newRow("upper case") << QStringLiteral("B.TEST") << QStringLiteral("b");
    QTest::newRow("unknown name: default") << QStringLiteral("nobody.test") << QStringLiteral("a");
    QTest::newRow("two labels under wildcard: default")
        << QStringLiteral("x.y.wild.test") << QStringLiteral("a");
}

void TestProxy::sniPicksCertificate()
{
    QFETCH(QString, serverName);
    QFETCH(QString, expected);
    auto proxy = startProxy(baseConfig());
    QVERIFY(proxy);
    const QByteArray out =
        sClient(proxy->port(), {QStringLiteral("-servername"), serverName,
                                QStringLiteral("-sigalgs"), QStringLiteral("ECDSA+SHA256")});
    const QByteArray served = firstPem(out);
    QVERIFY2(!served.isEmpty(), out.constData());
    QCOMPARE(served, leafPem(expected == QLatin1String("a") ? m_ecA : m_ecB));
}

void TestProxy::signatureAlgorithmsPickEcdsaOrRsa_data()
{
    QTest::addColumn<QStringList>("clientArgs");
    QTest::addColumn<bool>("rsa");
    QTest::newRow("TLS 1.3 ECDSA")
        << QStringList{QStringLiteral("-tls1_3"), QStringLiteral("-sigalgs"),
                       QStringLiteral("ECDSA+SHA256")}
        << false;
    QTest::newRow("TLS 1.3 RSA-PSS only")
        << QStringList{QStringLiteral("-tls1_3"), QStringLiteral("-sigalgs"),
                       QStringLiteral("RSA-PSS+SHA256:RSA+SHA256")}
        << true;
    QTest::newRow("TLS 1.2 ECDHE-RSA suite only")
        << QStringList{QStringLiteral("-tls1_2"), QStringLiteral("-cipher"),
                       QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256")}
        << true;
    QTest::newRow("TLS 1.2 ECDHE-ECDSA suite only")
        << QStringList{QStringLiteral("-tls1_2"), QStringLiteral("-cipher"),
                       QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256")}
        << false;
}

void TestProxy::signatureAlgorithmsPickEcdsaOrRsa()
{
    QFETCH(QStringList, clientArgs);
    QFETCH(bool, rsa);
    auto proxy = startProxy(baseConfig());
    QVERIFY(proxy);
    const QByteArray out =
        sClient(proxy->port(), QStringList{QStringLiteral("-servername"), QStringLiteral("a.test"),
                                           QStringLiteral("-showcerts")} +
                                   clientArgs);
    QCOMPARE(firstPem(out), leafPem(rsa ? m_rsaA : m_ecA));
}

void TestProxy::backendCloseEndsTheClientConnection()
{
    // The backend answers and closes in one go (data and FIN together): the
    // client's connection ends then, not at the idle timeout.
    ProxyConfig c = baseConfig();
    c.limits.idleTimeout = std::chrono::seconds(600);
    auto proxy = startProxy(c);
    QVERIFY(proxy);
    for (int i = 0; i < 5; ++i) {
        QByteArray out;
        const int rc = runTool(QStringLiteral("openssl"),
                               {QStringLiteral("s_client"), QStringLiteral("-connect"),
                                QStringLiteral("127.0.0.1:%1").arg(proxy->port()),
                                QStringLiteral("-ign_eof"), QStringLiteral("-quiet")},
                               &out, 60000, {}, "GET /close HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY2(rc != -1, "s_client was still connected after the backend had closed");
        QVERIFY2(out.contains("backend closes"), out.constData());
    }
    QCOMPARE(proxy->stats().closedFor(CloseReason::IdleTimeout), uint64_t{0});
}

void TestProxy::sessionsResume_data()
{
    QTest::addColumn<QStringList>("clientArgs");
    QTest::newRow("TLS 1.2 session id")
        << QStringList{QStringLiteral("-tls1_2"), QStringLiteral("-no_ticket")};
    QTest::newRow("TLS 1.2 ticket") << QStringList{QStringLiteral("-tls1_2")};
    QTest::newRow("TLS 1.3 ticket") << QStringList{QStringLiteral("-tls1_3")};
}

void TestProxy::sessionsResume()
{
    QFETCH(QStringList, clientArgs);
    auto proxy = startProxy(baseConfig());
    QVERIFY(proxy);
    const QString session = m_dir.filePath(QStringLiteral("session.pem"));
    QFile::remove(session);
    // TLS 1.3 tickets come after the handshake: send a request and wait for
    // the answer so that s_client has read them before it saves the session.
    const QByteArray first = sClient(
        proxy->port(),
        clientArgs + QStringList{QStringLiteral("-servername"), QStringLiteral("a.test"),
                                 QStringLiteral("-sess_out"), session, QStringLiteral("-ign_eof")},
        "GET /close HTTP/1.1\r\nHost: a.test\r\n\r\n");
    QVERIFY2(first.contains("New, TLSv1."), first.constData());
    // Several times: connections land on either worker, and all must resume.
    for (int i = 0; i < 4; ++i) {
        const QByteArray again =
            sClient(proxy->port(), clientArgs + QStringList{QStringLiteral("-servername"),
                                                            QStringLiteral("a.test"),
                                                            QStringLiteral("-sess_in"), session});
        QVERIFY2(again.contains("Reused, TLSv1."), again.constData());
    }
    QVERIFY(proxy->stats().handshakesResumed >= 4);
}

void TestProxy::ticketsSurviveOneRotationOnly()
{
    ProxyConfig c = baseConfig();
    auto proxy = startProxy(c);
    QVERIFY(proxy);
    const QString session = m_dir.filePath(QStringLiteral("ticket.pem"));
    QFile::remove(session);
    const QStringList args{QStringLiteral("-tls1_2"), QStringLiteral("-servername"),
                           QStringLiteral("a.test")};
    QVERIFY(sClient(proxy->port(), args + QStringList{QStringLiteral("-sess_out"), session})
                .contains("New, TLSv1.2"));
    // The ticket survives a reload (the key ring is shared by every set)
    // and one rotation (the previous key still decrypts)...
    QVERIFY(proxy->reload());
    QVERIFY(proxy->rotateTicketKeys());
    QVERIFY(proxy->reload());
    // The session id cache does not survive a reload; the ticket does.
    const QByteArray afterOne =
        sClient(proxy->port(), args + QStringList{QStringLiteral("-sess_in"), session});
    QVERIFY2(afterOne.contains("Reused, TLSv1.2"), afterOne.constData());
    // ... but not three: only the current key and two previous ones are kept.
    QVERIFY(proxy->rotateTicketKeys());
    QVERIFY(proxy->rotateTicketKeys());
    QVERIFY(proxy->reload());
    const QByteArray afterThree =
        sClient(proxy->port(), args + QStringList{QStringLiteral("-sess_in"), session});
    QVERIFY2(afterThree.contains("New, TLSv1.2"), afterThree.constData());
}

void TestProxy::alpnH2PassesThrough()
{
    ProxyConfig c = baseConfig();
    c.alpn = {QStringLiteral("h2"), QStringLiteral("http/1.1")};
    auto proxy = startProxy(c);
    QVERIFY(proxy);
    QVERIFY(sClient(proxy->port(), {QStringLiteral("-alpn"), QStringLiteral("h2")})
                .contains("ALPN protocol: h2"));
    QVERIFY(sClient(proxy->port(), {QStringLiteral("-alpn"), QStringLiteral("spdy/3,http/1.1")})
                .contains("ALPN protocol: http/1.1"));
    // Nothing in common: the handshake goes on without ALPN.
    const QByteArray none =
        sClient(proxy->port(), {QStringLiteral("-alpn"), QStringLiteral("imap")});
    QVERIFY2(none.contains("No ALPN negotiated"), none.constData());
}

void TestProxy::sslscanFindsPolicySuites_data()
{
    QTest::addColumn<int>("policy");
    QTest::newRow("modern") << static_cast<int>(TlsPolicy::Modern);
    QTest::newRow("intermediate") << static_cast<int>(TlsPolicy::Intermediate);
}

void TestProxy::sslscanFindsPolicySuites()
{
    QFETCH(int, policy);
    ProxyConfig c = baseConfig();
    c.policy = static_cast<TlsPolicy>(policy);
    auto proxy = startProxy(c);
    QVERIFY(proxy);
    QString error;
    const auto suites =
        ScannerOracle::sslscan(proxy->port(), QStringLiteral("a.test"), m_dir.path(), &error);
    QVERIFY2(suites, qPrintable(error));
    // sslscan names TLS 1.2 suites the OpenSSL way: map them to IANA names.
    QByteArray table;
    QVERIFY(runTool(QStringLiteral("openssl"),
                    {QStringLiteral("ciphers"), QStringLiteral("-stdname"),
                     QStringLiteral("ALL:@SECLEVEL=0")},
                    &table) == 0);
    QHash<QString, QString> iana;
    for (const QByteArray& line : table.split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() >= 3 && parts[1] == "-") {
            iana.insert(QString::fromLatin1(parts[2]), QString::fromLatin1(parts[0]));
        }
    }
    QSet<QString> found;
    for (const OracleSuite& s : *suites) {
        found.insert(s.version + u' ' + iana.value(s.name, s.name));
    }
    const QStringList expected = TlsContextSet::policySuites(c.policy);
    QCOMPARE(found, QSet<QString>(expected.begin(), expected.end()));
}

void TestProxy::largeTransferThroughSmallBuffers()
{
    ProxyConfig c = baseConfig();
    c.limits.relayBufferBytes = 4096; // 1 MiB through 4 KiB: backpressure all the way
    c.workers = 1;
    auto proxy = startProxy(c);
    QVERIFY(proxy);
    const QString file = m_dir.filePath(QStringLiteral("big.bin"));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("curl"),
                     {QStringLiteral("-sSk"), QStringLiteral("-o"), file,
                      QStringLiteral("https://127.0.0.1:%1/big").arg(proxy->port()),
                      QStringLiteral("https://127.0.0.1:%1/big").arg(proxy->port())},
                     &out),
             0);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256),
             QCryptographicHash::hash(TestBackend::bigBody(), QCryptographicHash::Sha256));
}

void TestProxy::httpModeAddsHeaders()
{
    ProxyConfig c = baseConfig();
    c.mode = ProxyMode::Http;
    c.alpn = {QStringLiteral("http/1.1")};
    auto proxy = startProxy(c);
    QVERIFY(proxy);
    const int before = m_backend.requests().size();
    QByteArray out;
    // Two requests on one keep-alive connection: both are rewritten.
    QCOMPARE(runTool(QStringLiteral("curl"),
                     {QStringLiteral("-sSki"),
                      QStringLiteral("https://127.0.0.1:%1/one").arg(proxy->port()),
                      QStringLiteral("https://127.0.0.1:%1/two").arg(proxy->port())},
                     &out),
             0);
    QCOMPARE(out.count("strict-transport-security: max-age=31536000") +
                 out.count("Strict-Transport-Security: max-age=31536000"),
             qsizetype{2});
    const QList<QByteArray> seen = m_backend.requests().mid(before);
    QCOMPARE(seen.size(), 2);
    for (const QByteArray& head : seen) {
        QVERIFY2(head.contains("\r\nX-Forwarded-For: 127.0.0.1\r\n"), head.constData());
        QVERIFY2(head.contains("\r\nX-Forwarded-Proto: https\r\n"), head.constData());
    }
    QCOMPARE(proxy->stats().handshakesFull + proxy->stats().handshakesResumed, uint64_t{1});
}

void TestProxy::reloadUnderLoadFailsNothing()
{
    ProxyConfig c = baseConfig();
    auto proxy = startProxy(c);
    QVERIFY(proxy);
    QProcess load;
    load.setProcessChannelMode(QProcess::MergedChannels);
    // -c N -n N: every request is a full handshake, so reloads land mid-handshake.
    load.start(QStringLiteral("h2load"),
               {QStringLiteral("--h1"), QStringLiteral("-c"), QStringLiteral("400"),
                QStringLiteral("-n"), QStringLiteral("400"), QStringLiteral("-m"),
                QStringLiteral("1"), QStringLiteral("https://127.0.0.1:%1/").arg(proxy->port())});
    QVERIFY(load.waitForStarted());
    int reloads = 0;
    const QStringList swapped = {spec(m_ecB), spec(m_ecA), spec(m_rsaA)};
    while (!load.waitForFinished(20)) {
        QVERIFY(proxy->reload(reloads % 2 == 0 ? swapped : c.certificateFiles, c.policy));
        ++reloads;
    }
    const QByteArray report = load.readAll();
    QVERIFY2(report.contains("400 succeeded, 0 failed, 0 errored"), report.constData());
    QVERIFY(reloads >= 1);
    QCOMPARE(proxy->stats().reloads, uint64_t(reloads));
    QCOMPARE(proxy->stats().closedFor(CloseReason::HandshakeFailed), uint64_t{0});
}

void TestProxy::metricsAreServed()
{
    auto proxy = startProxy(baseConfig());
    QVERIFY(proxy);
    MetricsServer metrics([&proxy] { return proxy->stats().toPrometheus(); });
    QVERIFY(metrics.start({QHostAddress(QHostAddress::LocalHost), 0}));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("curl"),
                     {QStringLiteral("-sSk"),
                      QStringLiteral("https://127.0.0.1:%1/").arg(proxy->port())},
                     &out),
             0);
    QCOMPARE(runTool(QStringLiteral("curl"),
                     {QStringLiteral("-sS"),
                      QStringLiteral("http://127.0.0.1:%1/metrics").arg(metrics.port())},
                     &out),
             0);
    QVERIFY2(out.contains("# TYPE certdeck_proxy_handshakes_total counter\n"), out.constData());
    QVERIFY2(out.contains("certdeck_proxy_handshakes_total{kind=\"full\"} 1\n"), out.constData());
    QVERIFY2(out.contains("certdeck_proxy_handshakes_by_suite_total{suite=\"TLS_AES_"),
             out.constData());
    // Every sample line belongs to a family with HELP and TYPE.
    QSet<QByteArray> typed;
    for (const QByteArray& line : out.split('\n')) {
        if (line.startsWith("# TYPE ")) {
            typed.insert(line.split(' ').value(2));
        } else if (!line.isEmpty() && !line.startsWith('#')) {
            QByteArray name = line.left(line.indexOf(' '));
            name = name.left(name.indexOf('{') < 0 ? name.size() : name.indexOf('{'));
            QVERIFY2(typed.contains(name), line.constData());
        }
    }
}

void TestProxy::badCertificateFilesAreNamed()
{
    const QString garbage = m_dir.filePath(QStringLiteral("garbage.pem"));
    QVERIFY(m_dir.write(QStringLiteral("garbage.pem"), "not a certificate\n"));
    ProxyConfig c = baseConfig();
    c.certificateFiles = {garbage};
    Proxy p1(c);
    auto st = p1.start();
    QVERIFY(!st);
    QVERIFY2(st.error().message.contains(garbage), qPrintable(st.error().toString()));

    c.certificateFiles = {m_ecA.fullchain + u',' + m_ecB.key};
    Proxy p2(c);
    st = p2.start();
    QVERIFY(!st);
    QVERIFY2(st.error().message.contains(QLatin1String("does not belong")),
             qPrintable(st.error().toString()));

    // A failed reload keeps serving the previous certificates.
    auto proxy = startProxy(baseConfig());
    QVERIFY(proxy);
    QVERIFY(!proxy->reload({garbage}, TlsPolicy::Intermediate));
    QCOMPARE(
        firstPem(sClient(proxy->port(), {QStringLiteral("-servername"), QStringLiteral("b.test")})),
        leafPem(m_ecB));
}

QTEST_GUILESS_MAIN(TestProxy)
#include "test_proxy.moc"
