// SPDX-License-Identifier: GPL-3.0-or-later
// ChainJob fetching a missing intermediate through AIA caIssuers from a real
// HTTP server on 127.0.0.1, and failing clearly when that server is down,
// slow, or answers too much.
#include "HttpFileServer.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/AiaFetcher.h"
#include "crypto/ChainJob.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <optional>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

const QString kPath = QStringLiteral("/ca/intermediate.der");

} // namespace

class TestChainAia : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void leafOnlyBecomesTrustedThroughAia();
    void answersInPemAndPkcs7();
    void serverDown();
    void slowServerTimesOut();
    void oversizedAnswerIsCapped_data();
    void oversizedAnswerIsCapped();
    void notFoundAndGarbage();
    void httpsAndRedirectsToHttpsAreRefused();
    void noAiaWhenDisabled();
    void cancelAndDeadContext();

private:
    std::optional<ChainReport> runJob(ChainJobOptions options = {});
    ChainInput leafOnly() const;

    QTemporaryDir m_dir;
    TestPki m_pki;
    HttpFileServer m_server;
    TrustStore m_trust;
    QByteArray m_intDer;
};

void TestChainAia::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    TestPki::Options o;
    o.caIssuersUrl = m_server.url(kPath).toString();
    QVERIFY2(m_pki.create(m_dir.path(), o), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    m_intDer = readAll(m_pki.intermediateDer);
    QVERIFY(!m_intDer.isEmpty());
    auto trust = TrustStore::fromFile(m_pki.rootCert);
    QVERIFY(trust.has_value());
    m_trust = *trust;
}

void TestChainAia::init()
{
    m_server.setFile(kPath, m_intDer);
}

ChainInput TestChainAia::leafOnly() const
{
    ChainInput in;
    auto leaf =
        Certificate::fromDer(QByteArray::fromBase64(readAll(m_pki.good.cert)
                                                        .replace("-----BEGIN CERTIFICATE-----", "")
                                                        .replace("-----END CERTIFICATE-----", "")
                                                        .simplified()
                                                        .replace(' ', "")));
    if (leaf) {
        in.served << *leaf;
    }
    in.host = QStringLiteral("localhost");
    return in;
}

std::optional<ChainReport> TestChainAia::runJob(ChainJobOptions options)
{
    QObject context;
    std::optional<ChainReport> got;
    ChainJob::run(leafOnly(), m_trust, QDateTime::currentDateTimeUtc(), options, &context,
                  [&got](const ChainReport& r) { got = r; });
    if (!QTest::qWaitFor([&got] { return got.has_value(); }, 20000)) {
        return std::nullopt;
    }
    return got;
}

void TestChainAia::leafOnlyBecomesTrustedThroughAia()
{
    QCOMPARE(leafOnly().served.size(), 1);
    QCOMPARE(AiaFetcher::caIssuersUrls(leafOnly().served.first()),
             QList<QUrl>{m_server.url(kPath)});
    const int before = m_server.requestCount(kPath);
    const auto r = runJob();
    QVERIFY(r.has_value());
    QVERIFY2(r->trusted, qPrintable(r->summary));
    QCOMPARE(r->built.size(), 3);
    QCOMPARE(r->built.at(1).source, ChainLink::Source::Aia);
    QCOMPARE(r->built.at(1).certificate.commonName(), QStringLiteral("CertDeck Test Intermediate"));
    QCOMPARE(r->servedFindings.size(), 1);
    QCOMPARE(r->servedFindings.first().problem, ServedProblem::MissingIntermediate);
    QVERIFY(r->servedFindings.first().message.contains(
        QStringLiteral("the server sends cert.pem instead of fullchain.pem")));
    QCOMPARE(m_server.requestCount(kPath), before + 1);
}

void TestChainAia::answersInPemAndPkcs7()
{
    // PEM, PKCS#7 certs-only (what some CAs publish as .p7c), and no length.
    QByteArray p7;
    QCOMPARE(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("crl2pkcs7"), QStringLiteral("-nocrl"), QStringLiteral("-certfile"),
                 m_pki.intermediateCert, QStringLiteral("-outform"), QStringLiteral("DER"),
                 QStringLiteral("-out"), m_dir.filePath(QStringLiteral("int.p7c"))},
                &p7),
        0);
    const QByteArray pkcs7 = readAll(m_dir.filePath(QStringLiteral("int.p7c")));
    for (const QByteArray& body : {readAll(m_pki.intermediateCert), pkcs7}) {
        for (const auto mode : {HttpFileServer::Mode::Normal, HttpFileServer::Mode::NoLength}) {
            m_server.setFile(kPath, body, mode);
            const auto r = runJob();
            QVERIFY(r.has_value());
            QVERIFY2(r->trusted, qPrintable(r->summary));
            QCOMPARE(r->built.at(1).source, ChainLink::Source::Aia);
        }
    }
    auto parsed = AiaFetcher::parseResponse(pkcs7, QStringLiteral("x"));
    QVERIFY(parsed.has_value());
    QCOMPARE(parsed->size(), 1);
}

void TestChainAia::serverDown()
{
    HttpFileServer down;
    QVERIFY(down.listen());
    const QUrl url = down.url(kPath);
    down.close();
    // The leaf points at m_server; ask a fetcher directly for the refused case
    // and a job with the real server closed for the report.
    QNetworkAccessManager nam;
    AiaFetcher f(&nam);
    QSignalSpy spy(&f, &AiaFetcher::finished);
    f.fetch(url);
    QVERIFY(spy.wait(10000));
    QVERIFY(!f.result().has_value());
    QCOMPARE(f.result().error().code, ErrorCode::Network);
    QVERIFY2(f.result().error().message.contains(QStringLiteral("refused")),
             qPrintable(f.result().error().toString()));

    m_server.close();
    const auto r = runJob();
    QVERIFY(m_server.listen(m_server.port()));
    QVERIFY(r.has_value());
    QVERIFY(!r->trusted);
    QCOMPARE(r->built.size(), 1);
    const LinkFinding& finding = r->built.first().findings.first();
    QCOMPARE(finding.problem, LinkProblem::UnknownIssuer);
    QVERIFY2(finding.message.contains(QStringLiteral("fetching the issuer from %1 failed")
                                          .arg(m_server.url(kPath).toString())),
             qPrintable(finding.message));
    QVERIFY2(r->summary.contains(QStringLiteral("refused")), qPrintable(r->summary));
}

void TestChainAia::slowServerTimesOut()
{
    m_server.setFile(kPath, m_intDer, HttpFileServer::Mode::Stall);
    ChainJobOptions o;
    o.aia.timeoutMs = 500;
    QElapsedTimer t;
    t.start();
    const auto r = runJob(o);
    QVERIFY(r.has_value());
    QVERIFY(!r->trusted);
    QVERIFY(t.elapsed() < 10000);
    const QString m = r->built.first().findings.first().message;
    QVERIFY2(m.contains(QStringLiteral("timed out after 0.5 s")), qPrintable(m));
}

void TestChainAia::oversizedAnswerIsCapped_data()
{
    QTest::addColumn<HttpFileServer::Mode>("mode");
    QTest::addColumn<QString>("says");
    QTest::newRow("Content-Length too big")
        << HttpFileServer::Mode::Normal << QStringLiteral("announces 1048576 bytes");
    QTest::newRow("streamed without length")
        << HttpFileServer::Mode::NoLength << QStringLiteral("sent more than 65536 bytes");
}

void TestChainAia::oversizedAnswerIsCapped()
{
    QFETCH(HttpFileServer::Mode, mode);
    QFETCH(QString, says);
    m_server.setFile(kPath, QByteArray(1024 * 1024, 'x'), mode);
    const auto r = runJob();
    QVERIFY(r.has_value());
    QVERIFY(!r->trusted);
    const QString m = r->built.first().findings.first().message;
    QVERIFY2(m.contains(says), qPrintable(m));
}

void TestChainAia::notFoundAndGarbage()
{
    m_server.setFile(QStringLiteral("/elsewhere"), m_intDer);
    m_server.setFile(kPath, {});
    m_server.setRedirect(kPath, m_server.url(QStringLiteral("/nothing-here")));
    auto r = runJob();
    QVERIFY(r.has_value());
    QVERIFY2(r->built.first().findings.first().message.contains(
                 QStringLiteral("/nothing-here answered HTTP 404 Not Found")),
             qPrintable(r->built.first().findings.first().message));

    m_server.setFile(kPath, QByteArray("<html>not a certificate</html>"));
    r = runJob();
    QVERIFY(r.has_value());
    QVERIFY(!r->trusted);
    QVERIFY2(r->built.first().findings.first().message.contains(
                 QStringLiteral("neither a certificate nor a PKCS#7 bundle")),
             qPrintable(r->built.first().findings.first().message));

    // A redirect to another plain-http path is followed.
    m_server.setRedirect(kPath, m_server.url(QStringLiteral("/elsewhere")));
    r = runJob();
    QVERIFY(r.has_value());
    QVERIFY2(r->trusted, qPrintable(r->summary));
}

void TestChainAia::httpsAndRedirectsToHttpsAreRefused()
{
    QNetworkAccessManager nam;
    AiaFetcher f(&nam);
    QSignalSpy spy(&f, &AiaFetcher::finished);
    f.fetch(QUrl(QStringLiteral("https://127.0.0.1:1/int.der")));
    QVERIFY(spy.count() == 1 || spy.wait(5000));
    QCOMPARE(f.result().error().code, ErrorCode::Unsupported);

    m_server.setRedirect(kPath, QUrl(QStringLiteral("https://127.0.0.1:1/int.der")));
    const auto r = runJob();
    QVERIFY(r.has_value());
    QVERIFY(!r->trusted);
    QVERIFY2(r->built.first().findings.first().message.contains(
                 QStringLiteral("which is not plain http")),
             qPrintable(r->built.first().findings.first().message));
}

void TestChainAia::noAiaWhenDisabled()
{
    const int before = m_server.requestCount(kPath);
    ChainJobOptions o;
    o.fetchAia = false;
    const auto r = runJob(o);
    QVERIFY(r.has_value());
    QVERIFY(!r->trusted);
    QCOMPARE(m_server.requestCount(kPath), before);
    QCOMPARE(r->built.first().findings.first().problem, LinkProblem::UnknownIssuer);
}

void TestChainAia::cancelAndDeadContext()
{
    m_server.setFile(kPath, m_intDer, HttpFileServer::Mode::Stall);
    const int before = m_server.requestCount(kPath);
    ChainJob job(leafOnly(), m_trust, QDateTime::currentDateTimeUtc());
    QSignalSpy spy(&job, &ChainJob::finished);
    QSignalSpy progress(&job, &ChainJob::progress);
    job.start();
    QTRY_COMPARE(m_server.requestCount(kPath), before + 1);
    QVERIFY(progress.count() >= 1);
    QVERIFY(progress.first().first().toString().contains(QStringLiteral("fetching the issuer")));
    job.cancel();
    QVERIFY(spy.wait(5000)); // from the event loop, never inside cancel()
    QCOMPARE(spy.count(), 1);
    QVERIFY(job.wasCancelled());
    QCOMPARE(job.result().error().code, ErrorCode::Cancelled);
    QVERIFY(job.report().built.isEmpty());

    // The context dies while the job waits on the stalled server: the job
    // goes with it, so the callback can never run.
    bool called = false;
    auto context = std::make_unique<QObject>();
    const int requests = m_server.requestCount(kPath);
    QPointer<ChainJob> running =
        ChainJob::run(leafOnly(), m_trust, QDateTime::currentDateTimeUtc(), {}, context.get(),
                      [&called](const ChainReport&) { called = true; });
    QVERIFY(!running.isNull());
    QTRY_COMPARE(m_server.requestCount(kPath), requests + 1);
    context.reset();
    QVERIFY(running.isNull());
    QVERIFY(!called);
}

QTEST_GUILESS_MAIN(TestChainAia)
#include "test_chain_aia.moc"
