// SPDX-License-Identifier: GPL-3.0-or-later
// Findings and grades: each rule of core/probe/assess/GRADING.md from a probe
// result built by hand, and the certificate findings from chains of the test
// PKI verified by the workbench (expired, not yet valid with the clock
// hint, expiring, incomplete chain, wrong host, unknown authority).
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "crypto/ChainVerifier.h"
#include "crypto/TrustStore.h"
#include "probe/assess/Findings.h"
#include "probe/inspect/TlsInspection.h"
#include "probe/wire/CipherSuiteRegistry.h"

#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;

namespace {

quint16 suite(const char* iana)
{
    const CipherSuite* s =
        CipherSuiteRegistry::instance().findByIanaName(QString::fromLatin1(iana));
    return s ? s->code : 0;
}

ProtocolProbe accepted(TlsVersion v, QList<quint16> suites)
{
    ProtocolProbe p;
    p.version = v;
    p.tested = true;
    p.accepted = true;
    p.suites = std::move(suites);
    if (v != TlsVersion::Tls13) {
        p.secureRenegotiation = true;
    }
    return p;
}

ProtocolProbe refused(TlsVersion v)
{
    ProtocolProbe p;
    p.version = v;
    p.tested = true;
    p.refusal = QStringLiteral("protocol_version");
    return p;
}

// A clean modern server: TLS 1.2 + 1.3, ECDHE AEAD only.
ProbeResult modern()
{
    ProbeResult r;
    r.host = QStringLiteral("api.example.test");
    r.port = 443;
    r.reachable = true;
    r.protocols = {refused(TlsVersion::Ssl3), refused(TlsVersion::Tls10),
                   refused(TlsVersion::Tls11),
                   accepted(TlsVersion::Tls12, {suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")}),
                   accepted(TlsVersion::Tls13, {suite("TLS_AES_128_GCM_SHA256")})};
    return r;
}

QStringList codes(const QList<Finding>& f)
{
    QStringList out;
    for (const Finding& x : f) {
        out << x.code;
    }
    return out;
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

} // namespace

class TestFindings : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanModernServer();
    void rules_data();
    void rules();
    void unreachableIsNamed();
    void clientWithoutOverlap();
    void certificateFindings();
    void inspectionRules_data();
    void inspectionRules();

private:
    crypto::ChainReport verify(const QString& file, const QString& host, const QDateTime& now);
    FixtureDir m_dir;
    TestPki m_pki;
};

void TestFindings::initTestCase()
{
    QVERIFY(CipherSuiteRegistry::instance().loadError().isEmpty());
    QVERIFY(suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") != 0);
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
}

crypto::ChainReport TestFindings::verify(const QString& file, const QString& host,
                                         const QDateTime& now)
{
    crypto::ChainInput in;
    in.served = crypto::CertificateReader::readFile(file)->certificates;
    in.host = host;
    auto trust = crypto::TrustStore::fromFile(m_pki.rootCert);
    return crypto::ChainVerifier::verify(in, *trust, now);
}

void TestFindings::cleanModernServer()
{
    const ProbeResult r = modern();
    FindingInputs in;
    in.probe = &r;
    const QList<Finding> f = assessEndpoint(in);
    QVERIFY2(f.isEmpty(), qPrintable(codes(f).join(u' ')));
    QCOMPARE(gradeEndpoint(f).letter, QStringLiteral("A"));
    QCOMPARE(gradeEndpoint(f, true).letter, QStringLiteral("A+"));
    QVERIFY(gradeEndpoint(f).capped.isEmpty());
}

void TestFindings::rules_data()
{
    QTest::addColumn<int>("change");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("severity");
    QTest::addColumn<QString>("grade");
    QTest::newRow("TLS 1.0") << 0 << "protocol.tls10"
                             << "warning"
                             << "B";
    QTest::newRow("TLS 1.1") << 1 << "protocol.tls11"
                             << "warning"
                             << "B";
    QTest::newRow("SSLv3") << 2 << "protocol.sslv3"
                           << "critical"
                           << "F";
    QTest::newRow("no TLS 1.3") << 3 << "protocol.no-tls13"
                                << "info"
                                << "A-";
    QTest::newRow("3DES") << 4 << "cipher.weak"
                          << "warning"
                          << "C";
    QTest::newRow("RC4") << 5 << "cipher.insecure"
                         << "critical"
                         << "F";
    QTest::newRow("static RSA") << 6 << "cipher.no-forward-secrecy"
                                << "warning"
                                << "B";
    QTest::newRow("DH 1024") << 7 << "kex.dh-small"
                             << "warning"
                             << "B";
    QTest::newRow("DH 512") << 8 << "kex.dh-tiny"
                            << "critical"
                            << "F";
    QTest::newRow("renegotiation") << 9 << "renegotiation.insecure"
                                   << "warning"
                                   << "C";
    QTest::newRow("compression") << 10 << "compression.enabled"
                                 << "critical"
                                 << "F";
}

void TestFindings::rules()
{
    QFETCH(int, change);
    QFETCH(QString, code);
    QFETCH(QString, severity);
    QFETCH(QString, grade);
    ProbeResult r = modern();
    ProtocolProbe& t12 = entry(r, TlsVersion::Tls12);
    switch (change) {
    case 0:
        entry(r, TlsVersion::Tls10) =
            accepted(TlsVersion::Tls10, {suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")});
        break;
    case 1:
        entry(r, TlsVersion::Tls11) =
            accepted(TlsVersion::Tls11, {suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")});
        break;
    case 2:
        entry(r, TlsVersion::Ssl3) =
            accepted(TlsVersion::Ssl3, {suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")});
        break;
    case 3:
        entry(r, TlsVersion::Tls13) = refused(TlsVersion::Tls13);
        break;
    case 4:
        t12.suites << suite("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA");
        break;
    case 5:
        t12.suites << suite("TLS_RSA_WITH_RC4_128_SHA");
        break;
    case 6:
        t12.suites << suite("TLS_RSA_WITH_AES_128_GCM_SHA256");
        break;
    case 7:
        t12.suites << suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
        r.dhBits = 1024;
        break;
    case 8:
        t12.suites << suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
        r.dhBits = 512;
        break;
    case 9:
        t12.secureRenegotiation = false;
        break;
    case 10:
        t12.compression = 1;
        break;
    }
    FindingInputs in;
    in.probe = &r;
    const QList<Finding> f = assessEndpoint(in);
    const auto it =
        std::find_if(f.cbegin(), f.cend(), [&](const Finding& x) { return x.code == code; });
    QVERIFY2(it != f.cend(), qPrintable(codes(f).join(u' ')));
    QCOMPARE(findingSeverityName(it->severity), severity);
    QVERIFY(!it->title.isEmpty() && !it->evidence.isEmpty() && !it->remediation.isEmpty());
    const Grade g = gradeEndpoint(f, true); // HSTS never lifts a capped grade
    QCOMPARE(g.letter, grade);
    QVERIFY2(g.capped.join(u'|').contains(grade + QStringLiteral(": ") + code),
             qPrintable(g.capped.join(u'|')));
    // Most severe first.
    for (qsizetype i = 1; i < f.size(); ++i) {
        QVERIFY(f.at(i - 1).severity >= f.at(i).severity);
    }
}

void TestFindings::unreachableIsNamed()
{
    ProbeResult r;
    r.host = QStringLiteral("down.example.test");
    r.port = 443;
    r.errors << ProbeFailure{ProbeFailureKind::Timeout,
                             QStringLiteral("connect"),
                             QStringLiteral("no answer within 5000 ms"),
                             {}};
    FindingInputs in;
    in.probe = &r;
    QList<Finding> f = assessEndpoint(in);
    QCOMPARE(codes(f), QStringList{QStringLiteral("unreachable.timeout")});
    QVERIFY(f.first().evidence.contains(QLatin1String("no answer within 5000 ms")));
    QCOMPARE(gradeEndpoint(f).letter, QStringLiteral("F"));
    r.errors.first().kind = ProbeFailureKind::Refused;
    f = assessEndpoint(in);
    QCOMPARE(codes(f), QStringList{QStringLiteral("unreachable.refused")});
}

void TestFindings::clientWithoutOverlap()
{
    const ProbeResult r = modern();
    FindingInputs in;
    in.probe = &r;
    ClientProfile oldJava{
        QStringLiteral("Java 6"), {TlsVersion::Tls10}, {suite("TLS_RSA_WITH_AES_128_CBC_SHA")}};
    in.client = oldJava;
    QList<Finding> f = assessEndpoint(in);
    QCOMPARE(codes(f), QStringList{QStringLiteral("client.no-overlap")});
    QVERIFY(f.first().title.startsWith(QLatin1String("Java 6 cannot connect")));
    // A client that speaks TLS 1.2 with one shared suite is fine.
    in.client = ClientProfile{QStringLiteral("curl"),
                              {TlsVersion::Tls12},
                              {suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")}};
    QVERIFY(assessEndpoint(in).isEmpty());
}

void TestFindings::certificateFindings()
{
    const ProbeResult r = modern();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    FindingInputs in;
    in.probe = &r;
    in.now = now;

    auto chain = verify(m_pki.good.fullchain, QStringLiteral("localhost"), now);
    in.chain = &chain;
    QVERIFY2(assessEndpoint(in).isEmpty(), qPrintable(codes(assessEndpoint(in)).join(u' ')));

    chain = verify(m_pki.expired.fullchain, QStringLiteral("localhost"), now);
    QVERIFY(codes(assessEndpoint(in)).contains(QStringLiteral("cert.expired")));

    // Expiring: the good leaf judged 80 days from now (it lasts 90).
    in.now = now.addDays(80);
    chain = verify(m_pki.good.fullchain, QStringLiteral("localhost"), in.now);
    QList<Finding> f = assessEndpoint(in);
    QVERIFY2(codes(f).contains(QStringLiteral("cert.expiring")), qPrintable(codes(f).join(u' ')));
    QCOMPARE(gradeEndpoint(f).letter, QStringLiteral("A")); // an alert, not a cap
    in.now = now;

    // Not yet valid by 10 minutes: the remedy points at the clocks first.
    TestPki::LeafSpec soon;
    soon.name = QStringLiteral("soon");
    soon.notBefore = now.addSecs(600);
    const TestPki::Leaf early = m_pki.issue(soon);
    chain = verify(early.fullchain, QStringLiteral("localhost"), now);
    f = assessEndpoint(in);
    const auto nyv = std::find_if(f.cbegin(), f.cend(), [](const Finding& x) {
        return x.code == QLatin1String("cert.not-yet-valid");
    });
    QVERIFY(nyv != f.cend());
    QVERIFY2(nyv->remediation.contains(QLatin1String("clock")), qPrintable(nyv->remediation));

    chain = verify(m_pki.good.cert, QStringLiteral("localhost"), now); // cert.pem only
    f = assessEndpoint(in);
    QVERIFY2(codes(f).contains(QStringLiteral("chain.incomplete")),
             qPrintable(codes(f).join(u' ')));
    QVERIFY(!codes(f).contains(QStringLiteral("chain.untrusted")));
    QVERIFY(f.first().remediation.contains(QLatin1String("fullchain.pem")));

    chain = verify(m_pki.good.fullchain, QStringLiteral("other.example.test"), now);
    QVERIFY(codes(assessEndpoint(in)).contains(QStringLiteral("cert.hostname-mismatch")));

    // Against the system store, the test PKI is nobody's authority.
    crypto::ChainInput unknown;
    unknown.served = crypto::CertificateReader::readFile(m_pki.good.fullchain)->certificates;
    unknown.host = QStringLiteral("localhost");
    auto empty = crypto::TrustStore::fromCertificates({}, QStringLiteral("no anchors"));
    QVERIFY(empty.has_value());
    chain = crypto::ChainVerifier::verify(unknown, *empty, now);
    f = assessEndpoint(in);
    QVERIFY2(codes(f).contains(QStringLiteral("chain.untrusted")), qPrintable(codes(f).join(u' ')));
    QCOMPARE(gradeEndpoint(f).letter, QStringLiteral("F"));

    // A chain refused for another reason (an RSA-1024 leaf) is never graded
    // as if it were fine: chain.invalid names the verifier's reason.
    TestPki::LeafSpec weakSpec;
    weakSpec.name = QStringLiteral("weak1024");
    weakSpec.keyType = TestPki::KeyType::Rsa1024;
    const TestPki::Leaf weak = m_pki.issue(weakSpec);
    QVERIFY2(!weak.name.isEmpty(), qPrintable(m_pki.errorString()));
    chain = verify(weak.fullchain, QStringLiteral("localhost"), now);
    QVERIFY(!chain.trusted);
    f = assessEndpoint(in);
    QVERIFY2(codes(f).contains(QStringLiteral("chain.invalid")), qPrintable(codes(f).join(u' ')));
    const auto invalid = std::find_if(f.cbegin(), f.cend(), [](const Finding& x) {
        return x.code == QLatin1String("chain.invalid");
    });
    QVERIFY2(invalid->evidence.contains(QLatin1String("1024")), qPrintable(invalid->evidence));
    QCOMPARE(gradeEndpoint(f).letter, QStringLiteral("F"));
    // An expired leaf is explained by cert.expired alone.
    chain = verify(m_pki.expired.fullchain, QStringLiteral("localhost"), now);
    QVERIFY(!codes(assessEndpoint(in)).contains(QStringLiteral("chain.invalid")));
}

namespace {

// A clean inspection: staple good and signed, resumption works, h2, HSTS
// for two years.
TlsInspection cleanInspection(const QDateTime& now)
{
    TlsInspection in;
    in.handshakeOk = true;
    in.protocol = QStringLiteral("TLSv1.3");
    in.staple.requested = in.staple.present = true;
    in.staple.status = StapleStatus::Good;
    in.staple.signatureValid = true;
    in.staple.thisUpdate = now.addSecs(-3600);
    in.staple.nextUpdate = now.addDays(3);
    in.resumption.tls13Psk = {ResumptionOutcome::Resumed, {}};
    in.alpn = {{QStringLiteral("http/1.1"), true, true}, {QStringLiteral("h2"), true, true}};
    in.http.tested = in.http.answered = true;
    in.http.statusLine = QStringLiteral("HTTP/1.1 200 OK");
    in.http.hsts = parseHstsHeader("max-age=63072000; includeSubDomains");
    return in;
}

} // namespace

void TestFindings::inspectionRules_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("code"); // empty: none
    QTest::addColumn<QString>("severity");
    QTest::addColumn<QString>("grade");
    QTest::newRow("clean") << QString() << QString() << QString() << QStringLiteral("A+");
    QTest::newRow("no hsts") << QStringLiteral("hsts-none") << QStringLiteral("hsts.missing")
                             << QStringLiteral("info") << QStringLiteral("A");
    QTest::newRow("short hsts") << QStringLiteral("hsts-short") << QStringLiteral("hsts.short")
                                << QStringLiteral("info") << QStringLiteral("A");
    QTest::newRow("malformed hsts")
        << QStringLiteral("hsts-bad") << QStringLiteral("hsts.malformed")
        << QStringLiteral("warning") << QStringLiteral("A");
    QTest::newRow("no staple") << QStringLiteral("staple-none") << QStringLiteral("ocsp.no-staple")
                               << QStringLiteral("info") << QStringLiteral("A+");
    QTest::newRow("revoked") << QStringLiteral("staple-revoked")
                             << QStringLiteral("ocsp.staple-revoked") << QStringLiteral("critical")
                             << QStringLiteral("F");
    QTest::newRow("bad signature")
        << QStringLiteral("staple-badsig") << QStringLiteral("ocsp.staple-invalid")
        << QStringLiteral("warning") << QStringLiteral("A-");
    QTest::newRow("expiring staple")
        << QStringLiteral("staple-expiring") << QStringLiteral("ocsp.staple-expiring")
        << QStringLiteral("info") << QStringLiteral("A+");
    QTest::newRow("no resumption")
        << QStringLiteral("resume-none") << QStringLiteral("resumption.none")
        << QStringLiteral("info") << QStringLiteral("A+");
    QTest::newRow("no h2") << QStringLiteral("no-h2") << QStringLiteral("alpn.no-h2")
                           << QStringLiteral("info") << QStringLiteral("A+");
    QTest::newRow("preload without subdomains")
        << QStringLiteral("preload-bad") << QStringLiteral("hsts.preload-ineligible")
        << QStringLiteral("info") << QStringLiteral("A+");
}

void TestFindings::inspectionRules()
{
    QFETCH(QString, change);
    QFETCH(QString, code);
    QFETCH(QString, severity);
    QFETCH(QString, grade);
    const QDateTime now(QDate(2026, 6, 1), QTime(12, 0), Qt::UTC);
    TlsInspection in = cleanInspection(now);
    if (change == QLatin1String("hsts-none")) {
        in.http.hsts = {};
    } else if (change == QLatin1String("hsts-short")) {
        in.http.hsts = parseHstsHeader("max-age=86400");
    } else if (change == QLatin1String("hsts-bad")) {
        in.http.hsts = parseHstsHeader("max-age=1; max-age=2");
    } else if (change == QLatin1String("staple-none")) {
        in.staple = {};
        in.staple.requested = true;
    } else if (change == QLatin1String("staple-revoked")) {
        in.staple.status = StapleStatus::Revoked;
        in.staple.revocationReason = QStringLiteral("keyCompromise");
    } else if (change == QLatin1String("staple-badsig")) {
        in.staple.signatureValid = false;
        in.staple.problems << QStringLiteral("the signature does not verify");
    } else if (change == QLatin1String("staple-expiring")) {
        in.staple.nextUpdate = now.addSecs(3600);
    } else if (change == QLatin1String("resume-none")) {
        in.resumption.tls13Psk = {ResumptionOutcome::NotResumed, QStringLiteral("full")};
        in.resumption.sessionId = {ResumptionOutcome::NoSession, QStringLiteral("no ID")};
    } else if (change == QLatin1String("no-h2")) {
        in.alpn[1].accepted = false;
    } else if (change == QLatin1String("preload-bad")) {
        in.http.hsts = parseHstsHeader("max-age=63072000; preload");
    }
    const ProbeResult r = modern();
    FindingInputs fi;
    fi.probe = &r;
    fi.inspection = &in;
    fi.now = now;
    const QList<Finding> f = assessEndpoint(fi);
    if (code.isEmpty()) {
        QVERIFY2(f.isEmpty(), qPrintable(codes(f).join(u' ')));
    } else {
        QCOMPARE(codes(f), QStringList{code});
        QCOMPARE(findingSeverityName(f.first().severity), severity);
        QVERIFY(!f.first().evidence.isEmpty());
        QVERIFY(!f.first().remediation.isEmpty());
    }
    QCOMPARE(gradeEndpoint(f, hstsLongEnough(&in)).letter, grade);
}

QTEST_GUILESS_MAIN(TestFindings)
#include "test_findings.moc"
