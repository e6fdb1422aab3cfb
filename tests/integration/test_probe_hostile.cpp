// SPDX-License-Identifier: GPL-3.0-or-later
// The prober against servers that answer badly (tests/support/HostileTlsServer,
// in-process) and against endpoints that cannot be reached: each gives one
// error named by kind and step, within its timeout, and no crash. Also the
// per-host connection bound, cancel, and "accepted + 1 connections".
#include "HostileTlsServer.h"
#include "PeerProcess.h"
#include "probe/scan/TlsProber.h"
#include "probe/wire/CipherSuiteRegistry.h"

#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;

namespace {

ProbeOptions quickOptions()
{
    ProbeOptions o;
    o.connectTimeoutMs = 1000;
    o.firstByteTimeoutMs = 500;
    o.replyTimeoutMs = 1000;
    o.versions = {TlsVersion::Tls12};
    o.serverOrder = false;
    o.groups = false;
    return o;
}

ProbeTarget local(quint16 port)
{
    ProbeTarget t;
    t.host = QStringLiteral("127.0.0.1");
    t.port = port;
    return t;
}

} // namespace

class TestProbeHostile : public QObject
{
    Q_OBJECT
private slots:
    void hostileReplies_data();
    void hostileReplies();
    void hugeChainIsReadAndEveryOfferIsCounted();
    void legacyServerShowsCompressionAndNoRenegotiation();
    void refusedStopsAtOnce();
    void badHostNameIsDnsFailure();
    void connectionBoundIsKept();
    void cancelStopsEverything();
};

void TestProbeHostile::hostileReplies_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("step");
    QTest::addColumn<QString>("message");
    using M = HostileTlsServer::Mode;
    QTest::newRow("garbage") << int(M::Garbage) << "malformed-reply"
                             << "reply"
                             << "not a TLS record";
    QTest::newRow("truncated ServerHello") << int(M::TruncatedServerHello) << "malformed-reply"
                                           << "reply"
                                           << "in the middle of its reply (after 20";
    QTest::newRow("suite not offered") << int(M::UnofferedSuite) << "malformed-reply"
                                       << "reply"
                                       << "chose cipher suite 0xFEFE, which was not offered";
    QTest::newRow("slow drip") << int(M::SlowDrip) << "timeout"
                               << "reply"
                               << "not complete within 1000 ms";
    QTest::newRow("oversized record") << int(M::OversizedRecord) << "malformed-reply"
                                      << "reply"
                                      << "18433 bytes long; TLS allows at most 18432";
    QTest::newRow("silent") << int(M::Silent) << "timeout"
                            << "first byte"
                            << "sent nothing within 500 ms";
    QTest::newRow("reset") << int(M::Reset) << "reset"
                           << "reply"
                           << "reset the connection";
    QTest::newRow("HelloRetryRequest to TLS 1.2")
        << int(M::RetryToAnyVersion) << "malformed-reply"
        << "reply"
        << "sent a TLS 1.3 HelloRetryRequest to a TLSv1.2 ClientHello";
    QTest::newRow("internal_error alert") << int(M::InternalErrorAlert) << "handshake-alert"
                                          << "reply"
                                          << "a fatal internal_error alert";
}

void TestProbeHostile::hostileReplies()
{
    QFETCH(int, mode);
    QFETCH(QString, kind);
    QFETCH(QString, step);
    QFETCH(QString, message);
    HostileTlsServer server(static_cast<HostileTlsServer::Mode>(mode));
    QVERIFY(server.listen());
    TlsProber prober(local(server.port()), quickOptions());
    QSignalSpy finished(&prober, &TlsProber::finished);
    prober.start();
    // Bounded by the 1 s reply timeout, not by the server's pace.
    QVERIFY(finished.wait(10000));
    const auto done = prober.result();
    QVERIFY(done);
    const ProbeResult& r = *done;
    QCOMPARE(r.errors.size(), 1);
    const ProbeFailure& f = r.errors.constFirst();
    QCOMPARE(probeFailureKindName(f.kind), kind);
    QCOMPARE(f.step, QStringLiteral("TLSv1.2 suites: ") + step);
    QVERIFY2(f.message.contains(message), qPrintable(f.message));
    QVERIFY(!r.protocol(TlsVersion::Tls12)->accepted);
    QVERIFY(!r.reachable);
    QCOMPARE(r.connections, 1);
    QCOMPARE(server.connections(), 1);
}

void TestProbeHostile::hugeChainIsReadAndEveryOfferIsCounted()
{
    // This server takes the first suite of every offer, so it "accepts" all
    // of them, and sends 200 certificates each time.
    HostileTlsServer server(HostileTlsServer::Mode::HugeChain);
    QVERIFY(server.listen());
    ProbeOptions options = quickOptions();
    options.serverOrder = true;
    options.groups = true;
    TlsProber prober(local(server.port()), options);
    QSignalSpy finished(&prober, &TlsProber::finished);
    prober.start();
    QVERIFY(finished.wait(60000));
    const auto done = prober.result();
    QVERIFY(done);
    const ProbeResult& r = *done;
    QVERIFY2(r.errors.isEmpty(),
             qPrintable(r.errors.isEmpty() ? QString() : r.errors.first().message));
    const QList<quint16> offered =
        CipherSuiteRegistry::instance().probeSuitesFor(TlsVersion::Tls12);
    QCOMPARE(r.protocol(TlsVersion::Tls12)->suites, offered);
    QCOMPARE(r.protocol(TlsVersion::Tls12)->order, ServerOrder::Client);
    // One connection per accepted suite (nothing left to offer after the
    // last), 4 for the order (the suites other than ChaCha20 both ways,
    // ChaCha20 first and last), 5 EC groups and 1 DHE size read through the
    // 200 certificates; no ServerKeyExchange, so no group is claimed.
    QCOMPARE(r.connections, offered.size() + 4 + 5 + 1);
    QCOMPARE(server.connections(), r.connections);
    QVERIFY(r.groups.isEmpty());
    QCOMPARE(r.groupsTested.size(), 5);
    QVERIFY(!r.dhBits);
    QCOMPARE(r.protocol(TlsVersion::Tls12)->secureRenegotiation, std::optional<bool>(true));
    QCOMPARE(r.protocol(TlsVersion::Tls12)->compression, quint8(0));
}

void TestProbeHostile::legacyServerShowsCompressionAndNoRenegotiation()
{
    HostileTlsServer server(HostileTlsServer::Mode::InsecureLegacy);
    QVERIFY(server.listen());
    TlsProber prober(local(server.port()), quickOptions());
    QSignalSpy finished(&prober, &TlsProber::finished);
    prober.start();
    QVERIFY(finished.wait(60000));
    const auto done = prober.result();
    QVERIFY(done);
    const ProbeResult& r = *done;
    QVERIFY(r.errors.isEmpty());
    const ProtocolProbe* tls12 = r.protocol(TlsVersion::Tls12);
    QVERIFY(tls12->accepted);
    QCOMPARE(tls12->secureRenegotiation, std::optional<bool>(false));
    QCOMPARE(tls12->compression, quint8(1));
    QVERIFY(!r.protocol(TlsVersion::Tls13)->tested);
    QVERIFY(!r.protocol(TlsVersion::Tls13)->secureRenegotiation);
}

void TestProbeHostile::refusedStopsAtOnce()
{
    const quint16 closed = freeLoopbackPort();
    ProbeOptions options;
    options.connectTimeoutMs = 2000;
    TlsProber prober(local(closed), options);
    QSignalSpy finished(&prober, &TlsProber::finished);
    prober.start();
    QVERIFY(finished.wait(10000));
    const auto done = prober.result();
    QVERIFY(done);
    const ProbeResult& r = *done;
    QCOMPARE(r.errors.size(), 1);
    QCOMPARE(r.errors.constFirst().kind, ProbeFailureKind::Refused);
    QCOMPARE(r.errors.constFirst().step, QStringLiteral("connect"));
    QVERIFY(r.errors.constFirst().message.contains(QLatin1String("refused the connection")));
    QVERIFY(!r.reachable);
    QCOMPARE(r.connections, 1);
    for (const ProtocolProbe& p : r.protocols) {
        QVERIFY(!p.accepted);
    }
}

void TestProbeHostile::badHostNameIsDnsFailure()
{
    // Rejected by the resolver library itself: no DNS packet leaves the host.
    ProbeTarget t;
    t.host = QStringLiteral("bad..name");
    TlsProber prober(t, ProbeOptions{});
    QSignalSpy finished(&prober, &TlsProber::finished);
    prober.start();
    QVERIFY(finished.wait(10000));
    const auto done = prober.result();
    QVERIFY(done);
    const ProbeResult& r = *done;
    QCOMPARE(r.errors.size(), 1);
    QCOMPARE(probeFailureKindName(r.errors.constFirst().kind), QStringLiteral("dns-failure"));
    QVERIFY(r.errors.constFirst().message.contains(QLatin1String("cannot resolve bad..name")));
    QCOMPARE(r.connections, 0);
}

void TestProbeHostile::connectionBoundIsKept()
{
    HostileTlsServer server(HostileTlsServer::Mode::Silent);
    QVERIFY(server.listen());
    ProbeOptions options = quickOptions();
    options.versions = allTlsVersions();
    options.firstByteTimeoutMs = 300;
    options.maxConnections = 2;
    TlsProber prober(local(server.port()), options);
    QSignalSpy finished(&prober, &TlsProber::finished);
    prober.start();
    QVERIFY(finished.wait(10000));
    QCOMPARE(server.connections(), 5);
    QCOMPARE(server.peakOpen(), 2);
    const auto done = prober.result();
    QVERIFY(done);
    QCOMPARE(done->errors.size(), 5);
    for (const ProbeFailure& f : done->errors) {
        QCOMPARE(f.kind, ProbeFailureKind::Timeout);
    }
}

void TestProbeHostile::cancelStopsEverything()
{
    HostileTlsServer server(HostileTlsServer::Mode::Silent);
    QVERIFY(server.listen());
    ProbeOptions options;
    options.firstByteTimeoutMs = 60000;
    options.replyTimeoutMs = 60000;
    TlsProber prober(local(server.port()), options);
    QSignalSpy finished(&prober, &TlsProber::finished);
    prober.start();
    QTRY_COMPARE(server.connections(), 4); // the default bound
    prober.cancel();
    QVERIFY(finished.wait(2000));
    QCOMPARE(finished.count(), 1);
    // Cancelled, with no partial result to mistake for a finished probe.
    QVERIFY(!prober.status());
    QCOMPARE(prober.status().error().code, ErrorCode::Cancelled);
    QVERIFY(!prober.result());
    prober.cancel(); // idempotent, no second finished()
    QVERIFY(!finished.wait(200));
    QCOMPARE(finished.count(), 1);
}

QTEST_GUILESS_MAIN(TestProbeHostile)
#include "test_probe_hostile.moc"
