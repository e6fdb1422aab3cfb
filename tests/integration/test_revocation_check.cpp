// SPDX-License-Identifier: GPL-3.0-or-later
// RevocationCheck over chains built by ChainVerifier, with leaves whose AIA
// OCSP and CRL distribution points point at a real `openssl ocsp` responder
// and a loopback HTTP server (their ports known before the leaves exist).
#include "HttpFileServer.h"
#include "OcspFixture.h"
#include "PeerProcess.h"
#include "RevocationPeers.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "crypto/ChainVerifier.h"
#include "revocation/RevocationCache.h"
#include "revocation/RevocationCheck.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::revocation;
using namespace certdeck::test;

namespace {

const LinkFinding* findingOf(const ChainLink& link, LinkProblem problem)
{
    for (const LinkFinding& f : link.findings) {
        if (f.problem == problem) {
            return &f;
        }
    }
    return nullptr;
}

} // namespace

class TestRevocationCheck : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void goodLeaf();
    void revokedLeafMakesTheChainUntrusted();
    void responderDownFallsBackToCrl();
    void nothingReachableIsUnknown();
    void forgedAnswerIsAnError();
    void stapleIsUsedWithoutFetching();
    void badStapleIsNotTrustedAndFetches();
    void noUrlsStayNotChecked();
    void turnedOff();
    void cancelEndsAtOnce();

private:
    ChainReport chainOf(const TestPki::Leaf& leaf) const;
    ChainReport run(const ChainReport& chain, RevocationOptions options = {},
                    Status* status = nullptr);
    TestPki::Leaf issue(const QString& name, bool revoke, std::optional<QString> ocsp,
                        std::optional<QString> crl);

    FixtureDir m_dir;
    OcspFixture m_ocsp;
    HttpFileServer m_http;
    TestPki m_pki;
    TrustStore m_trust;
    QString m_downUrl;
};

void TestRevocationCheck::initTestCase()
{
    const QString failed = startRevocationPeers(m_dir.path(), m_pki, &m_ocsp, &m_http);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    m_downUrl = QStringLiteral("http://127.0.0.1:%1/").arg(freeLoopbackPort());
    auto trust = TrustStore::fromFile(m_pki.rootCert);
    QVERIFY(trust);
    m_trust = *trust;
}

void TestRevocationCheck::init()
{
    RevocationCache::instance().clear();
    QVERIFY(m_ocsp.serve(m_pki));
    const QString der = m_dir.filePath(QStringLiteral("int.crl.der"));
    QVERIFY(m_pki.writeCrl(TestPki::CrlSpec{der, {}, {}, true}));
    m_http.setFile(QStringLiteral("/int.crl"), fileBytes(der));
}

TestPki::Leaf TestRevocationCheck::issue(const QString& name, bool revoke,
                                         std::optional<QString> ocsp, std::optional<QString> crl)
{
    TestPki::LeafSpec s;
    s.name = name;
    s.revoke = revoke;
    s.ocspUrl = std::move(ocsp);
    s.crlUrl = std::move(crl);
    return m_pki.issue(s);
}

ChainReport TestRevocationCheck::chainOf(const TestPki::Leaf& leaf) const
{
    ChainInput input;
    auto bundle = CertificateReader::readFile(leaf.fullchain);
    if (bundle) {
        input.served = bundle->certificates;
    }
    input.host = QStringLiteral("localhost");
    return ChainVerifier::verify(input, m_trust, QDateTime::currentDateTimeUtc());
}

ChainReport TestRevocationCheck::run(const ChainReport& chain, RevocationOptions options,
                                     Status* status)
{
    RevocationCheck check(chain, options);
    QSignalSpy done(&check, &RevocationCheck::finished);
    check.start();
    if (done.isEmpty() && !done.wait(60000)) {
        qWarning("the revocation check never finished");
        return {};
    }
    QTest::qWait(0);
    if (done.count() != 1) {
        qWarning("finished() came %d times", int(done.count()));
    }
    if (status != nullptr) {
        *status = done.first().first().value<Status>();
    }
    return check.report();
}

void TestRevocationCheck::goodLeaf()
{
    const ChainReport chain = chainOf(m_pki.good);
    QVERIFY(chain.trusted);
    QCOMPARE(chain.built.size(), 3);
    const int crlBefore = m_http.requestCount(QStringLiteral("/int.crl"));
    Status status;
    const ChainReport r = run(chain, {}, &status);
    QVERIFY(status);
    QVERIFY(r.trusted);
    QCOMPARE(r.built[0].revocation, RevocationStatus::Good);
    QVERIFY2(r.built[0].revocationDetail.startsWith(QStringLiteral("OCSP ") + m_ocsp.url() +
                                                    QStringLiteral(": good; thisUpdate ")),
             qPrintable(r.built[0].revocationDetail));
    QVERIFY(r.built[0].revocationDetail.contains(QLatin1String("nextUpdate")));
    QCOMPARE(r.built[0].verdict(), Severity::Ok);
    // The intermediate names no OCSP or CRL URL; the anchor is never checked.
    QCOMPARE(r.built[1].revocation, RevocationStatus::NotChecked);
    QVERIFY2(r.built[1].revocationDetail.contains(QLatin1String("names no OCSP responder")),
             qPrintable(r.built[1].revocationDetail));
    QCOMPARE(r.built[2].revocation, RevocationStatus::NotChecked);
    QVERIFY(r.built[2].revocationDetail.contains(QLatin1String("trust anchor")));
    QCOMPARE(r.summary, chain.summary);
    QCOMPARE(m_http.requestCount(QStringLiteral("/int.crl")), crlBefore); // OCSP sufficed
}

void TestRevocationCheck::revokedLeafMakesTheChainUntrusted()
{
    const ChainReport chain = chainOf(m_pki.revoked);
    QVERIFY(chain.trusted); // nothing else wrong with it
    const ChainReport r = run(chain);
    QVERIFY(!r.trusted);
    QCOMPARE(r.built[0].revocation, RevocationStatus::Revoked);
    QCOMPARE(r.verdict(), Severity::Error);
    const LinkFinding* f = findingOf(r.built[0], LinkProblem::Revoked);
    QVERIFY(f);
    QCOMPARE(f->severity, Severity::Error);
    QVERIFY2(f->message.startsWith(QLatin1String("Revoked on ")), qPrintable(f->message));
    QVERIFY2(f->message.endsWith(QLatin1String(" UTC (keyCompromise)")), qPrintable(f->message));
    QVERIFY2(r.summary.startsWith(QLatin1String("Not trusted: localhost is revoked: Revoked on")),
             qPrintable(r.summary));
    QVERIFY(r.built[0].revocationDetail.contains(QLatin1String("revoked on")));
}

void TestRevocationCheck::responderDownFallsBackToCrl()
{
    const TestPki::Leaf good = issue(QStringLiteral("downgood"), false, m_downUrl, std::nullopt);
    const TestPki::Leaf bad = issue(QStringLiteral("downrevoked"), true, m_downUrl, std::nullopt);
    QVERIFY(!good.name.isEmpty() && !bad.name.isEmpty());
    init(); // a CRL that lists the new revocation
    ChainReport r = run(chainOf(good));
    QCOMPARE(r.built[0].revocation, RevocationStatus::Good);
    QVERIFY2(r.built[0].revocationDetail.contains(
                 QStringLiteral("CRL %1: good (not listed)")
                     .arg(m_http.url(QStringLiteral("/int.crl")).toString())),
             qPrintable(r.built[0].revocationDetail));
    QVERIFY2(r.built[0].revocationDetail.contains(QLatin1String("before that: the OCSP responder "
                                                                "at ") +
                                                  m_downUrl),
             qPrintable(r.built[0].revocationDetail));
    QVERIFY(r.trusted);
    r = run(chainOf(bad));
    QCOMPARE(r.built[0].revocation, RevocationStatus::Revoked);
    QVERIFY(!r.trusted);
    QVERIFY(findingOf(r.built[0], LinkProblem::Revoked)
                ->message.endsWith(QLatin1String("(keyCompromise)")));
}

void TestRevocationCheck::nothingReachableIsUnknown()
{
    const TestPki::Leaf leaf = issue(QStringLiteral("nowhere"), false, m_downUrl, QString());
    const ChainReport chain = chainOf(leaf);
    QVERIFY(chain.trusted);
    const ChainReport r = run(chain);
    QCOMPARE(r.built[0].revocation, RevocationStatus::Unknown);
    const LinkFinding* f = findingOf(r.built[0], LinkProblem::RevocationUnknown);
    QVERIFY(f);
    QCOMPARE(f->severity, Severity::Warning);
    QVERIFY2(f->message.startsWith(QLatin1String("Revocation status unknown: the OCSP responder "
                                                 "at ")),
             qPrintable(f->message));
    QVERIFY(f->message.contains(QLatin1String("could not be reached")));
    QVERIFY(r.trusted); // a warning, not a verdict
    QCOMPARE(r.verdict(), Severity::Warning);
    QVERIFY2(r.summary.contains(QLatin1String("with a warning: localhost: Revocation status "
                                              "unknown")),
             qPrintable(r.summary));

    // The responder knows nothing of a lost record: unknown too.
    const TestPki::Leaf lost = issue(QStringLiteral("lost"), false, std::nullopt, QString());
    QVERIFY(m_pki.forget(lost));
    const ChainReport u = run(chainOf(lost));
    QCOMPARE(u.built[0].revocation, RevocationStatus::Unknown);
    QVERIFY2(u.built[0].revocationDetail.contains(QLatin1String("does not know the certificate")),
             qPrintable(u.built[0].revocationDetail));
}

void TestRevocationCheck::forgedAnswerIsAnError()
{
    FixtureDir otherDir;
    TestPki other;
    QVERIFY2(other.create(otherDir.path(), {}), qPrintable(other.errorString()));
    QVERIFY(m_ocsp.serve(m_pki,
                         OcspFixture::Signing{other.intermediateCert, other.intermediateKey, 1}));
    RevocationOptions o;
    o.crl = false;
    const ChainReport r = run(chainOf(m_pki.revoked), o);
    QCOMPARE(r.built[0].revocation, RevocationStatus::Error);
    const LinkFinding* f = findingOf(r.built[0], LinkProblem::RevocationUnknown);
    QVERIFY(f);
    QCOMPARE(f->severity, Severity::Warning);
    QVERIFY2(f->message.contains(QLatin1String("Revocation could not be verified")) &&
                 f->message.contains(QLatin1String("signature does not verify")),
             qPrintable(f->message));
    // With the CRL allowed, the forged answer is passed over.
    const ChainReport c = run(chainOf(m_pki.revoked));
    QCOMPARE(c.built[0].revocation, RevocationStatus::Revoked);
    QVERIFY(c.built[0].revocationDetail.startsWith(QLatin1String("CRL ")));
}

void TestRevocationCheck::stapleIsUsedWithoutFetching()
{
    const QByteArray staple = signedOcspResponse(m_pki, m_pki.revoked.cert,
                                                 m_dir.filePath(QStringLiteral("staple")), true);
    QVERIFY(!staple.isEmpty());
    const qsizetype before = m_ocsp.log().count('\n');
    const int crlBefore = m_http.requestCount(QStringLiteral("/int.crl"));
    RevocationOptions o;
    o.leafStaple = staple;
    const ChainReport r = run(chainOf(m_pki.revoked), o);
    QCOMPARE(r.built[0].revocation, RevocationStatus::Revoked);
    QVERIFY2(
        r.built[0].revocationDetail.startsWith(QLatin1String("stapled OCSP response: revoked on ")),
        qPrintable(r.built[0].revocationDetail));
    QCOMPARE(m_ocsp.log().count('\n'), before);
    QCOMPARE(m_http.requestCount(QStringLiteral("/int.crl")), crlBefore);
}

void TestRevocationCheck::badStapleIsNotTrustedAndFetches()
{
    // A staple about another certificate: ignored, the responder is asked.
    const QByteArray staple =
        signedOcspResponse(m_pki, m_pki.good.cert, m_dir.filePath(QStringLiteral("other")), true);
    QVERIFY(!staple.isEmpty());
    RevocationOptions o;
    o.leafStaple = staple;
    const ChainReport r = run(chainOf(m_pki.revoked), o);
    QCOMPARE(r.built[0].revocation, RevocationStatus::Revoked);
    QVERIFY2(r.built[0].revocationDetail.startsWith(QStringLiteral("OCSP ") + m_ocsp.url()),
             qPrintable(r.built[0].revocationDetail));
    QVERIFY2(r.built[0].revocationDetail.contains(QLatin1String("stapled OCSP response does not "
                                                                "verify")),
             qPrintable(r.built[0].revocationDetail));
}

void TestRevocationCheck::noUrlsStayNotChecked()
{
    const TestPki::Leaf bare = issue(QStringLiteral("bare"), true, QString(), QString());
    const ChainReport r = run(chainOf(bare));
    QCOMPARE(r.built[0].revocation, RevocationStatus::NotChecked);
    QVERIFY(r.built[0].revocationDetail.contains(QLatin1String("names no OCSP responder and no "
                                                               "CRL distribution point")));
    QVERIFY(r.trusted);
    QVERIFY(r.built[0].findings.isEmpty());

    const TestPki::Leaf ldap =
        issue(QStringLiteral("ldap"), false, QString(), QStringLiteral("ldap://127.0.0.1/cn=x"));
    const ChainReport l = run(chainOf(ldap));
    QCOMPARE(l.built[0].revocation, RevocationStatus::NotChecked);
    QVERIFY2(l.built[0].revocationDetail.contains(QLatin1String("ldap://")),
             qPrintable(l.built[0].revocationDetail));
}

void TestRevocationCheck::turnedOff()
{
    RevocationOptions o;
    o.ocsp = false;
    o.crl = false;
    const ChainReport r = run(chainOf(m_pki.revoked), o);
    QCOMPARE(r.built[0].revocation, RevocationStatus::NotChecked);
    QVERIFY(r.trusted);
    // CRL only.
    o.crl = true;
    const ChainReport c = run(chainOf(m_pki.revoked), o);
    QCOMPARE(c.built[0].revocation, RevocationStatus::Revoked);
    QVERIFY(c.built[0].revocationDetail.startsWith(QLatin1String("CRL ")));
}

void TestRevocationCheck::cancelEndsAtOnce()
{
    m_http.setFile(QStringLiteral("/hang"), {}, HttpFileServer::Mode::Stall);
    const TestPki::Leaf leaf = issue(QStringLiteral("hang"), false, QString(),
                                     m_http.url(QStringLiteral("/hang")).toString());
    RevocationOptions o;
    o.timeoutMs = 120000;
    RevocationCheck check(chainOf(leaf), o);
    QSignalSpy done(&check, &RevocationCheck::finished);
    QSignalSpy progress(&check, &RevocationCheck::progress);
    check.start();
    QVERIFY(done.isEmpty()); // never inside start()
    QTRY_COMPARE(m_http.requestCount(QStringLiteral("/hang")), 1);
    QVERIFY(!progress.isEmpty());
    check.cancel();
    QVERIFY(check.isCancelled());
    QVERIFY(done.wait(5000));
    QTest::qWait(0);
    QCOMPARE(done.count(), 1);
    const Status s = done.first().first().value<Status>();
    QVERIFY(!s);
    QCOMPARE(s.error().code, ErrorCode::Cancelled);
    QVERIFY(!check.result()); // no result to mistake for a finished check
    QCOMPARE(check.report().built[0].revocation, RevocationStatus::NotChecked);
}

QTEST_GUILESS_MAIN(TestRevocationCheck)
#include "test_revocation_check.moc"
