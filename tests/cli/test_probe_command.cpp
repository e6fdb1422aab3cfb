// SPDX-License-Identifier: GPL-3.0-or-later
// `certdeckctl probe` run as an admin or a monitoring check would, against a
// real nginx: what it prints, the JSON for scripts, and the exit codes
// (0 clean, 1 weak protocol or suite, 2 unreachable, 3 usage).
#include "CtlRun.h"
#include "HostileTlsServer.h"
#include "MultiNodeFixture.h"
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck::test;

class TestProbeCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void help();
    void usageErrors_data();
    void usageErrors();
    void modernServerIsClean();
    void jsonReport();
    void legacyServerWarns();
    void insecureRenegotiationAndCompressionWarn();
    void refusedPortIsCritical();
    void ipOverrideKeepsTheName();
    void everyNodeBehindAName();
    void dnsFailuresByName();
    void refusingNodeIsCritical();
    void inspectionSection();
    void noInspectSkipsIt();
    void revokedStapleIsCritical();
    void clientThatCannotConnectIsCritical();
    void malformedHstsWarns();

private:
    using Run = certdeck::test::CtlTextRun;
    Run ctl(const QStringList& args);

    QString m_ctl;
    FixtureDir m_pkiDir;
    TestPki m_pki;
    NginxFixture m_modern;
    NginxFixture m_legacy;
    MultiNodeFixture m_nodes;
    FixtureDir m_work;
};

namespace {

/// `openssl ocsp` answers for `leafCert` from the test CA's database (the
/// independent tool), into a file nginx can staple.
QString makeStaple(const TestPki& pki, const QString& leafCert, const QString& out)
{
    const QString req = out + QStringLiteral(".req");
    for (const QStringList& args :
         {QStringList{QStringLiteral("ocsp"), QStringLiteral("-issuer"), pki.intermediateCert,
                      QStringLiteral("-cert"), leafCert, QStringLiteral("-no_nonce"),
                      QStringLiteral("-reqout"), req},
          QStringList{QStringLiteral("ocsp"), QStringLiteral("-index"), pki.caIndex,
                      QStringLiteral("-rsigner"), pki.intermediateCert, QStringLiteral("-rkey"),
                      pki.intermediateKey, QStringLiteral("-CA"), pki.intermediateCert,
                      QStringLiteral("-reqin"), req, QStringLiteral("-respout"), out,
                      QStringLiteral("-ndays"), QStringLiteral("1")}}) {
        QProcess p;
        QSignalSpy done(&p, &QProcess::finished);
        p.start(QStringLiteral("openssl"), args);
        if (!p.waitForStarted(10000) || !done.wait(30000) || p.exitCode() != 0) {
            return {};
        }
    }
    return out;
}

} // namespace

TestProbeCommand::Run TestProbeCommand::ctl(const QStringList& args)
{
    QStringList all = args;
    // The fixtures serve the test PKI: name its root, as an admin with an
    // internal CA would (without it every chain is rightly untrusted).
    if (all.value(0) == QLatin1String("probe") && !all.contains(QLatin1String("--ca-file")) &&
        !all.contains(QLatin1String("--help"))) {
        all << QStringLiteral("--ca-file") << m_pki.rootCert;
    }
    // A store of the test's own, never the user's. An in-process server
    // answers hundreds of connections while runCtl runs the event loop.
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"), m_work.filePath(QStringLiteral("probe.sqlite")));
    return certdeck::test::runCtlText(all, env, 60000);
}

void TestProbeCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(!m_ctl.isEmpty(), "CERTDECKCTL is not set");
    TestPki::Options opt;
    opt.keyType = TestPki::KeyType::Rsa2048;
    QVERIFY2(m_pki.create(m_pkiDir.path(), opt), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    const QString cert = QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n")
                             .arg(m_pki.good.fullchain, m_pki.good.key);
    QVERIFY2(m_modern.start(cert + QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n"
                                                  "ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;\n"
                                                  "ssl_prefer_server_ciphers on;\n")),
             qPrintable(m_modern.errorString()));
    QVERIFY2(m_legacy.start(cert + QStringLiteral("ssl_protocols TLSv1 TLSv1.2;\n"
                                                  "ssl_ciphers 'AES128-SHA:ECDHE-RSA-AES128-GCM-"
                                                  "SHA256:@SECLEVEL=0';\n")),
             qPrintable(m_legacy.errorString()));
    QVERIFY2(m_nodes.start(m_pki), qPrintable(m_nodes.errorString()));
}

void TestProbeCommand::help()
{
    const Run r = ctl({QStringLiteral("probe"), QStringLiteral("--help")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QLatin1String("Usage: certdeckctl probe HOST[:PORT]")),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QLatin1String("--timeout MS")));
    const Run all = ctl({QStringLiteral("--help")});
    QVERIFY2(all.out.contains(QLatin1String("probe HOST[:PORT]")), qPrintable(all.out));
}

void TestProbeCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no endpoint") << QStringList{"probe"} << "usage: certdeckctl probe";
    QTest::newRow("two endpoints") << QStringList{"probe", "a", "b"} << "usage: certdeckctl probe";
    QTest::newRow("port 0") << QStringList{"probe", "example.org:0"}
                            << "\"example.org:0\": port 0 is out of range (1-65535)";
    QTest::newRow("port text") << QStringList{"probe", "example.org:https"}
                               << "\"example.org:https\": port \"https\" is not a number";
    QTest::newRow("empty port") << QStringList{"probe", "example.org:"}
                                << "\"example.org:\": the port after ':' is empty";
    QTest::newRow("ipv6 bracket") << QStringList{"probe", "[::1"}
                                  << "\"[::1\": the IPv6 address has no closing ']'";
    QTest::newRow("a:b:c") << QStringList{"probe", "a:b:c"}
                           << "\"a:b:c\": neither HOST:PORT nor an IPv6 address";
    QTest::newRow("spaces") << QStringList{"probe", "this is : not : a host"}
                            << "a host and port hold no spaces";
    QTest::newRow("bad ip") << QStringList{"probe", "example.org", "--ip", "10.0.0.300"}
                            << "is not an IP address";
    QTest::newRow("bad timeout") << QStringList{"probe", "example.org", "--timeout", "soon"}
                                 << "--timeout needs milliseconds";
    QTest::newRow("zero timeout") << QStringList{"probe", "example.org", "--timeout", "0"}
                                  << "--timeout needs milliseconds";
    QTest::newRow("resolver shorthand")
        << QStringList{"probe", "example.org", "--resolver", "1.2.3"}
        << "--resolver: DNS server \"1.2.3\": \"1.2.3\" is not an IPv4 address";
    QTest::newRow("resolver port")
        << QStringList{"probe", "example.org", "--resolver", "127.0.0.1:0"}
        << "--resolver: DNS server \"127.0.0.1:0\": port 0 is out of range (1-65535)";
    QTest::newRow("resolver name")
        << QStringList{"probe", "example.org", "--resolver", "ns1.example:53"}
        << "--resolver: DNS server \"ns1.example:53\": \"ns1.example\" is not an IP address";
}

void TestProbeCommand::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Run r = ctl(args);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

void TestProbeCommand::modernServerIsClean()
{
    const Run r = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(m_modern.port()),
                       QStringLiteral("--sni"), QStringLiteral("localhost")});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1String("SSLv3 no (handshake_failure), TLSv1.0 no "
                                          "(protocol_version), TLSv1.1 no (protocol_version), "
                                          "TLSv1.2 yes, TLSv1.3 yes")),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QLatin1String("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")));
    QVERIFY(r.out.contains(QLatin1String("ECDHE-RSA-AES256-GCM-SHA384")));
    QVERIFY(r.out.contains(QLatin1String("order: server")));
    QVERIFY(r.out.contains(QLatin1String("x25519")));
    QVERIFY(!r.out.contains(QLatin1String("WARNING")));
    // Progress goes to stderr, results to stdout.
    QVERIFY2(r.err.contains(QLatin1String("TLSv1.2 suites")), qPrintable(r.err));
    QVERIFY(!r.out.contains(QLatin1String("certdeckctl: probe")));
}

void TestProbeCommand::jsonReport()
{
    const Run r = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(m_modern.port()),
                       QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    QJsonParseError perr;
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &perr).object();
    QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(r.out));
    QCOMPARE(o.value(QLatin1String("port")).toInt(), int(m_modern.port()));
    QCOMPARE(o.value(QLatin1String("address")).toString(), QStringLiteral("127.0.0.1"));
    QCOMPARE(o.value(QLatin1String("sni")).toString(), QString()); // IP host: no SNI
    QVERIFY(o.value(QLatin1String("reachable")).toBool());
    QVERIFY(o.value(QLatin1String("connections")).toInt() > 5);
    QVERIFY(o.value(QLatin1String("groups")).toArray().contains(QStringLiteral("x25519")));
    QCOMPARE(o.value(QLatin1String("groupsVersion")).toString(), QStringLiteral("TLSv1.3"));
    QVERIFY(o.value(QLatin1String("weaknesses")).toArray().isEmpty());
    QVERIFY(o.value(QLatin1String("errors")).toArray().isEmpty());
    bool sawTls12 = false;
    for (const QJsonValue& v : o.value(QLatin1String("protocols")).toArray()) {
        const QJsonObject p = v.toObject();
        if (p.value(QLatin1String("version")).toString() != QLatin1String("TLSv1.2")) {
            continue;
        }
        sawTls12 = true;
        QVERIFY(p.value(QLatin1String("accepted")).toBool());
        QCOMPARE(p.value(QLatin1String("serverOrder")).toString(), QStringLiteral("server"));
        const QJsonArray suites = p.value(QLatin1String("suites")).toArray();
        QVERIFY(suites.size() >= 3);
        for (const QJsonValue& s : suites) {
            const QJsonObject so = s.toObject();
            QVERIFY(
                so.value(QLatin1String("iana")).toString().startsWith(QLatin1String("TLS_ECDHE_")));
            QVERIFY(!so.value(QLatin1String("openssl")).toString().isEmpty());
            QCOMPARE(so.value(QLatin1String("strength")).toString(), QStringLiteral("strong"));
        }
    }
    QVERIFY(sawTls12);
}

void TestProbeCommand::legacyServerWarns()
{
    const Run r =
        ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(m_legacy.port())});
    QVERIFY2(r.code == 1, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1String("WARNING      TLSv1.0 is enabled")), qPrintable(r.out));
    QVERIFY(r.out.contains(QLatin1String("TLS_RSA_WITH_AES_128_CBC_SHA")));
    QVERIFY2(r.out.contains(QLatin1String("TLSv1.3 no (protocol_version)")), qPrintable(r.out));
}

void TestProbeCommand::insecureRenegotiationAndCompressionWarn()
{
    // In this process: ctl() keeps the event loop running while it waits.
    HostileTlsServer legacy(HostileTlsServer::Mode::InsecureLegacy);
    QVERIFY(legacy.listen());
    const Run r = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(legacy.port())});
    // It also accepts NULL and export suites and compresses records: those
    // findings are critical, and so is the verdict (the warnings below are
    // still listed).
    QVERIFY2(r.code == 2, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1String("Verdict      CRITICAL: ")), qPrintable(r.out));
    QVERIFY(r.out.contains(QLatin1String("[critical] compression.enabled")));
    QVERIFY2(r.out.contains(QLatin1String("renegotiation: insecure, compression: 1")),
             qPrintable(r.out));
    QVERIFY(r.out.contains(
        QLatin1String("WARNING      TLSv1.2 has no secure renegotiation (RFC 5746)")));
    QVERIFY(r.out.contains(QLatin1String("WARNING      TLSv1.2 compresses records (CRIME)")));
}

void TestProbeCommand::refusedPortIsCritical()
{
    const quint16 closed = freeLoopbackPort();
    const Run r = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(closed),
                       QStringLiteral("--json")});
    QCOMPARE(r.code, 2);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QVERIFY(!o.value(QLatin1String("reachable")).toBool());
    const QJsonArray errors = o.value(QLatin1String("errors")).toArray();
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).toObject().value(QLatin1String("kind")).toString(),
             QStringLiteral("refused"));
    const Run text = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(closed)});
    QCOMPARE(text.code, 2);
    QVERIFY2(text.err.contains(QLatin1String("refused the connection")), qPrintable(text.err));
}

void TestProbeCommand::ipOverrideKeepsTheName()
{
    // The name is never resolved: --ip says where to connect, the name is the SNI.
    const Run r = ctl(
        {QStringLiteral("probe"), QStringLiteral("api.not-in-dns.invalid:%1").arg(m_modern.port()),
         QStringLiteral("--ip"), QStringLiteral("127.0.0.1"), QStringLiteral("--json")});
    // The certificate is for localhost, not for the name clients ask for.
    QVERIFY2(r.code == 2, qPrintable(r.out + r.err));
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o.value(QLatin1String("verdict")).toString(), QStringLiteral("critical"));
    QCOMPARE(o.value(QLatin1String("findings"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("code"))
                 .toString(),
             QStringLiteral("cert.hostname-mismatch"));
    QCOMPARE(o.value(QLatin1String("host")).toString(), QStringLiteral("api.not-in-dns.invalid"));
    QCOMPARE(o.value(QLatin1String("sni")).toString(), QStringLiteral("api.not-in-dns.invalid"));
    QCOMPARE(o.value(QLatin1String("address")).toString(), QStringLiteral("127.0.0.1"));
}

void TestProbeCommand::everyNodeBehindAName()
{
    const QString endpoint = QStringLiteral("multi.test:%1").arg(m_nodes.port());
    const QStringList common = {QStringLiteral("--resolver"), m_nodes.resolver(),
                                QStringLiteral("--sni"), QStringLiteral("localhost")};
    const Run r = ctl(QStringList{QStringLiteral("probe"), endpoint} + common);
    QVERIFY2(r.code == 1, qPrintable(r.out + r.err)); // the nodes differ: a warning
    QVERIFY2(r.out.contains(
                 QStringLiteral("3 nodes (DNS server 127.0.0.1 port %1)").arg(m_nodes.dnsPort())),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("The nodes differ:\n  protocols: TLSv1.2, TLSv1.3 on "
                                          "127.0.0.1, ::1; TLSv1.3 on 127.0.0.2\n")),
             qPrintable(r.out));
    for (const char* node : {"== Node 127.0.0.1", "== Node 127.0.0.2", "== Node ::1"}) {
        QVERIFY2(r.out.contains(QLatin1String(node)), node);
    }
    // Progress names the node it is about.
    QVERIFY2(r.err.contains(QLatin1String(": 127.0.0.2: ")), qPrintable(r.err));

    const Run j =
        ctl(QStringList{QStringLiteral("probe"), endpoint, QStringLiteral("--json")} + common);
    QCOMPARE(j.code, 1);
    const QJsonObject o = QJsonDocument::fromJson(j.out.toUtf8()).object();
    QCOMPARE(o.value(QLatin1String("verdict")).toString(), QStringLiteral("warning"));
    QCOMPARE(o.value(QLatin1String("dnsOutcome")).toString(), QStringLiteral("resolved"));
    const QJsonArray nodes = o.value(QLatin1String("nodes")).toArray();
    QCOMPARE(nodes.size(), 3);
    QCOMPARE(nodes.at(1).toObject().value(QLatin1String("address")).toString(),
             QStringLiteral("127.0.0.2"));
    // The top level stays the first node's report, as before.
    QCOMPARE(o.value(QLatin1String("address")).toString(), QStringLiteral("127.0.0.1"));
    QCOMPARE(o.value(QLatin1String("differences"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QLatin1String("aspect")),
             QJsonValue(QStringLiteral("protocols")));

    // --ip keeps one node: nothing to differ from, a clean TLS 1.3 server.
    const Run one = ctl(QStringList{QStringLiteral("probe"), endpoint, QStringLiteral("--ip"),
                                    QStringLiteral("127.0.0.2")} +
                        common);
    QVERIFY2(one.code == 0, qPrintable(one.out + one.err));
    QVERIFY(!one.out.contains(QLatin1String("nodes")));
    QVERIFY(one.out.contains(QLatin1String("(127.0.0.2)")));
}

void TestProbeCommand::dnsFailuresByName()
{
    const Run gone =
        ctl({QStringLiteral("probe"), QStringLiteral("gone.test:%1").arg(m_nodes.port()),
             QStringLiteral("--resolver"), m_nodes.resolver()});
    QCOMPARE(gone.code, 2);
    QVERIFY2(gone.err.contains(QLatin1String("dns-failure: no such name: gone.test does not exist "
                                             "(NXDOMAIN")),
             qPrintable(gone.err));
    const Run noaddr =
        ctl({QStringLiteral("probe"), QStringLiteral("noaddr.test:%1").arg(m_nodes.port()),
             QStringLiteral("--resolver"), m_nodes.resolver()});
    QCOMPARE(noaddr.code, 2);
    QVERIFY2(noaddr.err.contains(QLatin1String("noaddr.test has no A or AAAA record")),
             qPrintable(noaddr.err));
    const Run json =
        ctl({QStringLiteral("probe"), QStringLiteral("gone.test:%1").arg(m_nodes.port()),
             QStringLiteral("--resolver"), m_nodes.resolver(), QStringLiteral("--json")});
    QCOMPARE(json.code, 2);
    const QJsonObject o = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(o.value(QLatin1String("dnsOutcome")).toString(), QStringLiteral("nxdomain"));
    QCOMPARE(
        o.value(QLatin1String("errors")).toArray().at(0).toObject().value(QLatin1String("kind")),
        QJsonValue(QStringLiteral("dns-failure")));
}

void TestProbeCommand::refusingNodeIsCritical()
{
    const Run r =
        ctl({QStringLiteral("probe"), QStringLiteral("partial.test:%1").arg(m_nodes.port()),
             QStringLiteral("--resolver"), m_nodes.resolver(), QStringLiteral("--sni"),
             QStringLiteral("localhost")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("127\\.0\\.0\\.3 +refused"))),
             qPrintable(r.out));
    QVERIFY2(
        r.out.contains(QRegularExpression(QStringLiteral("127\\.0\\.0\\.1 +reachable +TLSv1\\.2, "
                                                         "TLSv1\\.3"))),
        qPrintable(r.out));
    QVERIFY2(r.err.contains(QLatin1String("127.0.0.3: refused: 127.0.0.3 port")),
             qPrintable(r.err));
}

void TestProbeCommand::inspectionSection()
{
    const Run r = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(m_modern.port()),
                       QStringLiteral("--sni"), QStringLiteral("localhost"),
                       QStringLiteral("--ca-file"), m_pki.rootCert});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1String("Inspection (OpenSSL handshake")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("  Negotiated   TLSv1.3, TLS_")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("2 certificate(s) served; trusted")), qPrintable(r.out));
    QVERIFY(r.out.contains(QLatin1String("  OCSP staple  none")));
    QVERIFY(r.out.contains(QLatin1String("TLS 1.3 PSK: ")));
    QVERIFY(r.out.contains(QLatin1String("  ALPN         http/1.1 yes,h2 no")));
    QVERIFY(r.out.contains(QLatin1String("  HTTP         HTTP/1.1 200 OK")));
    QVERIFY(r.out.contains(QLatin1String("  Server       nginx")));
    QVERIFY(r.out.contains(QLatin1String("  HSTS         none")));
    QVERIFY(r.out.contains(QLatin1String("[info] hsts.missing: ")));
    QVERIFY(r.out.contains(QLatin1String("[info] ocsp.no-staple: ")));
    QVERIFY(r.out.contains(QLatin1String("Grade        A\n"))); // no HSTS: not A+
    QVERIFY2(r.err.contains(QLatin1String("inspect: handshake")), qPrintable(r.err));

    const Run j = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(m_modern.port()),
                       QStringLiteral("--sni"), QStringLiteral("localhost"),
                       QStringLiteral("--ca-file"), m_pki.rootCert, QStringLiteral("--json")});
    QCOMPARE(j.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(j.out.toUtf8()).object();
    const QJsonObject in = o.value(QLatin1String("inspection")).toObject();
    QVERIFY(in.value(QLatin1String("handshake")).toBool());
    QVERIFY(o.value(QLatin1String("chain")).toObject().value(QLatin1String("trusted")).toBool());
    QCOMPARE(in.value(QLatin1String("chain")).toArray().size(), 2);
    QCOMPARE(in.value(QLatin1String("protocol")).toString(), QStringLiteral("TLSv1.3"));
    QVERIFY(!in.value(QLatin1String("staple")).toObject().value(QLatin1String("present")).toBool());
    QCOMPARE(
        in.value(QLatin1String("http")).toObject().value(QLatin1String("statusLine")).toString(),
        QStringLiteral("HTTP/1.1 200 OK"));
    QCOMPARE(o.value(QLatin1String("grade")).toString(), QStringLiteral("A"));
    QCOMPARE(o.value(QLatin1String("verdict")).toString(), QStringLiteral("ok"));
    QVERIFY(!o.value(QLatin1String("findings")).toArray().isEmpty());
}

void TestProbeCommand::noInspectSkipsIt()
{
    // --no-inspect skips resumption, ALPN and HSTS; the chain is still read
    // in one handshake, because the verdict needs it.
    const Run r = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(m_modern.port()),
                       QStringLiteral("--no-inspect")});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1String("2 certificate(s) served; trusted")), qPrintable(r.out));
    QVERIFY(!r.out.contains(QLatin1String("  HTTP ")));
    QVERIFY(r.out.contains(QLatin1String("  Not checked  resumption, ALPN, HTTP and HSTS")));
    QVERIFY(!r.out.contains(QLatin1String("hsts.")));
    QVERIFY(!r.out.contains(QLatin1String("resumption.")));
    QVERIFY(r.out.contains(QLatin1String("Grade        A\n")));
    const Run j = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(m_modern.port()),
                       QStringLiteral("--no-inspect"), QStringLiteral("--json")});
    const QJsonObject o = QJsonDocument::fromJson(j.out.toUtf8()).object();
    const QJsonObject in = o.value(QLatin1String("inspection")).toObject();
    QCOMPARE(in.value(QLatin1String("connections")).toInt(), 1);
    QCOMPARE(o.value(QLatin1String("grade")).toString(), QStringLiteral("A"));
    QCOMPARE(o.value(QLatin1String("verdict")).toString(), QStringLiteral("ok"));
}

void TestProbeCommand::revokedStapleIsCritical()
{
    const QString staple =
        makeStaple(m_pki, m_pki.revoked.cert, m_work.filePath(QStringLiteral("revoked.ocsp")));
    QVERIFY(!staple.isEmpty());
    NginxFixture nginx;
    QVERIFY2(nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                        "ssl_protocols TLSv1.2 TLSv1.3;\nssl_stapling on;\n"
                                        "ssl_stapling_file %3;\n")
                             .arg(m_pki.revoked.fullchain, m_pki.revoked.key, staple)),
             qPrintable(nginx.errorString()));
    const Run r = ctl({QStringLiteral("probe"), QStringLiteral("localhost:%1").arg(nginx.port()),
                       QStringLiteral("--ip"), QStringLiteral("127.0.0.1")});
    QVERIFY2(r.code == 2, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1String("  OCSP staple  revoked")), qPrintable(r.out));
    QVERIFY(r.out.contains(QLatin1String("(keyCompromise), signature valid")));
    QVERIFY(r.out.contains(QLatin1String("[critical] ocsp.staple-revoked: ")));
    QVERIFY(r.out.contains(QLatin1String("Grade        F\n")));
    const Run j =
        ctl({QStringLiteral("probe"), QStringLiteral("localhost:%1").arg(nginx.port()),
             QStringLiteral("--ip"), QStringLiteral("127.0.0.1"), QStringLiteral("--json")});
    QCOMPARE(j.code, 2);
    const QJsonObject staplej = QJsonDocument::fromJson(j.out.toUtf8())
                                    .object()
                                    .value(QLatin1String("inspection"))
                                    .toObject()
                                    .value(QLatin1String("staple"))
                                    .toObject();
    QCOMPARE(staplej.value(QLatin1String("status")).toString(), QStringLiteral("revoked"));
    QCOMPARE(staplej.value(QLatin1String("revocationReason")).toString(),
             QStringLiteral("keyCompromise"));
}

void TestProbeCommand::malformedHstsWarns()
{
    NginxFixture nginx;
    QVERIFY2(nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                        "ssl_protocols TLSv1.2 TLSv1.3;\n"
                                        "add_header Strict-Transport-Security \"max-age=1;"
                                        " max-age=2\" always;\n")
                             .arg(m_pki.good.fullchain, m_pki.good.key)),
             qPrintable(nginx.errorString()));
    const Run r = ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(nginx.port())});
    QVERIFY2(r.code == 1, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1String("  HSTS         malformed: directive 'max-age' appears "
                                          "more than once")),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QLatin1String("[warning] hsts.malformed: ")));
}

// --client: a payment terminal that speaks only TLS 1.2 with AES128-SHA
// shares nothing with the modern server (critical, exit 2); Mozilla's
// intermediate client does; a bad profile is a usage error.
void TestProbeCommand::clientThatCannotConnectIsCritical()
{
    const QString profile = m_work.path() + QStringLiteral("/terminal.json");
    QFile f(profile);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "Terminal fw 3.2", "versions": ["TLSv1.2"], "suites": ["AES128-SHA"]})");
    f.close();
    const QString modern = QStringLiteral("127.0.0.1:%1").arg(m_modern.port());
    const Run r = ctl({QStringLiteral("probe"), modern, QStringLiteral("--no-inspect"),
                       QStringLiteral("--client"), profile});
    QVERIFY2(r.code == 2, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1String("[critical] client.no-overlap: Terminal fw 3.2 cannot "
                                          "connect")),
             qPrintable(r.out));
    QVERIFY2(r.err.contains(QLatin1String("Terminal fw 3.2 cannot connect")), qPrintable(r.err));
    // The legacy server accepts AES128-SHA over TLS 1.2: that client connects.
    const Run legacy =
        ctl({QStringLiteral("probe"), QStringLiteral("127.0.0.1:%1").arg(m_legacy.port()),
             QStringLiteral("--no-inspect"), QStringLiteral("--client"), profile});
    QVERIFY2(!legacy.out.contains(QLatin1String("client.no-overlap")), qPrintable(legacy.out));
    const Run ok = ctl({QStringLiteral("probe"), modern, QStringLiteral("--no-inspect"),
                        QStringLiteral("--client"), QStringLiteral("mozilla-intermediate")});
    QVERIFY2(ok.code == 0, qPrintable(ok.out + ok.err));
    QVERIFY(!ok.out.contains(QLatin1String("client.no-overlap")));
    const Run bad = ctl(
        {QStringLiteral("probe"), modern, QStringLiteral("--client"), QStringLiteral("java-1.4")});
    QCOMPARE(bad.code, 3);
    QVERIFY2(bad.err.contains(QLatin1String("neither a built-in client profile")),
             qPrintable(bad.err));
}

QTEST_GUILESS_MAIN(TestProbeCommand)
#include "test_probe_command.moc"
