// SPDX-License-Identifier: GPL-3.0-or-later
// ChainVerifier against the test PKI, each verdict checked against the oracle
// `openssl verify -x509_strict -purpose sslserver -verify_hostname H` on the
// same files. The oracle also gets -auth_level 2: at OpenSSL's default level
// `openssl verify` accepts RSA-1024 keys and SHA-1 signatures, which CertDeck
// (like every browser) rejects.
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/ChainVerifier.h"
#include "crypto/internal/PemBlocks.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>
#include <openssl/crypto.h>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

Q_DECLARE_METATYPE(certdeck::crypto::LinkProblem)
Q_DECLARE_METATYPE(certdeck::crypto::ServedProblem)
Q_DECLARE_METATYPE(QList<certdeck::crypto::ServedProblem>)

namespace {

QList<Certificate> load(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    auto certs = internal::readCertificates(f.readAll(), path);
    return certs ? *certs : QList<Certificate>{};
}

bool hasFinding(const ChainLink& link, LinkProblem p)
{
    for (const LinkFinding& f : link.findings) {
        if (f.problem == p) {
            return true;
        }
    }
    return false;
}

QString describe(const ChainReport& r)
{
    QString s = r.summary + u'\n';
    for (const ChainLink& l : r.built) {
        s += QStringLiteral("  %1 %2\n").arg(severityName(l.verdict()), l.certificate.subject());
        for (const LinkFinding& f : l.findings) {
            s += QStringLiteral("    - %1 [%2]\n").arg(f.message, f.detail);
        }
    }
    for (const ServedFinding& f : r.servedFindings) {
        s += QStringLiteral("  served: %1\n").arg(f.message);
    }
    return s;
}

} // namespace

class TestChainVerifier : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void agreesWithOpenssl_data();
    void agreesWithOpenssl();
    void plainWordsMessages();
    void emptyServedChain();
    void trustStoreMatters();
    void threadSafe();

private:
    struct Oracle
    {
        bool ok = false;
        QString output;
    };
    Oracle oracle(const ChainReport& r, const ChainInput& in, const QDateTime& at);
    QString file(const QString& name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    TestPki m_pki;
    TrustStore m_trust;
    QDateTime m_now;
    bool makeExpiredIntermediate();

    QString m_longLived, m_sha1, m_rsa1024, m_soon, m_selfSigned, m_badSig;
    QString m_expiredInt, m_expiredIntLeaf, m_ncInt, m_ncLeaf;
};

void TestChainVerifier::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    m_now = QDateTime::currentDateTimeUtc();
    TestPki::LeafSpec s;
    s.name = QStringLiteral("longlived"); // outlives the intermediate (1825 days)
    s.notAfter = m_now.addDays(2000);
    m_longLived = m_pki.issue(s).cert;
    s = {};
    s.name = QStringLiteral("sha1");
    s.digest = QStringLiteral("sha1");
    m_sha1 = m_pki.issue(s).cert;
    s = {};
    s.name = QStringLiteral("rsa1024");
    s.keyType = TestPki::KeyType::Rsa1024;
    m_rsa1024 = m_pki.issue(s).cert;
    s = {};
    s.name = QStringLiteral("soon");
    s.notAfter = m_now.addDays(5).addSecs(3600);
    m_soon = m_pki.issue(s).cert;
    for (const QString& f : {m_longLived, m_sha1, m_rsa1024, m_soon}) {
        QVERIFY2(!f.isEmpty(), qPrintable(m_pki.errorString()));
    }

    m_selfSigned = file(QStringLiteral("selfsigned.pem"));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                      QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                      QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                      QStringLiteral("-keyout"), file(QStringLiteral("selfsigned.key")),
                      QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
                      QStringLiteral("-addext"), QStringLiteral("subjectAltName=DNS:localhost"),
                      QStringLiteral("-days"), QStringLiteral("30"), QStringLiteral("-out"),
                      m_selfSigned},
                     &out),
             0);

    // A leaf whose signature no longer matches: the last byte of its DER is
    // the end of the ECDSA signature's s value.
    QByteArray der = load(m_pki.good.cert).value(0).toDer();
    QVERIFY(!der.isEmpty());
    der[der.size() - 1] = static_cast<char>(der.at(der.size() - 1) ^ 0x55);
    auto tampered = Certificate::fromDer(der);
    QVERIFY(tampered.has_value());
    m_badSig = file(QStringLiteral("badsig.pem"));
    QFile f(m_badSig);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(tampered->toPem());
    f.close();

    QVERIFY(makeExpiredIntermediate());

    auto trust = TrustStore::fromFile(m_pki.rootCert);
    QVERIFY2(trust.has_value(), trust ? "" : qPrintable(trust.error().toString()));
    m_trust = *trust;
}

// A second intermediate under the same root that expired 10 days ago, and a
// leaf it issued that is valid today: made with `openssl ca` (which can
// backdate) from a CA config for the root, kept in this test.
bool TestChainVerifier::makeExpiredIntermediate()
{
    QDir(m_dir.path()).mkpath(QStringLiteral("rootca/newcerts"));
    const QString caDir = file(QStringLiteral("rootca"));
    QFile index(caDir + QStringLiteral("/index.txt"));
    QFile serial(caDir + QStringLiteral("/serial"));
    QFile cnf(file(QStringLiteral("rootca.cnf")));
    QFile leafExt(file(QStringLiteral("eileaf.ext")));
    if (!index.open(QIODevice::WriteOnly) || !serial.open(QIODevice::WriteOnly) ||
        !cnf.open(QIODevice::WriteOnly) || !leafExt.open(QIODevice::WriteOnly)) {
        return false;
    }
    serial.write("2000\n");
    cnf.write("[ ca ]\ndefault_ca = R\n[ R ]\ndir = " + caDir.toUtf8() +
              "\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/newcerts\nserial = "
              "$dir/serial\ncertificate = " +
              m_pki.rootCert.toUtf8() + "\nprivate_key = " + m_pki.rootKey.toUtf8() +
              "\ndefault_md = sha256\npolicy = p\nunique_subject = no\ncopy_extensions = "
              "none\n[ p ]\ncommonName = supplied\norganizationName = optional\n"
              "[ v3_int ]\nbasicConstraints = critical,CA:TRUE,pathlen:0\n"
              "keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n"
              "authorityKeyIdentifier = keyid:always\n"
              "[ v3_nc ]\nbasicConstraints = critical,CA:TRUE,pathlen:0\n"
              "keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n"
              "authorityKeyIdentifier = keyid:always\n"
              "nameConstraints = critical,permitted;DNS:.example.com\n");
    leafExt.write("basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n"
                  "extendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost\n"
                  "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n");
    index.close();
    serial.close();
    cnf.close();
    leafExt.close();
    const auto asn1 = [](const QDateTime& t) {
        return t.toUTC().toString(QStringLiteral("yyMMddHHmmss")) + u'Z';
    };
    const auto tool = [](const QStringList& args) {
        QByteArray out;
        const int rc = runTool(QStringLiteral("openssl"), args, &out);
        if (rc != 0) {
            qWarning("openssl %s: %s", qPrintable(args.join(u' ')), out.constData());
        }
        return rc == 0;
    };
    m_expiredInt = file(QStringLiteral("expint.pem"));
    m_expiredIntLeaf = file(QStringLiteral("expint-leaf.pem"));
    const QStringList ec{QStringLiteral("-algorithm"), QStringLiteral("EC"),
                         QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256")};
    // `intermediate` (issued by the root with `extensions`, valid from
    // `from` to `to`) and a localhost leaf it issued, valid today.
    const auto makePair = [&](const QString& stem, const QString& extensions, const QDateTime& from,
                              const QDateTime& to, const QString& intPem, const QString& leafPem) {
        const QString k = file(stem + QStringLiteral(".key"));
        const QString lk = file(stem + QStringLiteral("-leaf.key"));
        const QString csr = file(stem + QStringLiteral(".csr"));
        const QString lcsr = file(stem + QStringLiteral("-leaf.csr"));
        return tool(QStringList{QStringLiteral("genpkey"), QStringLiteral("-out"), k} + ec) &&
               tool({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"), k,
                     QStringLiteral("-subj"),
                     QStringLiteral("/O=CertDeck Tests/CN=CertDeck %1").arg(stem),
                     QStringLiteral("-out"), csr}) &&
               tool({QStringLiteral("ca"), QStringLiteral("-batch"), QStringLiteral("-config"),
                     cnf.fileName(), QStringLiteral("-in"), csr, QStringLiteral("-out"), intPem,
                     QStringLiteral("-notext"), QStringLiteral("-extfile"), cnf.fileName(),
                     QStringLiteral("-extensions"), extensions, QStringLiteral("-startdate"),
                     asn1(from), QStringLiteral("-enddate"), asn1(to)}) &&
               tool(QStringList{QStringLiteral("genpkey"), QStringLiteral("-out"), lk} + ec) &&
               tool({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"), lk,
                     QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
                     QStringLiteral("-out"), lcsr}) &&
               tool({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), lcsr,
                     QStringLiteral("-CA"), intPem, QStringLiteral("-CAkey"), k,
                     QStringLiteral("-set_serial"), QStringLiteral("0x3000"),
                     QStringLiteral("-days"), QStringLiteral("30"), QStringLiteral("-sha256"),
                     QStringLiteral("-extfile"), leafExt.fileName(), QStringLiteral("-out"),
                     leafPem});
    };
    m_ncInt = file(QStringLiteral("ncint.pem"));
    m_ncLeaf = file(QStringLiteral("ncint-leaf.pem"));
    return makePair(QStringLiteral("Expired Intermediate"), QStringLiteral("v3_int"),
                    m_now.addDays(-100), m_now.addDays(-10), m_expiredInt, m_expiredIntLeaf) &&
           makePair(QStringLiteral("Constrained Intermediate"), QStringLiteral("v3_nc"),
                    m_now.addDays(-1), m_now.addDays(300), m_ncInt, m_ncLeaf);
}

TestChainVerifier::Oracle TestChainVerifier::oracle(const ChainReport& r, const ChainInput& in,
                                                    const QDateTime& at)
{
    // Same inputs: the leaf we found, everything else as untrusted candidates.
    static int n = 0;
    const QString leaf = file(QStringLiteral("oracle-leaf-%1.pem").arg(++n));
    const QString untrusted = file(QStringLiteral("oracle-untrusted-%1.pem").arg(n));
    QFile lf(leaf);
    QFile uf(untrusted);
    if (r.built.isEmpty() || !lf.open(QIODevice::WriteOnly) || !uf.open(QIODevice::WriteOnly)) {
        return {};
    }
    lf.write(r.built.first().certificate.toPem());
    bool anyUntrusted = false;
    for (const Certificate& c : in.served + in.extra) {
        if (!(c == r.built.first().certificate)) {
            uf.write(c.toPem());
            anyUntrusted = true;
        }
    }
    lf.close();
    uf.close();
    QStringList args{QStringLiteral("verify"),      QStringLiteral("-x509_strict"),
                     QStringLiteral("-purpose"),    QStringLiteral("sslserver"),
                     QStringLiteral("-auth_level"), QStringLiteral("2"),
                     QStringLiteral("-attime"),     QString::number(at.toSecsSinceEpoch()),
                     QStringLiteral("-CAfile"),     m_pki.rootCert};
    if (!in.host.isEmpty()) {
        const bool ip = in.host.front().isDigit();
        args << (ip ? QStringLiteral("-verify_ip") : QStringLiteral("-verify_hostname")) << in.host;
    }
    if (anyUntrusted) {
        args << QStringLiteral("-untrusted") << untrusted;
    }
    args << leaf;
    QByteArray out;
    const int rc = runTool(QStringLiteral("openssl"), args, &out);
    return {rc == 0, QString::fromUtf8(out)};
}

void TestChainVerifier::agreesWithOpenssl_data()
{
    QTest::addColumn<QStringList>("servedFiles");
    QTest::addColumn<QStringList>("extraFiles");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("daysAhead");
    QTest::addColumn<bool>("detectLeaf");
    QTest::addColumn<bool>("trusted");
    QTest::addColumn<int>("depth");
    QTest::addColumn<LinkProblem>("problem");
    QTest::addColumn<QString>("opensslSays");
    QTest::addColumn<QList<ServedProblem>>("served");

    const QString localhost = QStringLiteral("localhost");
    const QString ok = QStringLiteral(": OK");
    const QString i = QStringLiteral("INT");
    const QString root = QStringLiteral("ROOT");
    using SP = QList<ServedProblem>;
    // depth -1: no link finding expected.
    QTest::newRow("good") << QStringList{m_pki.good.cert, i} << QStringList{} << localhost << 0
                          << false << true << -1 << LinkProblem::Other << ok << SP{};
    QTest::newRow("expired leaf") << QStringList{m_pki.expired.cert, i} << QStringList{}
                                  << localhost << 0 << false << false << 0 << LinkProblem::Expired
                                  << QStringLiteral("certificate has expired") << SP{};
    QTest::newRow("expired intermediate, today")
        << QStringList{m_expiredIntLeaf, m_expiredInt} << QStringList{} << localhost << 0 << false
        << false << 1 << LinkProblem::Expired << QStringLiteral("certificate has expired") << SP{};
    QTest::newRow("name constraints")
        << QStringList{m_ncLeaf, m_ncInt} << QStringList{} << localhost << 0 << false << false << 0
        << LinkProblem::NameConstraints << QStringLiteral("permitted subtree violation") << SP{};
    QTest::newRow("expired intermediate, checked in 1900 days")
        << QStringList{m_longLived, i} << QStringList{} << localhost << 1900 << false << false << 1
        << LinkProblem::Expired << QStringLiteral("certificate has expired") << SP{};
    QTest::newRow("not yet valid")
        << QStringList{m_pki.notYetValid.cert, i} << QStringList{} << localhost << 0 << false
        << false << 0 << LinkProblem::NotYetValid << QStringLiteral("certificate is not yet valid")
        << SP{};
    QTest::newRow("wrong host") << QStringList{m_pki.wrongHost.cert, i} << QStringList{}
                                << localhost << 0 << false << false << 0
                                << LinkProblem::HostnameMismatch
                                << QStringLiteral("hostname mismatch") << SP{};
    QTest::newRow("leaf only, nothing to fetch from")
        << QStringList{m_pki.good.cert} << QStringList{} << localhost << 0 << false << false << 0
        << LinkProblem::UnknownIssuer << QStringLiteral("unable to get local issuer certificate")
        << SP{ServedProblem::MissingIntermediate};
    QTest::newRow("leaf only, intermediate fetched")
        << QStringList{m_pki.good.cert} << QStringList{i} << localhost << 0 << false << true << -1
        << LinkProblem::Other << ok << SP{ServedProblem::MissingIntermediate};
    QTest::newRow("wrong order") << QStringList{i, m_pki.good.cert} << QStringList{} << localhost
                                 << 0 << true << true << -1 << LinkProblem::Other << ok
                                 << SP{ServedProblem::WrongOrder};
    QTest::newRow("self-signed") << QStringList{m_selfSigned} << QStringList{} << localhost << 0
                                 << false << false << 0 << LinkProblem::SelfSignedUntrusted
                                 << QStringLiteral("self-signed certificate") << SP{};
    QTest::newRow("SHA-1 signed") << QStringList{m_sha1, i} << QStringList{} << localhost << 0
                                  << false << false << 0 << LinkProblem::Sha1Signature
                                  << QStringLiteral("CA signature digest algorithm too weak")
                                  << SP{};
    QTest::newRow("RSA-1024") << QStringList{m_rsa1024, i} << QStringList{} << localhost << 0
                              << false << false << 0 << LinkProblem::WeakKey
                              << QStringLiteral("EE certificate key too weak") << SP{};
    QTest::newRow("bad signature")
        << QStringList{m_badSig, i} << QStringList{} << localhost << 0 << false << false << 0
        << LinkProblem::BadSignature << QStringLiteral("certificate signature failure") << SP{};
    QTest::newRow("root, duplicate and unrelated served")
        << QStringList{m_pki.good.cert, i, i, root, m_pki.expired.cert} << QStringList{}
        << localhost << 0 << false << true << -1 << LinkProblem::Other << ok
        << SP{ServedProblem::Duplicate, ServedProblem::RootIncluded, ServedProblem::Unrelated};
    QTest::newRow("IP address") << QStringList{m_pki.good.cert, i} << QStringList{}
                                << QStringLiteral("127.0.0.1") << 0 << false << true << -1
                                << LinkProblem::Other << ok << SP{};
    QTest::newRow("wrong IP address")
        << QStringList{m_pki.good.cert, i} << QStringList{} << QStringLiteral("10.9.8.7") << 0
        << false << false << 0 << LinkProblem::HostnameMismatch
        << QStringLiteral("IP address mismatch") << SP{};
    QTest::newRow("expiring soon is a warning")
        << QStringList{m_soon, i} << QStringList{} << localhost << 0 << false << true << 0
        << LinkProblem::ExpiresSoon << ok << SP{};
}

void TestChainVerifier::agreesWithOpenssl()
{
    QFETCH(QStringList, servedFiles);
    QFETCH(QStringList, extraFiles);
    QFETCH(QString, host);
    QFETCH(int, daysAhead);
    QFETCH(bool, detectLeaf);
    QFETCH(bool, trusted);
    QFETCH(int, depth);
    QFETCH(LinkProblem, problem);
    QFETCH(QString, opensslSays);
    QFETCH(QList<ServedProblem>, served);

    const auto resolve = [this](const QStringList& files) {
        QList<Certificate> out;
        for (const QString& f : files) {
            const QString path = f == QLatin1String("INT")    ? m_pki.intermediateCert
                                 : f == QLatin1String("ROOT") ? m_pki.rootCert
                                                              : f;
            const QList<Certificate> certs = load(path);
            out += certs;
        }
        return out;
    };
    ChainInput in;
    in.served = resolve(servedFiles);
    in.extra = resolve(extraFiles);
    QCOMPARE(in.served.size(), servedFiles.size());
    in.host = host;
    ChainVerifyOptions opt;
    opt.leafPosition = detectLeaf ? ChainVerifyOptions::LeafPosition::Detect
                                  : ChainVerifyOptions::LeafPosition::First;
    const QDateTime at = QDateTime::currentDateTimeUtc().addDays(daysAhead);
    const ChainReport r = ChainVerifier::verify(in, m_trust, at, opt);
    const QString got = describe(r);

    const Oracle o = oracle(r, in, at);
    QVERIFY2(o.output.contains(opensslSays), qPrintable(o.output));
    QCOMPARE(o.ok, trusted);
    QVERIFY2(r.trusted == trusted, qPrintable(got));
    QVERIFY2(!r.summary.isEmpty(), qPrintable(got));
    if (depth >= 0) {
        QVERIFY2(depth < r.built.size(), qPrintable(got));
        QVERIFY2(hasFinding(r.built[depth], problem), qPrintable(got));
    } else {
        for (const ChainLink& l : r.built) {
            QVERIFY2(l.findings.isEmpty(), qPrintable(got));
        }
    }
    QList<ServedProblem> gotServed;
    for (const ServedFinding& f : r.servedFindings) {
        gotServed << f.problem;
    }
    QCOMPARE(gotServed, served);
    if (trusted) {
        QVERIFY2(r.built.size() == 3, qPrintable(got));
        QCOMPARE(r.built.last().role, ChainLink::Role::Anchor);
        QCOMPARE(r.built.last().source, ChainLink::Source::TrustStore);
        QCOMPARE(r.built.last().certificate.commonName(), QStringLiteral("CertDeck Test Root"));
        QCOMPARE(r.built.at(1).source,
                 extraFiles.isEmpty() ? ChainLink::Source::Served : ChainLink::Source::Aia);
        QVERIFY2(r.summary.startsWith(QStringLiteral("Trusted chain to CertDeck Test Root")),
                 qPrintable(got));
    } else {
        QVERIFY2(r.summary.startsWith(QStringLiteral("Not trusted: ")), qPrintable(got));
        QCOMPARE(r.verdict(), Severity::Error);
    }
    for (const ChainLink& l : r.built) {
        QCOMPARE(l.revocation, RevocationStatus::NotChecked);
    }
}

void TestChainVerifier::plainWordsMessages()
{
    const QList<Certificate> in0 = load(m_pki.expired.cert);
    ChainInput in;
    in.served = in0 + load(m_pki.intermediateCert);
    in.host = QStringLiteral("localhost");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    ChainReport r = ChainVerifier::verify(in, m_trust, now);
    const QString expiredOn = in0.first().notAfter().toString(QStringLiteral("yyyy-MM-dd"));
    QCOMPARE(r.built.first().findings.first().message,
             QStringLiteral("Expired 10 days ago, on %1 UTC").arg(expiredOn));
    QVERIFY(r.summary.contains(QStringLiteral("Expired 10 days ago")));

    in.served = load(m_pki.wrongHost.cert) + load(m_pki.intermediateCert);
    r = ChainVerifier::verify(in, m_trust, now);
    QCOMPARE(r.built.first().findings.first().message,
             QStringLiteral("Not valid for localhost: the certificate names DNS:wrong.example"));

    in.served = load(m_rsa1024) + load(m_pki.intermediateCert);
    r = ChainVerifier::verify(in, m_trust, now);
    QVERIFY2(r.built.first().findings.first().message.contains(QStringLiteral("RSA 1024 bits")),
             qPrintable(describe(r)));

    in.served = load(m_pki.notYetValid.cert) + load(m_pki.intermediateCert);
    r = ChainVerifier::verify(in, m_trust, now);
    QVERIFY2(r.built.first().findings.first().message.contains(QStringLiteral("in 9 days")) ||
                 r.built.first().findings.first().message.contains(QStringLiteral("in 10 days")),
             qPrintable(describe(r)));

    in.served = load(m_pki.good.cert);
    in.aiaErrors = {QStringLiteral("fetching http://127.0.0.1:9/int.der failed: refused")};
    r = ChainVerifier::verify(in, m_trust, now);
    QVERIFY2(r.built.first().findings.first().message.contains(QStringLiteral("refused")),
             qPrintable(describe(r)));
    QVERIFY2(r.servedFindings.first().message.contains(
                 QStringLiteral("the server sends cert.pem instead of fullchain.pem")),
             qPrintable(describe(r)));
}

void TestChainVerifier::emptyServedChain()
{
    const ChainReport r = ChainVerifier::verify({}, m_trust, QDateTime::currentDateTimeUtc());
    QVERIFY(!r.trusted);
    QVERIFY(r.built.isEmpty());
    QCOMPARE(r.servedFindings.size(), 1);
    QCOMPARE(r.servedFindings.first().problem, ServedProblem::Empty);
    QCOMPARE(r.verdict(), Severity::Error);
}

void TestChainVerifier::trustStoreMatters()
{
    // The same good chain is not trusted by an empty store or by the system's.
    ChainInput in;
    in.served = load(m_pki.good.fullchain);
    in.host = QStringLiteral("localhost");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(ChainVerifier::verify(in, m_trust, now).trusted);
    const ChainReport none = ChainVerifier::verify(in, TrustStore(), now);
    QVERIFY(!none.trusted);
    QCOMPARE(none.built.size(), 2);
    QVERIFY(hasFinding(none.built.last(), LinkProblem::UnknownIssuer));
    // An intermediate that is served but unknown upstream is no missing intermediate.
    QVERIFY(none.servedFindings.isEmpty());
    auto system = TrustStore::system();
    if (system) {
        QVERIFY(!ChainVerifier::verify(in, *system, now).trusted);
    }
    // Given the root as served and trusted, it is an anchor and also included.
    in.served += load(m_pki.rootCert);
    const ChainReport withRoot = ChainVerifier::verify(in, m_trust, now);
    QVERIFY(withRoot.trusted);
    QCOMPARE(withRoot.built.last().source, ChainLink::Source::TrustStore);
    QCOMPARE(withRoot.servedFindings.size(), 1);
    QCOMPARE(withRoot.servedFindings.first().severity, Severity::Info);
}

void TestChainVerifier::threadSafe()
{
    // One TrustStore shared by many threads gives the same verdicts.
    ChainInput good;
    good.served = load(m_pki.good.fullchain);
    good.host = QStringLiteral("localhost");
    ChainInput expired;
    expired.served = load(m_pki.expired.fullchain);
    expired.host = QStringLiteral("localhost");
    QList<ChainInput> inputs;
    for (int n = 0; n < 200; ++n) {
        inputs << (n % 2 == 0 ? good : expired);
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const TrustStore trust = m_trust;
    const QList<bool> verdicts =
        QtConcurrent::blockingMapped(inputs, [trust, now](const ChainInput& in) {
            const bool trusted = ChainVerifier::verify(in, trust, now).trusted;
            // Pool threads outlive the test: free OpenSSL's per-thread state
            // as product workers do (LeakSanitizer in the dev preset).
            OPENSSL_thread_stop();
            return trusted;
        });
    for (int n = 0; n < verdicts.size(); ++n) {
        QCOMPARE(verdicts[n], n % 2 == 0);
    }
}

QTEST_GUILESS_MAIN(TestChainVerifier)
#include "test_chainverifier.moc"
