// SPDX-License-Identifier: GPL-3.0-or-later
// compareNodes() and the node findings from results built by hand: nodes
// that agree say nothing; each aspect that differs is named with its nodes;
// a node that cannot be reached is named with its reason while the others'
// findings stay; a whole endpoint down keeps the single-node codes.
#include "probe/assess/Findings.h"
#include "probe/assess/NodeComparison.h"
#include "probe/assess/ProbeReport.h"
#include "probe/wire/CipherSuiteRegistry.h"

#include <QTest>

using namespace certdeck::probe;

namespace {

quint16 suite(const char* iana)
{
    const CipherSuite* s =
        CipherSuiteRegistry::instance().findByIanaName(QString::fromLatin1(iana));
    return s ? s->code : 0;
}

const quint16 kGcm128 = suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
const quint16 kGcm256 = suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
const quint16 kTls13 = suite("TLS_AES_128_GCM_SHA256");

ProtocolProbe refused(TlsVersion v, const QString& why = QStringLiteral("protocol_version"))
{
    ProtocolProbe p;
    p.version = v;
    p.tested = true;
    p.refusal = why;
    return p;
}

ProtocolProbe accepted(TlsVersion v, QList<quint16> suites,
                       ServerOrder order = ServerOrder::Unknown)
{
    ProtocolProbe p;
    p.version = v;
    p.tested = true;
    p.accepted = true;
    p.suites = std::move(suites);
    p.order = order;
    if (v != TlsVersion::Tls13) {
        p.secureRenegotiation = true;
    }
    return p;
}

// TLS 1.2 (two suites, server order) + TLS 1.3, x25519 and P-256.
ProbeResult node(const char* address)
{
    ProbeResult r;
    r.host = QStringLiteral("api.example.test");
    r.port = 443;
    r.address = QString::fromLatin1(address);
    r.reachable = true;
    r.protocols = {refused(TlsVersion::Ssl3), refused(TlsVersion::Tls10),
                   refused(TlsVersion::Tls11),
                   accepted(TlsVersion::Tls12, {kGcm256, kGcm128}, ServerOrder::Server),
                   accepted(TlsVersion::Tls13, {kTls13})};
    r.groups = {29, 23};
    r.groupsTested = {29, 30, 23, 24, 25};
    r.groupsVersion = TlsVersion::Tls13;
    return r;
}

ProbeResult down(const char* address, ProbeFailureKind kind)
{
    ProbeResult r;
    r.host = QStringLiteral("api.example.test");
    r.port = 443;
    r.address = QString::fromLatin1(address);
    r.errors << ProbeFailure{
        kind,
        QStringLiteral("connect"),
        QStringLiteral("%1 port 443 did not take the connection").arg(QString::fromLatin1(address)),
        {}};
    return r;
}

ProtocolProbe& entry(ProbeResult& r, TlsVersion v)
{
    for (ProtocolProbe& p : r.protocols) {
        if (p.version == v) {
            return p;
        }
    }
    r.protocols << ProtocolProbe{};
    return r.protocols.last();
}

QStringList texts(const QList<ProbeResult>& nodes)
{
    QStringList out;
    for (const NodeDifference& d : compareNodes(nodes)) {
        out << d.text();
    }
    return out;
}

const Finding* find(const QList<Finding>& f, const QString& code)
{
    for (const Finding& x : f) {
        if (x.code == code) {
            return &x;
        }
    }
    return nullptr;
}

} // namespace

class TestNodeComparison : public QObject
{
    Q_OBJECT
private slots:
    void nodesThatAgree();
    void eachAspect_data();
    void eachAspect();
    void chachaPreferenceOrderIsCompared();
    void unreachableNodeIsNamed();
    void findingsOfEveryNode();
    void wholeEndpointDown();
    void refusalAlertsAreNamed();

private:
    static void change(ProbeResult& r, int what);
};

void TestNodeComparison::nodesThatAgree()
{
    const QList<ProbeResult> nodes = {node("10.0.0.1"), node("10.0.0.2"), node("2001:db8::1")};
    QVERIFY(compareNodes(nodes).isEmpty());
    QVERIFY(compareNodes({node("10.0.0.1")}).isEmpty());
    EndpointResult e;
    e.nodes = nodes;
    QCOMPARE(probeVerdictName(endpointVerdict(e)), QStringLiteral("ok"));
    FindingInputs in;
    in.nodes = &e.nodes;
    QVERIFY(assessEndpoint(in).isEmpty());
}

void TestNodeComparison::change(ProbeResult& r, int what)
{
    switch (what) {
    case 0:
        entry(r, TlsVersion::Tls12) = refused(TlsVersion::Tls12);
        break;
    case 1:
        entry(r, TlsVersion::Tls12).suites = {kGcm256};
        entry(r, TlsVersion::Tls12).order = ServerOrder::Unknown;
        break;
    case 2:
        entry(r, TlsVersion::Tls12).order = ServerOrder::Client;
        break;
    case 3:
        entry(r, TlsVersion::Tls12).suites = {kGcm128, kGcm256};
        break;
    case 4:
        r.groups = {29};
        break;
    case 5:
        r.dhBits = 1024;
        break;
    case 6:
        entry(r, TlsVersion::Tls12).order = ServerOrder::ServerChaChaPreference;
        break;
    }
}

void TestNodeComparison::eachAspect_data()
{
    QTest::addColumn<int>("what");
    QTest::addColumn<QString>("expected");
    QTest::newRow("protocols") << 0
                               << "protocols: TLSv1.2, TLSv1.3 on 10.0.0.1, 10.0.0.3; TLSv1.3 on "
                                  "10.0.0.2";
    QTest::newRow("suites") << 1
                            << "TLSv1.2 suites: only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 on "
                               "10.0.0.1, 10.0.0.3";
    QTest::newRow("whose order") << 2
                                 << "TLSv1.2 server order: server on 10.0.0.1, 10.0.0.3; client "
                                    "on 10.0.0.2";
    QTest::newRow("server's order")
        << 3
        << "TLSv1.2 suite order: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 > "
           "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 on 10.0.0.1, 10.0.0.3; "
           "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 > TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 on "
           "10.0.0.2";
    QTest::newRow("groups") << 4
                            << "groups: x25519,secp256r1 on 10.0.0.1, 10.0.0.3; x25519 on 10.0.0.2";
    QTest::newRow("DHE") << 5 << "DHE prime: no DHE on 10.0.0.1, 10.0.0.3; 1024 bits on 10.0.0.2";
    QTest::newRow("ChaCha20 preference") << 6
                                         << "TLSv1.2 server order: server on 10.0.0.1, 10.0.0.3; "
                                            "server-chacha20 on 10.0.0.2";
}

void TestNodeComparison::eachAspect()
{
    QFETCH(int, what);
    QFETCH(QString, expected);
    QList<ProbeResult> nodes = {node("10.0.0.1"), node("10.0.0.2"), node("10.0.0.3")};
    change(nodes[1], what);
    QCOMPARE(texts(nodes), QStringList{expected});

    EndpointResult e;
    e.nodes = nodes;
    QVERIFY(probeVerdictName(endpointVerdict(e)) != QLatin1String("ok"));
    FindingInputs in;
    in.nodes = &e.nodes;
    const QList<Finding> f = assessEndpoint(in);
    const Finding* differ = find(f, QStringLiteral("nodes.differ"));
    QVERIFY(differ != nullptr);
    QCOMPARE(differ->severity, FindingSeverity::Warning);
    QCOMPARE(differ->evidence, expected);
}

void TestNodeComparison::chachaPreferenceOrderIsCompared()
{
    // Servers that impose their order with OpenSSL's ChaCha20 rule list
    // their own order too: a node that differs in it is named.
    QList<ProbeResult> nodes = {node("10.0.0.1"), node("10.0.0.2")};
    for (ProbeResult& n : nodes) {
        entry(n, TlsVersion::Tls12).order = ServerOrder::ServerChaChaPreference;
    }
    entry(nodes[1], TlsVersion::Tls12).suites = {kGcm128, kGcm256};
    QCOMPARE(texts(nodes), QStringList{QStringLiteral(
                               "TLSv1.2 suite order: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 "
                               "> TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 on 10.0.0.1; "
                               "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 > "
                               "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 on 10.0.0.2")});
    QCOMPARE(serverOrderName(ServerOrder::ServerChaChaPreference),
             QStringLiteral("server-chacha20"));
    QVERIFY(serverImposesOrder(ServerOrder::ServerChaChaPreference));
    QVERIFY(!serverImposesOrder(ServerOrder::Client));
}

void TestNodeComparison::unreachableNodeIsNamed()
{
    for (const auto& [kind, code, word] :
         {std::tuple{ProbeFailureKind::Refused, "node.refused", "refused"},
          std::tuple{ProbeFailureKind::Timeout, "node.timeout", "timeout"},
          std::tuple{ProbeFailureKind::Reset, "node.reset", "reset"}}) {
        const QList<ProbeResult> nodes = {node("10.0.0.1"), down("10.0.0.9", kind)};
        QCOMPARE(nodeReachability(nodes.at(1)), QString::fromLatin1(word));
        QCOMPARE(texts(nodes), QStringList{QStringLiteral("reachability: reachable on 10.0.0.1; "
                                                          "%1 on 10.0.0.9")
                                               .arg(QString::fromLatin1(word))});
        FindingInputs in;
        in.nodes = &nodes;
        const QList<Finding> f = assessEndpoint(in);
        QCOMPARE(f.size(), 1); // reachability is not repeated as nodes.differ
        QCOMPARE(f.constFirst().code, QString::fromLatin1(code));
        QCOMPARE(f.constFirst().severity, FindingSeverity::Critical);
        QVERIFY2(f.constFirst().evidence.startsWith(
                     QStringLiteral("10.0.0.9: %1 during connect").arg(QString::fromLatin1(word))),
                 qPrintable(f.constFirst().evidence));
        QCOMPARE(gradeEndpoint(f).letter, QStringLiteral("F"));
        EndpointResult e;
        e.nodes = nodes;
        QCOMPARE(probeVerdictName(endpointVerdict(e)), QStringLiteral("critical"));
        QCOMPARE(endpointProblems(e).constFirst(),
                 QStringLiteral("10.0.0.9: %1: 10.0.0.9 port 443 did not take the connection")
                     .arg(QString::fromLatin1(word)));
    }
}

void TestNodeComparison::findingsOfEveryNode()
{
    QList<ProbeResult> nodes = {node("10.0.0.1"), node("10.0.0.2")};
    // Both lack TLS 1.3; only the second speaks TLS 1.0.
    for (ProbeResult& n : nodes) {
        entry(n, TlsVersion::Tls13) = refused(TlsVersion::Tls13);
    }
    entry(nodes[1], TlsVersion::Tls10) = accepted(TlsVersion::Tls10, {kGcm128});
    FindingInputs in;
    in.nodes = &nodes;
    const QList<Finding> f = assessEndpoint(in);
    const Finding* tls10 = find(f, QStringLiteral("protocol.tls10"));
    QVERIFY(tls10 != nullptr);
    QCOMPARE(tls10->evidence, QStringLiteral("10.0.0.2: the server completed a TLSv1.0 handshake"));
    const Finding* noTls13 = find(f, QStringLiteral("protocol.no-tls13"));
    QVERIFY(noTls13 != nullptr);
    QCOMPARE(noTls13->evidence, QStringLiteral("TLSv1.3 refused: protocol_version"));
    QVERIFY(find(f, QStringLiteral("nodes.differ")) != nullptr);
    QCOMPARE(gradeEndpoint(f).letter, QStringLiteral("B"));
}

void TestNodeComparison::wholeEndpointDown()
{
    const QList<ProbeResult> nodes = {down("10.0.0.1", ProbeFailureKind::Refused),
                                      down("10.0.0.2", ProbeFailureKind::Timeout)};
    FindingInputs in;
    in.nodes = &nodes;
    const QList<Finding> f = assessEndpoint(in);
    QCOMPARE(f.size(), 1);
    QCOMPARE(f.constFirst().code, QStringLiteral("unreachable.refused"));
    QVERIFY2(f.constFirst().evidence.endsWith(
                 QLatin1String("(every node: 10.0.0.1: refused, 10.0.0.2: timeout)")),
             qPrintable(f.constFirst().evidence));
}

void TestNodeComparison::refusalAlertsAreNamed()
{
    // Every version refused with an alert and no error recorded: the
    // evidence names each alert.
    ProbeResult r = node("10.0.0.1");
    r.reachable = false;
    entry(r, TlsVersion::Tls12) = refused(TlsVersion::Tls12, QStringLiteral("handshake_failure"));
    entry(r, TlsVersion::Tls13) = refused(TlsVersion::Tls13, QStringLiteral("handshake_failure"));
    FindingInputs in;
    in.probe = &r;
    const QList<Finding> f = assessEndpoint(in);
    QCOMPARE(f.size(), 1);
    QCOMPARE(f.constFirst().code, QStringLiteral("unreachable.handshake"));
    QVERIFY2(f.constFirst().evidence.contains(
                 QLatin1String("TLSv1.2: handshake_failure, TLSv1.3: handshake_failure")),
             qPrintable(f.constFirst().evidence));
}

QTEST_GUILESS_MAIN(TestNodeComparison)
#include "test_nodecomparison.moc"
