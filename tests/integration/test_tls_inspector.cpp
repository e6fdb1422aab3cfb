// SPDX-License-Identifier: GPL-3.0-or-later
// TlsInspector against real nginx: stapled OCSP responses made by `openssl
// ocsp` (good, revoked, none), session resumption on and off for TLS 1.2 and
// 1.3 (oracle: `openssl s_client -sess_out/-sess_in` "Reused"), ALPN h2 vs
// http/1.1 only (oracle: s_client -alpn), HSTS and Server headers; and
// hostile peers: garbage and silence end in a named failure within the
// timeouts, and an HTTP answer that never comes fails only the HTTP step.
#include "HostileTlsServer.h"
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "probe/assess/Findings.h"
#include "probe/inspect/TlsInspector.h"
#include "probe/scan/ConnectionBudget.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;

namespace {

struct Tool
{
    int code = -1;
    QString out;
};

Tool runTool(const QStringList& args, const QByteArray& input = {})
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy done(&p, &QProcess::finished);
    p.start(QStringLiteral("openssl"), args);
    Tool t;
    if (!p.waitForStarted(10000)) {
        return t;
    }
    p.write(input);
    p.closeWriteChannel();
    if (!done.wait(30000)) {
        p.kill();
        return t;
    }
    t.code = p.exitCode();
    t.out = QString::fromUtf8(p.readAll());
    return t;
}

QString certLines(const TestPki::Leaf& leaf)
{
    return QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n")
        .arg(leaf.fullchain, leaf.key);
}

/// nginx serving `leaf` with the OCSP response file `staple` stapled.
QString staplingLines(const TestPki::Leaf& leaf, const QString& staple)
{
    return certLines(leaf) + QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\nssl_stapling on;\n"
                                            "ssl_stapling_file %1;\n")
                                 .arg(staple);
}

/// A raw probe that found TLS 1.3: the inspection's findings are judged on
/// top of a reachable endpoint.
const ProbeResult* reachableProbe()
{
    static const ProbeResult r = [] {
        ProbeResult p;
        p.reachable = true;
        ProtocolProbe t13;
        t13.version = TlsVersion::Tls13;
        t13.tested = true;
        t13.accepted = true;
        t13.suites = {0x1301};
        p.protocols << t13;
        return p;
    }();
    return &r;
}

QStringList codes(const QList<Finding>& findings)
{
    QStringList out;
    for (const Finding& f : findings) {
        out << f.code;
    }
    return out;
}

} // namespace

class TestTlsInspector : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void stapleGood();
    void stapleRevoked();
    void noStaple();
    void stapleForAnotherCertificateIsInvalid();
    void resumption_data();
    void resumption();
    void alpn_data();
    void alpn();
    void hsts_data();
    void hsts();
    void garbageFailsClearly();
    void silentServerTimesOut();
    void refusedPort();
    void endlessHttpAnswerOnlyFailsHttp();
    void honoursTheBudgetAndCancel();
    void chainOnlyInspectionIsOneHandshake();

private:
    TlsInspection inspect(quint16 port, ProbeOptions options = {});
    QString makeStaple(const TestPki::Leaf& leaf, const QString& name);
    Tool sClient(quint16 port, const QStringList& extra, const QByteArray& input = {});

    FixtureDir m_dir;
    TestPki m_pki;
};

void TestTlsInspector::initTestCase()
{
    TestPki::Options opt;
    QVERIFY2(m_pki.create(m_dir.path(), opt), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
}

TlsInspection TestTlsInspector::inspect(quint16 port, ProbeOptions options)
{
    ProbeTarget target;
    target.host = QStringLiteral("localhost");
    target.address = QStringLiteral("127.0.0.1");
    target.port = port;
    TlsInspector inspector(target, options);
    QSignalSpy done(&inspector, &TlsInspector::finished);
    inspector.start();
    // A helper cannot QVERIFY (it returns a value), but it can fail the
    // test that called it: the caller's own checks then run on what came.
    if (!done.wait(120000)) {
        QTest::qFail("the inspection did not finish", __FILE__, __LINE__);
    }
    QTest::qWait(0); // no second finished() may follow
    if (done.count() != 1) {
        QTest::qFail(
            qPrintable(QStringLiteral("finished() was emitted %1 times").arg(done.count())),
            __FILE__, __LINE__);
    }
    const auto inspection = inspector.result();
    if (!inspection) {
        QTest::qFail(
            qPrintable(
                QStringLiteral("the inspection failed: %1").arg(inspection.error().toString())),
            __FILE__, __LINE__);
        return {};
    }
    return *inspection;
}

QString TestTlsInspector::makeStaple(const TestPki::Leaf& leaf, const QString& name)
{
    // The independent tool answers from the CA database, signed by the
    // intermediate (the leaf's issuer).
    const QString req = m_dir.filePath(name + QStringLiteral(".req"));
    const QString resp = m_dir.filePath(name + QStringLiteral(".ocsp"));
    const Tool a = runTool({QStringLiteral("ocsp"), QStringLiteral("-issuer"),
                            m_pki.intermediateCert, QStringLiteral("-cert"), leaf.cert,
                            QStringLiteral("-no_nonce"), QStringLiteral("-reqout"), req});
    if (a.code != 0) {
        qWarning("%s", qPrintable(a.out));
        return {};
    }
    const Tool b =
        runTool({QStringLiteral("ocsp"), QStringLiteral("-index"), m_pki.caIndex,
                 QStringLiteral("-rsigner"), m_pki.intermediateCert, QStringLiteral("-rkey"),
                 m_pki.intermediateKey, QStringLiteral("-CA"), m_pki.intermediateCert,
                 QStringLiteral("-reqin"), req, QStringLiteral("-respout"), resp,
                 QStringLiteral("-ndays"), QStringLiteral("1")});
    if (b.code != 0) {
        qWarning("%s", qPrintable(b.out));
        return {};
    }
    return resp;
}

Tool TestTlsInspector::sClient(quint16 port, const QStringList& extra, const QByteArray& input)
{
    QStringList args = {QStringLiteral("s_client"), QStringLiteral("-connect"),
                        QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-servername"),
                        QStringLiteral("localhost")};
    return runTool(args + extra, input);
}

void TestTlsInspector::stapleGood()
{
    const QString staple = makeStaple(m_pki.good, QStringLiteral("good"));
    QVERIFY(!staple.isEmpty());
    NginxFixture nginx;
    QVERIFY2(nginx.start(staplingLines(m_pki.good, staple)), qPrintable(nginx.errorString()));
    const Tool oracle = sClient(nginx.port(), {QStringLiteral("-status")});
    QVERIFY2(oracle.out.contains(QLatin1String("Cert Status: good")), qPrintable(oracle.out));

    const TlsInspection in = inspect(nginx.port());
    QVERIFY(in.handshakeOk);
    QCOMPARE(in.chainDer.size(), 2); // fullchain: leaf + intermediate
    const StapleInfo& s = in.staple;
    QVERIFY(s.present);
    QVERIFY2(s.problems.isEmpty(), qPrintable(s.problems.join(u'\n')));
    QCOMPARE(*s.status, StapleStatus::Good);
    QVERIFY(s.signatureValid);
    QVERIFY(s.usable());
    QVERIFY(s.thisUpdate.isValid() && s.nextUpdate > s.thisUpdate);
    QVERIFY2(s.responder.contains(QLatin1String("Intermediate"), Qt::CaseInsensitive),
             qPrintable(s.responder));
    FindingInputs fi;
    fi.probe = reachableProbe();
    fi.inspection = &in;
    const QStringList c = codes(assessEndpoint(fi));
    QVERIFY(!c.contains(QStringLiteral("ocsp.no-staple")));
    QVERIFY(!c.contains(QStringLiteral("ocsp.staple-invalid")));
    QVERIFY(!c.contains(QStringLiteral("ocsp.staple-revoked")));
}

void TestTlsInspector::stapleRevoked()
{
    const QString staple = makeStaple(m_pki.revoked, QStringLiteral("revoked"));
    QVERIFY(!staple.isEmpty());
    NginxFixture nginx;
    QVERIFY2(nginx.start(staplingLines(m_pki.revoked, staple)), qPrintable(nginx.errorString()));
    const Tool oracle = sClient(nginx.port(), {QStringLiteral("-status")});
    QVERIFY2(oracle.out.contains(QLatin1String("Cert Status: revoked")), qPrintable(oracle.out));

    const TlsInspection in = inspect(nginx.port());
    const StapleInfo& s = in.staple;
    QVERIFY(s.present);
    QCOMPARE(*s.status, StapleStatus::Revoked);
    QVERIFY(s.signatureValid);
    QVERIFY(s.revocationTime.isValid());
    QCOMPARE(s.revocationReason, QStringLiteral("keyCompromise"));
    FindingInputs fi;
    fi.probe = reachableProbe();
    fi.inspection = &in;
    const QList<Finding> f = assessEndpoint(fi);
    QVERIFY2(codes(f).contains(QStringLiteral("ocsp.staple-revoked")),
             qPrintable(codes(f).join(u' ')));
    QCOMPARE(f.first().code, QStringLiteral("ocsp.staple-revoked")); // most severe first
    QCOMPARE(f.first().severity, FindingSeverity::Critical);
    QVERIFY(f.first().evidence.contains(QLatin1String("keyCompromise")));
    QCOMPARE(gradeEndpoint(f, true).letter, QStringLiteral("F"));
}

void TestTlsInspector::noStaple()
{
    NginxFixture nginx;
    QVERIFY2(
        nginx.start(certLines(m_pki.good) + QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n")),
        qPrintable(nginx.errorString()));
    const Tool oracle = sClient(nginx.port(), {QStringLiteral("-status")});
    QVERIFY2(oracle.out.contains(QLatin1String("OCSP response: no response sent")),
             qPrintable(oracle.out));
    const TlsInspection in = inspect(nginx.port());
    QVERIFY(in.handshakeOk);
    QVERIFY(in.staple.requested);
    QVERIFY(!in.staple.present);
    FindingInputs fi;
    fi.probe = reachableProbe();
    fi.inspection = &in;
    QVERIFY(codes(assessEndpoint(fi)).contains(QStringLiteral("ocsp.no-staple")));
}

void TestTlsInspector::stapleForAnotherCertificateIsInvalid()
{
    // nginx serves a fixed file as is: here one about another certificate.
    const QString staple = makeStaple(m_pki.wrongHost, QStringLiteral("other"));
    QVERIFY(!staple.isEmpty());
    NginxFixture nginx;
    QVERIFY2(nginx.start(staplingLines(m_pki.good, staple)), qPrintable(nginx.errorString()));
    const TlsInspection in = inspect(nginx.port());
    QVERIFY(in.staple.present);
    QVERIFY(!in.staple.usable());
    QVERIFY2(in.staple.problems.join(u' ').contains(QLatin1String("no status for the served")),
             qPrintable(in.staple.problems.join(u' ')));
    FindingInputs fi;
    fi.probe = reachableProbe();
    fi.inspection = &in;
    const QList<Finding> f = assessEndpoint(fi);
    QVERIFY(codes(f).contains(QStringLiteral("ocsp.staple-invalid")));
    QCOMPARE(gradeEndpoint(f).letter, QStringLiteral("A-"));
}

void TestTlsInspector::resumption_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<bool>("expectResumed");
    QTest::newRow("cache and tickets")
        << QStringLiteral("ssl_session_cache shared:SSL:1m;\nssl_session_tickets on;\n") << true;
    QTest::newRow("off") << QStringLiteral("ssl_session_cache off;\nssl_session_tickets off;\n")
                         << false;
}

void TestTlsInspector::resumption()
{
    QFETCH(QString, config);
    QFETCH(bool, expectResumed);
    NginxFixture nginx;
    QVERIFY2(nginx.start(certLines(m_pki.good) +
                         QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n") + config),
             qPrintable(nginx.errorString()));
    const TlsInspection in = inspect(nginx.port());
    QVERIFY(in.handshakeOk);

    // The oracle: s_client saves the session, a second s_client offers it.
    // An HTTP/1.0 request keeps the first connection open until nginx
    // answers, so a TLS 1.3 ticket has arrived by then.
    const QByteArray get = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    const auto oracle = [&](const QStringList& flags, const QString& name) {
        const QString sess = m_dir.filePath(name + QStringLiteral(".sess"));
        QFile::remove(sess);
        sClient(nginx.port(),
                flags + QStringList{QStringLiteral("-ign_eof"), QStringLiteral("-sess_out"), sess},
                get);
        if (!QFile::exists(sess)) {
            return false;
        }
        const Tool again = sClient(
            nginx.port(),
            flags + QStringList{QStringLiteral("-ign_eof"), QStringLiteral("-sess_in"), sess}, get);
        return again.out.contains(QLatin1String("Reused, TLSv1"));
    };
    const bool tls13 = oracle({QStringLiteral("-tls1_3")}, QStringLiteral("t13"));
    const bool ticket = oracle({QStringLiteral("-tls1_2")}, QStringLiteral("t12"));
    const bool sessionId =
        oracle({QStringLiteral("-tls1_2"), QStringLiteral("-no_ticket")}, QStringLiteral("id"));
    QCOMPARE(tls13, expectResumed);
    QCOMPARE(ticket, expectResumed);
    QCOMPARE(sessionId, expectResumed);

    const auto resumed = [](const ResumptionCheck& c) {
        return c.outcome == ResumptionOutcome::Resumed;
    };
    QVERIFY2(resumed(in.resumption.tls13Psk) == tls13, qPrintable(in.resumption.tls13Psk.detail));
    QVERIFY2(resumed(in.resumption.ticket) == ticket, qPrintable(in.resumption.ticket.detail));
    QVERIFY2(resumed(in.resumption.sessionId) == sessionId,
             qPrintable(in.resumption.sessionId.detail));
    FindingInputs fi;
    fi.probe = reachableProbe();
    fi.inspection = &in;
    QCOMPARE(codes(assessEndpoint(fi)).contains(QStringLiteral("resumption.none")), !expectResumed);
}

void TestTlsInspector::alpn_data()
{
    QTest::addColumn<QString>("listen");
    QTest::addColumn<bool>("h2");
    QTest::newRow("h2") << QStringLiteral("http2") << true;
    QTest::newRow("http/1.1 only") << QString() << false;
}

void TestTlsInspector::alpn()
{
    QFETCH(QString, listen);
    QFETCH(bool, h2);
    NginxFixture nginx;
    QVERIFY2(nginx.start(certLines(m_pki.good) + QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n"),
                         {}, listen),
             qPrintable(nginx.errorString()));
    const Tool oracle = sClient(nginx.port(), {QStringLiteral("-alpn"), QStringLiteral("h2")});
    QCOMPARE(oracle.out.contains(QLatin1String("ALPN protocol: h2")), h2);
    const Tool oracle11 =
        sClient(nginx.port(), {QStringLiteral("-alpn"), QStringLiteral("http/1.1")});
    QVERIFY2(oracle11.out.contains(QLatin1String("ALPN protocol: http/1.1")),
             qPrintable(oracle11.out));

    const TlsInspection in = inspect(nginx.port());
    const AlpnCheck* a2 = in.alpnCheck(QStringLiteral("h2"));
    const AlpnCheck* a11 = in.alpnCheck(QStringLiteral("http/1.1"));
    QVERIFY(a2 != nullptr && a11 != nullptr);
    QVERIFY(a2->tested && a11->tested);
    QCOMPARE(a2->accepted, h2);
    QVERIFY(a11->accepted);
    FindingInputs fi;
    fi.probe = reachableProbe();
    fi.inspection = &in;
    QCOMPARE(codes(assessEndpoint(fi)).contains(QStringLiteral("alpn.no-h2")), !h2);
}

void TestTlsInspector::hsts_data()
{
    QTest::addColumn<QString>("header"); // empty: none sent
    QTest::addColumn<QString>("finding");
    QTest::addColumn<bool>("aPlus");
    QTest::newRow("preload") << QStringLiteral("max-age=63072000; includeSubDomains; preload")
                             << QString() << true;
    QTest::newRow("short") << QStringLiteral("max-age=86400") << QStringLiteral("hsts.short")
                           << false;
    QTest::newRow("malformed") << QStringLiteral("max-age=1y; includeSubDomains")
                               << QStringLiteral("hsts.malformed") << false;
    QTest::newRow("none") << QString() << QStringLiteral("hsts.missing") << false;
}

void TestTlsInspector::hsts()
{
    QFETCH(QString, header);
    QFETCH(QString, finding);
    QFETCH(bool, aPlus);
    QString conf = certLines(m_pki.good) +
                   QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\nserver_tokens on;\n");
    if (!header.isEmpty()) {
        conf += QStringLiteral("add_header Strict-Transport-Security \"%1\" always;\n").arg(header);
    }
    NginxFixture nginx;
    QVERIFY2(nginx.start(conf), qPrintable(nginx.errorString()));
    const TlsInspection in = inspect(nginx.port());
    QVERIFY(in.http.tested);
    QVERIFY(in.http.answered);
    QCOMPARE(in.http.statusLine, QStringLiteral("HTTP/1.1 200 OK"));
    QVERIFY2(in.http.server.startsWith(QLatin1String("nginx/")), qPrintable(in.http.server));
    const HstsPolicy& h = in.http.hsts;
    QCOMPARE(h.present, !header.isEmpty());
    QCOMPARE(h.raw, header);
    if (header.contains(QLatin1String("preload"))) {
        QCOMPARE(*h.maxAge, 63072000);
        QVERIFY(h.includeSubDomains);
        QVERIFY(h.preload);
    }
    FindingInputs fi;
    fi.probe = reachableProbe();
    fi.inspection = &in;
    const QList<Finding> f = assessEndpoint(fi);
    const QStringList c = codes(f);
    for (const QString& code : {QStringLiteral("hsts.missing"), QStringLiteral("hsts.short"),
                                QStringLiteral("hsts.malformed")}) {
        QCOMPARE(c.contains(code), code == finding);
    }
    QCOMPARE(hstsLongEnough(&in), aPlus);
}

void TestTlsInspector::garbageFailsClearly()
{
    HostileTlsServer server(HostileTlsServer::Mode::Garbage);
    QVERIFY(server.listen());
    ProbeOptions o;
    o.replyTimeoutMs = 3000;
    const TlsInspection in = inspect(server.port(), o);
    QVERIFY(!in.handshakeOk);
    QVERIFY(!in.errors.isEmpty());
    QCOMPARE(in.errors.first().kind, ProbeFailureKind::MalformedReply);
    QCOMPARE(in.errors.first().step, QStringLiteral("handshake"));
    QCOMPARE(in.connections, 1); // no point going on
    FindingInputs fi;
    fi.probe = reachableProbe();
    fi.inspection = &in;
    QVERIFY(codes(assessEndpoint(fi)).contains(QStringLiteral("inspection.failed")));
}

void TestTlsInspector::silentServerTimesOut()
{
    for (const auto mode : {HostileTlsServer::Mode::Silent, HostileTlsServer::Mode::SlowDrip}) {
        HostileTlsServer server(mode);
        QVERIFY(server.listen());
        ProbeOptions o;
        o.replyTimeoutMs = 700;
        const TlsInspection in = inspect(server.port(), o);
        QVERIFY(!in.handshakeOk);
        QCOMPARE(in.errors.size(), 1);
        QCOMPARE(in.errors.first().kind, ProbeFailureKind::Timeout);
        QVERIFY2(in.errors.first().message.contains(QLatin1String("700 ms")),
                 qPrintable(in.errors.first().message));
    }
}

void TestTlsInspector::refusedPort()
{
    const TlsInspection in = inspect(freeLoopbackPort());
    QVERIFY(!in.handshakeOk);
    QCOMPARE(in.errors.size(), 1);
    QCOMPARE(in.errors.first().kind, ProbeFailureKind::Refused);
}

void TestTlsInspector::endlessHttpAnswerOnlyFailsHttp()
{
    // nginx proxies GET / to an upstream that sends half a response head and
    // then nothing: the client gets no HTTP answer, but TLS works fully.
    QTcpServer upstream;
    QVERIFY(upstream.listen(QHostAddress::LocalHost));
    QList<QTcpSocket*> held;
    connect(&upstream, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket* s = upstream.nextPendingConnection()) {
            s->write("HTTP/1.1 200 OK\r\nX-Slow: 1\r\n");
            held << s;
        }
    });
    NginxFixture nginx;
    QVERIFY2(nginx.start(certLines(m_pki.good) +
                         QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n"
                                        "ssl_session_cache shared:SSL:1m;\n"
                                        "location = / { proxy_pass http://127.0.0.1:%1; "
                                        "proxy_read_timeout 300s; }\n")
                             .arg(upstream.serverPort())),
             qPrintable(nginx.errorString()));
    ProbeOptions o;
    o.replyTimeoutMs = 1500;
    const TlsInspection in = inspect(nginx.port(), o);
    QVERIFY(in.handshakeOk);
    QVERIFY(in.http.tested);
    QVERIFY(!in.http.answered);
    QVERIFY(!in.http.hsts.present);
    QCOMPARE(in.errors.size(), 1);
    QCOMPARE(in.errors.first().step, QStringLiteral("http"));
    QCOMPARE(in.errors.first().kind, ProbeFailureKind::Timeout);
    // The rest of the inspection stands.
    QCOMPARE(in.chainDer.size(), 2);
    QVERIFY(in.alpnCheck(QStringLiteral("h2")) != nullptr);
    QCOMPARE(in.resumption.tls13Psk.outcome, ResumptionOutcome::Resumed);
    QCOMPARE(in.resumption.sessionId.outcome, ResumptionOutcome::Resumed);
    FindingInputs fi;
    fi.probe = reachableProbe();
    fi.inspection = &in;
    const QStringList c = codes(assessEndpoint(fi));
    QVERIFY(!c.contains(QStringLiteral("hsts.missing"))); // unknown, not missing
    QVERIFY(!hstsLongEnough(&in));
    qDeleteAll(held);
}

void TestTlsInspector::honoursTheBudgetAndCancel()
{
    NginxFixture nginx;
    QVERIFY2(
        nginx.start(certLines(m_pki.good) + QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n")),
        qPrintable(nginx.errorString()));
    // A budget with its only slot taken: the inspector waits for it.
    auto budget = std::make_shared<ConnectionBudget>(1, 1);
    QVERIFY(budget->tryAcquire(QStringLiteral("127.0.0.1")));
    ProbeOptions o;
    o.budget = budget;
    ProbeTarget target;
    target.host = QStringLiteral("localhost");
    target.address = QStringLiteral("127.0.0.1");
    target.port = nginx.port();
    TlsInspector inspector(target, o);
    QSignalSpy done(&inspector, &TlsInspector::finished);
    inspector.start();
    QTest::qWait(200);
    QVERIFY(!inspector.isFinished()); // no slot, no connection, no timeout
    budget->release(QStringLiteral("127.0.0.1"));
    QVERIFY(done.wait(60000));
    QVERIFY(inspector.result());
    QVERIFY(inspector.result()->handshakeOk);
    QCOMPARE(budget->peak(), 1);
    QCOMPARE(budget->inUse(), 0);

    // Cancel in the middle: finished once with Cancelled, slot given back.
    TlsInspector second(target, o);
    QSignalSpy done2(&second, &TlsInspector::finished);
    second.start();
    QTRY_VERIFY(budget->inUse() == 1 || second.isFinished());
    second.cancel();
    QVERIFY(done2.wait(5000));
    QTest::qWait(50);
    QCOMPARE(done2.count(), 1);
    QCOMPARE(second.status().error().code, ErrorCode::Cancelled);
    QVERIFY(!second.result());
    QCOMPARE(budget->inUse(), 0);
}

void TestTlsInspector::chainOnlyInspectionIsOneHandshake()
{
    // What every scan needs for its verdict: the served chain and the
    // staple from one handshake, no HTTP request, no resumption or ALPN.
    NginxFixture nginx;
    QVERIFY2(
        nginx.start(certLines(m_pki.good) + QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n")),
        qPrintable(nginx.errorString()));
    ProbeTarget target;
    target.host = QStringLiteral("localhost");
    target.address = QStringLiteral("127.0.0.1");
    target.port = nginx.port();
    ProbeOptions o;
    o.inspect = true;
    o.inspectChainOnly = true;
    TlsInspector inspector(target, o);
    QSignalSpy done(&inspector, &TlsInspector::finished);
    inspector.start();
    QVERIFY(done.wait(30000));
    const auto inspection = inspector.result();
    QVERIFY(inspection);
    const TlsInspection& in = *inspection;
    QVERIFY(in.handshakeOk);
    QCOMPARE(in.chainDer.size(), 2); // leaf + intermediate, as served
    QCOMPARE(in.connections, 1);
    QVERIFY(!in.http.tested);
    QVERIFY(!in.resumption.anyConcluded());
    QCOMPARE(in.protocol, QStringLiteral("TLSv1.3"));
}

QTEST_GUILESS_MAIN(TestTlsInspector)
#include "test_tls_inspector.moc"
