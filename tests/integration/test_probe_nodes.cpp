// SPDX-License-Identifier: GPL-3.0-or-later
// Every address behind a name, against real peers: BIND 9 serves a zone
// where multi.test has A 127.0.0.1, A 127.0.0.2 and AAAA ::1, and two nginx
// instances share one port: one on 127.0.0.1 and [::1] (TLS 1.2 + 1.3), one
// on 127.0.0.2 (TLS 1.3 only). Nothing listens on 127.0.0.3. The resolver
// tells NXDOMAIN, no address, REFUSED and a silent server apart; the probe
// finds three nodes and names their protocol difference; a refusing node is
// reported while the others are probed.
#include "MultiNodeFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "probe/assess/Findings.h"
#include "probe/assess/NodeComparison.h"
#include "probe/assess/ProbeAssessment.h"
#include "probe/assess/ProbeReport.h"
#include "probe/scan/AddressResolver.h"
#include "probe/scan/EndpointProber.h"
#include "probe/scan/FleetScanner.h"
#include "services/ScanJob.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;

Q_DECLARE_METATYPE(certdeck::probe::DnsOutcome)

class TestProbeNodes : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void resolverTellsOutcomesApart_data();
    void resolverTellsOutcomesApart();
    void silentServerIsATimeout();
    void systemResolverReadsHosts();
    void nodesThatDifferAreNamed();
    void refusedNodeWhileOthersAreProbed();
    void nxdomainIsADnsFailureByName();
    void fleetScanFansOutPerNode();
    void scanJobGivesFirstNodeAndEveryNode();

private:
    AddressResolution resolve(const QString& name, std::optional<dns::DnsServer> server,
                              int timeoutMs = 5000);
    EndpointResult probe(const QString& name);
    dns::DnsServer bind() const
    {
        dns::DnsServer s;
        s.address = QHostAddress(QHostAddress::LocalHost);
        s.port = m_nodes.dnsPort();
        return s;
    }

    FixtureDir m_pkiDir;
    TestPki m_pki;
    MultiNodeFixture m_nodes;
    quint16 m_port = 0;
};

AddressResolution TestProbeNodes::resolve(const QString& name, std::optional<dns::DnsServer> server,
                                          int timeoutMs)
{
    std::optional<AddressResolution> got;
    QObject context;
    AddressResolver::resolve(name, server, timeoutMs, &context,
                             [&got](const AddressResolution& r) { got = r; });
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), 30000);
    }();
    return got.value_or(AddressResolution{});
}

EndpointResult TestProbeNodes::probe(const QString& name)
{
    ProbeTarget t;
    t.host = name;
    t.port = m_port;
    t.sni = QStringLiteral("localhost");
    ProbeOptions o;
    o.resolver = bind();
    o.connectTimeoutMs = o.firstByteTimeoutMs = o.replyTimeoutMs = 5000;
    EndpointProber prober(t, o);
    QSignalSpy finished(&prober, &EndpointProber::finished);
    prober.start();
    [&] {
        QVERIFY(finished.wait(120000));
    }();
    return prober.result().value_or(EndpointResult{});
}

void TestProbeNodes::initTestCase()
{
    TestPki::Options opt;
    QVERIFY2(m_pki.create(m_pkiDir.path(), opt), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    QVERIFY2(m_nodes.start(m_pki), qPrintable(m_nodes.errorString()));
    m_port = m_nodes.port();
}

void TestProbeNodes::resolverTellsOutcomesApart_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<DnsOutcome>("outcome");
    QTest::addColumn<QStringList>("addresses");
    QTest::addColumn<QString>("says");
    QTest::newRow("A + AAAA") << "multi.test" << DnsOutcome::Resolved
                              << QStringList{"127.0.0.1", "127.0.0.2", "::1"} << QString();
    QTest::newRow("CNAME followed") << "alias.test" << DnsOutcome::Resolved
                                    << QStringList{"127.0.0.1", "127.0.0.2", "::1"} << QString();
    QTest::newRow("NXDOMAIN") << "gone.test" << DnsOutcome::NoSuchName << QStringList{}
                              << "no such name: gone.test does not exist (NXDOMAIN";
    QTest::newRow("no A/AAAA") << "noaddr.test" << DnsOutcome::NoAddress << QStringList{}
                               << "noaddr.test has no A or AAAA record";
    QTest::newRow("not its zone") << "api.example.org" << DnsOutcome::Refused << QStringList{}
                                  << "REFUSED to answer for api.example.org";
}

void TestProbeNodes::resolverTellsOutcomesApart()
{
    QFETCH(QString, name);
    QFETCH(DnsOutcome, outcome);
    QFETCH(QStringList, addresses);
    QFETCH(QString, says);
    const AddressResolution r = resolve(name, bind());
    QCOMPARE(dnsOutcomeName(r.outcome), dnsOutcomeName(outcome));
    QStringList got;
    for (const QHostAddress& a : r.addresses) {
        got << a.toString();
    }
    QCOMPARE(got, addresses);
    if (says.isEmpty()) {
        QVERIFY(!r.failure);
    } else {
        QVERIFY(r.failure);
        QCOMPARE(r.failure->kind, ProbeFailureKind::DnsFailure);
        QVERIFY2(r.failure->message.contains(says), qPrintable(r.failure->message));
    }
    if (name == QLatin1String("alias.test")) {
        QCOMPARE(r.aliases, QStringList{QStringLiteral("multi.test")});
    }
}

void TestProbeNodes::silentServerIsATimeout()
{
    // A socket that takes the questions and never answers.
    QUdpSocket silent;
    QVERIFY(silent.bind(QHostAddress(QHostAddress::LocalHost), 0));
    dns::DnsServer s;
    s.address = QHostAddress(QHostAddress::LocalHost);
    s.port = silent.localPort();
    const AddressResolution r = resolve(QStringLiteral("multi.test"), s, 600);
    QCOMPARE(dnsOutcomeName(r.outcome), QStringLiteral("timeout"));
    QVERIFY(r.failure);
    QVERIFY2(r.failure->message.contains(QLatin1String("did not answer for multi.test in time")),
             qPrintable(r.failure->message));
}

void TestProbeNodes::systemResolverReadsHosts()
{
    // /etc/hosts maps localhost: getaddrinfo semantics, not DNS only.
    const AddressResolution r = resolve(QStringLiteral("localhost"), std::nullopt);
    QCOMPARE(r.resolver, QStringLiteral("system resolver"));
    QCOMPARE(dnsOutcomeName(r.outcome), QStringLiteral("resolved"));
    QVERIFY(r.addresses.contains(QHostAddress(QStringLiteral("127.0.0.1"))));
    QCOMPARE(r.addresses.constFirst().protocol(), QAbstractSocket::IPv4Protocol);
}

void TestProbeNodes::nodesThatDifferAreNamed()
{
    const EndpointResult e = probe(QStringLiteral("multi.test"));
    QCOMPARE(e.dnsOutcome, QStringLiteral("resolved"));
    QCOMPARE(e.nodes.size(), 3);
    QCOMPARE(e.nodes.at(0).address, QStringLiteral("127.0.0.1"));
    QCOMPARE(e.nodes.at(1).address, QStringLiteral("127.0.0.2"));
    QCOMPARE(e.nodes.at(2).address, QStringLiteral("::1"));
    for (const ProbeResult& n : e.nodes) {
        QVERIFY2(n.reachable, qPrintable(n.address));
        QVERIFY(n.protocol(TlsVersion::Tls13)->accepted);
    }
    QVERIFY(e.nodes.at(0).protocol(TlsVersion::Tls12)->accepted);
    QVERIFY(!e.nodes.at(1).protocol(TlsVersion::Tls12)->accepted);
    QVERIFY(e.nodes.at(2).protocol(TlsVersion::Tls12)->accepted);

    QStringList texts;
    for (const NodeDifference& d : compareNodes(e.nodes)) {
        texts << d.text();
    }
    QVERIFY2(texts.contains(QStringLiteral(
                 "protocols: TLSv1.2, TLSv1.3 on 127.0.0.1, ::1; TLSv1.3 on 127.0.0.2")),
             qPrintable(texts.join(u'\n')));

    FindingInputs in;
    in.nodes = &e.nodes;
    const QList<Finding> findings = assessEndpoint(in);
    const auto differ = std::find_if(findings.cbegin(), findings.cend(),
                                     [](const Finding& f) { return f.code == "nodes.differ"; });
    QVERIFY(differ != findings.cend());
    QCOMPARE(differ->severity, FindingSeverity::Warning);
    QVERIFY2(differ->evidence.contains(QLatin1String("TLSv1.3 on 127.0.0.2")),
             qPrintable(differ->evidence));
    QCOMPARE(probeVerdictName(endpointVerdict(e)), QStringLiteral("warning"));

    // --ip keeps one node, and one node has nothing to differ from.
    ProbeTarget t;
    t.host = QStringLiteral("multi.test");
    t.port = m_port;
    t.address = QStringLiteral("127.0.0.2");
    EndpointProber one(t, ProbeOptions{});
    QSignalSpy finished(&one, &EndpointProber::finished);
    one.start();
    QVERIFY(finished.wait(60000));
    const auto oneNode = one.result();
    QVERIFY(oneNode);
    QCOMPARE(oneNode->nodes.size(), 1);
    QCOMPARE(oneNode->nodes.constFirst().address, QStringLiteral("127.0.0.2"));
    QCOMPARE(oneNode->nodes.constFirst().sni, QStringLiteral("multi.test"));
    QCOMPARE(probeVerdictName(endpointVerdict(*oneNode)), QStringLiteral("ok"));
}

void TestProbeNodes::refusedNodeWhileOthersAreProbed()
{
    const EndpointResult e = probe(QStringLiteral("partial.test"));
    QCOMPARE(e.nodes.size(), 2);
    const ProbeResult& up = e.nodes.at(0);
    const ProbeResult& down = e.nodes.at(1);
    QCOMPARE(up.address, QStringLiteral("127.0.0.1"));
    QVERIFY(up.protocol(TlsVersion::Tls12)->accepted);
    QCOMPARE(down.address, QStringLiteral("127.0.0.3"));
    QCOMPARE(nodeReachability(down), QStringLiteral("refused"));
    QCOMPARE(nodeReachability(up), QStringLiteral("reachable"));

    FindingInputs in;
    in.nodes = &e.nodes;
    const QList<Finding> findings = assessEndpoint(in);
    QVERIFY(!findings.isEmpty());
    QCOMPARE(findings.constFirst().code, QStringLiteral("node.refused"));
    QCOMPARE(findings.constFirst().severity, FindingSeverity::Critical);
    QVERIFY2(findings.constFirst().evidence.startsWith(QLatin1String("127.0.0.3: refused")),
             qPrintable(findings.constFirst().evidence));
    QCOMPARE(probeVerdictName(endpointVerdict(e)), QStringLiteral("critical"));
    QVERIFY2(endpointProblems(e).join(u'\n').contains(QLatin1String("127.0.0.3: refused")),
             qPrintable(endpointProblems(e).join(u'\n')));
}

void TestProbeNodes::nxdomainIsADnsFailureByName()
{
    const EndpointResult e = probe(QStringLiteral("gone.test"));
    QCOMPARE(e.dnsOutcome, QStringLiteral("nxdomain"));
    QCOMPARE(e.nodes.size(), 1);
    const ProbeResult& n = e.nodes.constFirst();
    QVERIFY(n.address.isEmpty());
    QCOMPARE(n.errors.size(), 1);
    QCOMPARE(probeFailureKindName(n.errors.constFirst().kind), QStringLiteral("dns-failure"));
    QVERIFY2(n.errors.constFirst().message.contains(QLatin1String("no such name")),
             qPrintable(n.errors.constFirst().message));
    FindingInputs in;
    in.nodes = &e.nodes;
    const QList<Finding> findings = assessEndpoint(in);
    QCOMPARE(findings.size(), 1);
    QCOMPARE(findings.constFirst().code, QStringLiteral("unreachable.dns"));
    QVERIFY(findings.constFirst().evidence.contains(QLatin1String("NXDOMAIN")));
    QCOMPARE(probeVerdictName(endpointVerdict(e)), QStringLiteral("critical"));
}

void TestProbeNodes::fleetScanFansOutPerNode()
{
    QList<ScanItem> items;
    for (const char* name : {"multi.test", "partial.test"}) {
        ScanItem item;
        item.target.host = QString::fromLatin1(name);
        item.target.port = m_port;
        item.target.sni = QStringLiteral("localhost");
        items << item;
    }
    ScanOptions options;
    options.perHost = 2;
    options.probe.resolver = bind();
    FleetScanner scanner(items, options);
    QList<EndpointResult> results;
    connect(&scanner, &FleetScanner::endpointDone, this,
            [&results](const ScanItem&, const EndpointResult& r) { results << r; });
    QSignalSpy finished(&scanner, &FleetScanner::finished);
    scanner.start();
    QVERIFY(finished.wait(120000));
    QCOMPARE(results.size(), 2);
    int nodes = 0;
    for (const EndpointResult& r : std::as_const(results)) {
        nodes += int(r.nodes.size());
    }
    QCOMPARE(nodes, 5);
    // Four nodes with an answer, two connections each at most, 127.0.0.1
    // shared by both names: the per-address bound still holds.
    QVERIFY2(scanner.peakConnections() <= 4 * 2,
             qPrintable(QString::number(scanner.peakConnections())));
}

void TestProbeNodes::scanJobGivesFirstNodeAndEveryNode()
{
    // The console's scan job: every node behind the name, the chain verified
    // against the endpoint's anchors, the assessment, and the history record.
    services::ScanTarget target;
    target.endpointId = 7;
    target.target.host = QStringLiteral("multi.test");
    target.target.port = m_port;
    target.target.sni = QStringLiteral("localhost");
    QFile root(m_pki.rootCert);
    QVERIFY(root.open(QIODevice::ReadOnly));
    target.anchors.pem = root.readAll();
    target.anchors.source = QStringLiteral("test root");
    services::ScanServiceOptions options;
    options.scan.probe.resolver = bind();
    services::ScanJob job(QList<services::ScanTarget>{target}, options);
    QList<services::EndpointCheck> every;
    connect(&job, &services::ScanJob::endpointChecked, this,
            [&every](const services::EndpointCheck& c) { every << c; });
    QSignalSpy finished(&job, &services::ScanJob::finished);
    job.start();
    QVERIFY(finished.wait(120000));
    QCOMPARE(every.size(), 1);
    const services::EndpointCheck& c = every.constFirst();
    QCOMPARE(c.probe.nodes.size(), 3);
    QCOMPARE(c.probe.nodes.constFirst().address, QStringLiteral("127.0.0.1"));
    QVERIFY(c.chain && c.chain->trusted);

    const ProbeAssessment& a = c.assessment;
    QCOMPARE(probeVerdictName(a.verdict), QStringLiteral("warning"));
    QVERIFY(std::any_of(a.findings.cbegin(), a.findings.cend(),
                        [](const Finding& f) { return f.code == "nodes.differ"; }));
    const inventory::ProbeRecord rec = services::probeRecord(c);
    QCOMPARE(rec.status, QStringLiteral("warning"));
    QCOMPARE(rec.grade, a.grade.letter);
    const QJsonObject json = QJsonDocument::fromJson(rec.reportJson).object();
    QCOMPARE(json.value(QLatin1String("nodes")).toArray().size(), 3);
    QCOMPARE(json.value(QLatin1String("endpointId")).toInteger(), 7);
    QCOMPARE(json.value(QLatin1String("verdict")).toString(), QStringLiteral("warning"));
    QVERIFY(!json.value(QLatin1String("findings")).toArray().isEmpty());
}

QTEST_GUILESS_MAIN(TestProbeNodes)
#include "test_probe_nodes.moc"
