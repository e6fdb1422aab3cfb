// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile and broken peers around the termination proxy: random bytes,
// malformed ClientHellos (built by the probe's own builder, then damaged), a
// slow drip, idle clients, a backend that is down or resets, more
// connections than the limit and 10,000 idle connections to the CLI's proxy.
// After each, the proxy still serves a normal client (curl) and holds no
// connection it was given.
#include "PeerProcess.h"
#include "TestBackend.h"
#include "TestPki.h"
#include "probe/wire/ClientHello.h"
#include "proxy/Proxy.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTest>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace certdeck;
using namespace certdeck::proxy;
using namespace certdeck::test;

namespace {

/// A raw TCP client on 127.0.0.1, closed when it goes out of scope.
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }
    ~RawClient()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;
    [[nodiscard]] bool isConnected() const { return m_fd >= 0; }
    bool send(const QByteArray& data)
    {
        return ::send(m_fd, data.constData(), static_cast<size_t>(data.size()), MSG_NOSIGNAL) ==
               data.size();
    }
    void shutdownWrite() { ::shutdown(m_fd, SHUT_WR); }
    /// True once the proxy has closed the connection (EOF or reset), reading
    /// and discarding whatever it sent first (an alert); false after timeoutMs.
    bool waitClosed(int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        char buf[4096];
        while (t.elapsed() < timeoutMs) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(timeoutMs - t.elapsed())) <= 0) {
                continue;
            }
            const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
            if (n <= 0) {
                return true;
            }
        }
        return false;
    }

private:
    int m_fd = -1;
};

QByteArray validClientHello()
{
    probe::ClientHelloSpec spec;
    spec.version = probe::TlsVersion::Tls12;
    spec.cipherSuites = {0xc02b, 0xc02f, 0xc030};
    spec.groups = {29, 23};
    spec.serverName = QStringLiteral("a.test");
    return probe::ClientHello::build(spec).value_or(QByteArray());
}

} // namespace

class TestProxyHostile : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void randomBytesAreRefused();
    void malformedClientHellos_data();
    void malformedClientHellos();
    void slowDripTimesOut();
    void idleClientIsClosed();
    void backendDownThenUp();
    void backendResets();
    void connectionLimitClosesTheRest();
    void gracefulStopFinishesTransfers();
    void tenThousandIdleConnections();

private:
    std::unique_ptr<Proxy> startProxy(const std::function<void(ProxyConfig&)>& tweak = {});
    bool curlWorks(quint16 port);

    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_leaf;
    TestBackend m_backend;
};

void TestProxyHostile::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec a;
    a.name = QStringLiteral("a");
    a.sans = {QStringLiteral("DNS:a.test"), QStringLiteral("DNS:localhost")};
    m_leaf = m_pki.issue(a);
    QVERIFY2(!m_leaf.name.isEmpty(), qPrintable(m_pki.errorString()));
    QVERIFY(m_backend.start());
    QVERIFY(!validClientHello().isEmpty());
}

std::unique_ptr<Proxy> TestProxyHostile::startProxy(const std::function<void(ProxyConfig&)>& tweak)
{
    ProxyConfig c;
    c.listen = {QHostAddress(QHostAddress::LocalHost), 0};
    c.backend = {QHostAddress(QHostAddress::LocalHost), m_backend.port()};
    c.certificateFiles = {m_leaf.fullchain + u',' + m_leaf.key};
    c.workers = 2;
    if (tweak) {
        tweak(c);
    }
    auto proxy = std::make_unique<Proxy>(c);
    const Status st = proxy->start();
    if (!st) {
        qWarning("proxy did not start: %s", qPrintable(st.error().toString()));
        return {};
    }
    return proxy;
}

bool TestProxyHostile::curlWorks(quint16 port)
{
    QByteArray out;
    const int rc =
        runTool(QStringLiteral("curl"),
                {QStringLiteral("-sS"), QStringLiteral("--cacert"), m_pki.rootCert,
                 QStringLiteral("--resolve"), QStringLiteral("a.test:%1:127.0.0.1").arg(port),
                 QStringLiteral("https://a.test:%1/still-here").arg(port)},
                &out);
    if (rc != 0 || !out.contains("GET /still-here")) {
        qWarning("curl: %s", out.constData());
        return false;
    }
    return true;
}

void TestProxyHostile::randomBytesAreRefused()
{
    auto proxy = startProxy();
    QVERIFY(proxy);
    QByteArray junk(4096, Qt::Uninitialized);
    QRandomGenerator gen(42);
    for (char& c : junk) {
        c = static_cast<char>(gen.bounded(256));
    }
    junk[0] = 0x16; // even looking like a handshake record does not help
    RawClient client(proxy->port());
    QVERIFY(client.isConnected());
    client.send(junk);
    QVERIFY(client.waitClosed(10000));
    QVERIFY(curlWorks(proxy->port()));
    QTRY_COMPARE(proxy->stats().closedFor(CloseReason::HandshakeFailed), uint64_t{1});
    QTRY_COMPARE(proxy->stats().open, int64_t{0});
}

void TestProxyHostile::malformedClientHellos_data()
{
    QTest::addColumn<QByteArray>("bytes");
    const QByteArray hello = validClientHello();
    QTest::newRow("truncated in half") << hello.left(hello.size() / 2);
    QByteArray longRecord = hello;
    longRecord[3] = 0x3f; // record length 0x3fxx: more than is sent
    QTest::newRow("record longer than sent") << longRecord;
    QByteArray shortHandshake = hello;
    shortHandshake[7] = 0;
    shortHandshake[8] = 4; // handshake body of 4 bytes inside a longer record
    QTest::newRow("handshake length too short") << shortHandshake;
    QByteArray badSni = hello;
    const qsizetype at = badSni.indexOf("a.test");
    badSni[at - 2] = '\x7f'; // host name length past the extension's end
    QTest::newRow("SNI name length overruns") << badSni;
    QByteArray badListLength = hello;
    badListLength[at - 5] = '\x7f'; // server_name_list length past the extension
    QTest::newRow("SNI list length overruns") << badListLength;
    QTest::newRow("valid hello then garbage record") << hello + QByteArray(64, '\xee');
    QByteArray v2 = QByteArray::fromHex("802b0103010012000000100000");
    QTest::newRow("SSLv2 hello") << v2 + QByteArray(32, '\x01');
    QTest::newRow("empty record") << QByteArray::fromHex("1603010000");
}

void TestProxyHostile::malformedClientHellos()
{
    QFETCH(QByteArray, bytes);
    auto proxy = startProxy();
    QVERIFY(proxy);
    RawClient client(proxy->port());
    QVERIFY(client.isConnected());
    client.send(bytes);
    client.shutdownWrite(); // no more is coming: the proxy must not wait for it
    QVERIFY(client.waitClosed(10000));
    QVERIFY(curlWorks(proxy->port()));
    QTRY_COMPARE(proxy->stats().open, int64_t{0});
    const ProxyStatsSnapshot s = proxy->stats();
    QCOMPARE(s.handshakesFull, uint64_t{1}); // curl's only
    QCOMPARE(s.closedFor(CloseReason::HandshakeFailed), uint64_t{1});
}

void TestProxyHostile::slowDripTimesOut()
{
    auto proxy =
        startProxy([](ProxyConfig& c) { c.limits.handshakeTimeout = std::chrono::seconds(1); });
    QVERIFY(proxy);
    const QByteArray hello = validClientHello();
    RawClient client(proxy->port());
    QVERIFY(client.isConnected());
    client.send(hello.left(10)); // ...and the rest never comes
    QVERIFY(curlWorks(proxy->port()));
    QVERIFY(client.waitClosed(15000));
    QTRY_COMPARE(proxy->stats().closedFor(CloseReason::HandshakeTimeout), uint64_t{1});
    QTRY_COMPARE(proxy->stats().open, int64_t{0});
}

void TestProxyHostile::idleClientIsClosed()
{
    auto proxy = startProxy([](ProxyConfig& c) { c.limits.idleTimeout = std::chrono::seconds(1); });
    QVERIFY(proxy);
    QProcess client;
    client.setProcessChannelMode(QProcess::MergedChannels);
    client.start(QStringLiteral("openssl"),
                 {QStringLiteral("s_client"), QStringLiteral("-connect"),
                  QStringLiteral("127.0.0.1:%1").arg(proxy->port()), QStringLiteral("-quiet")});
    QVERIFY(client.waitForStarted());
    // Its stdin stays open and it sends nothing: the proxy ends it.
    QVERIFY2(client.waitForFinished(15000), client.readAll().constData());
    QCOMPARE(proxy->stats().closedFor(CloseReason::IdleTimeout), uint64_t{1});
    QCOMPARE(proxy->stats().handshakesFull, uint64_t{1});
}

void TestProxyHostile::backendDownThenUp()
{
    const quint16 port = freeLoopbackPort();
    auto proxy = startProxy([port](ProxyConfig& c) { c.backend.port = port; });
    QVERIFY(proxy);
    QByteArray out;
    QVERIFY(runTool(QStringLiteral("curl"),
                    {QStringLiteral("-sSk"),
                     QStringLiteral("https://127.0.0.1:%1/").arg(proxy->port())},
                    &out) != 0);
    QTRY_COMPARE(proxy->stats().closedFor(CloseReason::BackendDown), uint64_t{1});
    TestBackend late;
    QVERIFY(late.start(port));
    QVERIFY(curlWorks(proxy->port()));
    QTRY_COMPARE(proxy->stats().open, int64_t{0});
}

void TestProxyHostile::backendResets()
{
    TestBackend resetting(TestBackend::Behaviour::Reset);
    QVERIFY(resetting.start());
    auto proxy = startProxy([&](ProxyConfig& c) { c.backend.port = resetting.port(); });
    QVERIFY(proxy);
    for (int i = 0; i < 3; ++i) {
        QByteArray out;
        QVERIFY(runTool(QStringLiteral("curl"),
                        {QStringLiteral("-sSk"),
                         QStringLiteral("https://127.0.0.1:%1/").arg(proxy->port())},
                        &out) != 0);
    }
    QTRY_COMPARE(proxy->stats().open, int64_t{0});
    const ProxyStatsSnapshot s = proxy->stats();
    QCOMPARE(s.handshakesFull + s.handshakesResumed, uint64_t{3});
    // A reset can land before or after the proxy's first write.
    QCOMPARE(s.closedFor(CloseReason::BackendReset) + s.closedFor(CloseReason::BackendDown),
             uint64_t{3});
    QVERIFY(resetting.connections() >= 3);
}

void TestProxyHostile::connectionLimitClosesTheRest()
{
    auto proxy = startProxy([](ProxyConfig& c) { c.limits.maxConnections = 20; });
    QVERIFY(proxy);
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 30; ++i) {
        idle.push_back(std::make_unique<RawClient>(proxy->port()));
        QVERIFY(idle.back()->isConnected());
    }
    QTRY_COMPARE(proxy->stats().accepted, uint64_t{30});
    QCOMPARE(proxy->stats().open, int64_t{20});
    QCOMPARE(proxy->stats().closedFor(CloseReason::ConnectionLimit), uint64_t{10});
    idle.clear();
    QTRY_COMPARE(proxy->stats().open, int64_t{0});
    QVERIFY(curlWorks(proxy->port()));
}

void TestProxyHostile::gracefulStopFinishesTransfers()
{
    auto proxy = startProxy([](ProxyConfig& c) { c.workers = 1; });
    QVERIFY(proxy);
    const QString file = m_dir.filePath(QStringLiteral("drained.bin"));
    QProcess curl;
    curl.setProcessChannelMode(QProcess::MergedChannels);
    // 1 MiB at 256 KiB/s: still running when the stop begins.
    curl.start(QStringLiteral("curl"),
               {QStringLiteral("-sSk"), QStringLiteral("--limit-rate"), QStringLiteral("256k"),
                QStringLiteral("-o"), file,
                QStringLiteral("https://127.0.0.1:%1/big").arg(proxy->port())});
    QVERIFY(curl.waitForStarted());
    QTRY_VERIFY(proxy->stats().bytesFromBackend > 0);
    proxy->stop(true);
    // (waitForFinished() is false for a process that has already ended.)
    QTRY_COMPARE_WITH_TIMEOUT(curl.state(), QProcess::NotRunning, 30000);
    QVERIFY2(curl.exitStatus() == QProcess::NormalExit && curl.exitCode() == 0,
             curl.readAll().constData());
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.size(), qint64{1024 * 1024});
    QVERIFY(!tcpPortAnswers(proxy->port()));
}

void TestProxyHostile::tenThousandIdleConnections()
{
    // The proxy runs as certdeckctl: this process then needs only its own
    // 10,000 descriptors.
    rlimit lim{};
    QVERIFY(getrlimit(RLIMIT_NOFILE, &lim) == 0);
    if (lim.rlim_max < 10500) {
        QSKIP("the descriptor limit is under 10,500 here");
    }
    lim.rlim_cur = lim.rlim_max;
    QVERIFY(setrlimit(RLIMIT_NOFILE, &lim) == 0);
    const QString ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(!ctl.isEmpty(), "CERTDECKCTL is not set");
    PeerProcess proxy(QStringLiteral("certdeckctl proxy"),
                      m_dir.filePath(QStringLiteral("proxy.log")));
    QVERIFY(proxy.start(ctl, {
                                 QStringLiteral("proxy"),
                                 QStringLiteral("--json"),
                                 QStringLiteral("--listen"),
                                 QStringLiteral("127.0.0.1:0"),
                                 QStringLiteral("--backend"),
                                 QStringLiteral("127.0.0.1:%1").arg(m_backend.port()),
                                 QStringLiteral("--cert"),
                                 m_leaf.fullchain + u',' + m_leaf.key,
                                 QStringLiteral("--workers"),
                                 QStringLiteral("2"),
                                 QStringLiteral("--handshake-timeout"),
                                 QStringLiteral("600"),
                                 QStringLiteral("--metrics"),
                                 QStringLiteral("127.0.0.1:0"),
                             }));
    QVERIFY2(proxy.waitForLog("\"metricsPort\""), qPrintable(proxy.errorString()));
    QByteArray log = proxy.log();
    const QJsonObject started =
        QJsonDocument::fromJson(
            log.mid(log.indexOf('{'), log.lastIndexOf('}') - log.indexOf('{') + 1))
            .object();
    const quint16 port = static_cast<quint16>(
        started.value(QStringLiteral("listening")).toString().section(u':', -1).toUInt());
    const int metricsPort = started.value(QStringLiteral("metricsPort")).toInt();
    QVERIFY2(port != 0 && metricsPort != 0, log.constData());
    const auto metric = [metricsPort](const QByteArray& name) -> qint64 {
        QByteArray out;
        if (runTool(QStringLiteral("curl"),
                    {QStringLiteral("-sS"),
                     QStringLiteral("http://127.0.0.1:%1/metrics").arg(metricsPort)},
                    &out) != 0) {
            return -1;
        }
        for (const QByteArray& line : out.split('\n')) {
            if (line.startsWith(name + ' ')) {
                return line.mid(name.size() + 1).toLongLong();
            }
        }
        return -1;
    };

    std::vector<std::unique_ptr<RawClient>> idle;
    idle.reserve(10000);
    for (int i = 0; i < 10000; ++i) {
        idle.push_back(std::make_unique<RawClient>(port));
        QVERIFY2(idle.back()->isConnected(), qPrintable(QString::number(i)));
    }
    QVERIFY(waitUntil([&] { return metric("certdeck_proxy_connections_open") == 10000; }, 60000));
    QVERIFY(curlWorks(port)); // served beside the 10,000
    idle.clear();
    QVERIFY(waitUntil([&] { return metric("certdeck_proxy_connections_open") == 0; }, 60000));
    QCOMPARE(metric("certdeck_proxy_connections_accepted_total"), qint64{10001});
    proxy.stop();
    QVERIFY2(proxy.log().contains("stopped after 10001 connections"), proxy.log().constData());
}

QTEST_GUILESS_MAIN(TestProxyHostile)
#include "test_proxy_hostile.moc"
