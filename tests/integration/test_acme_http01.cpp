// SPDX-License-Identifier: GPL-3.0-or-later
// Certificates issued by the real Pebble through HTTP-01: several DNS names
// and an IP identifier (RFC 8738) proved by the built-in responder, checked by
// `openssl verify` against Pebble's root; a webroot served by a real web
// server (python3 -m http.server); a responder that is down gives a
// per-identifier error; badNonce refusals at 60% are retried and counted;
// cancel; tokens are withdrawn in every case.
#include "PebbleFixture.h"
#include "acme/challenge/Http01Responder.h"
#include "acme/challenge/WebrootPublisher.h"
#include "acme/order/AcmeOrderFlow.h"
#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"
#include "crypto/Certificate.h"

#include <QDir>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTest>
#include <QTestEventLoop>
#include <memory>

using namespace certdeck;
using namespace certdeck::acme;
using namespace certdeck::test;

namespace {

template <class T>
QString why(const Result<T>& r)
{
    return r ? QString() : r.error().toString();
}

template <class T, class Start>
Result<T> await(Start start, int seconds = 60)
{
    auto out = std::make_shared<std::optional<Result<T>>>();
    start([out](const Result<T>& r) {
        *out = r;
        QTestEventLoop::instance().exitLoop();
    });
    if (!*out) {
        QTestEventLoop::instance().enterLoop(seconds);
    }
    if (!*out) {
        return fail(ErrorCode::Timeout, QStringLiteral("test: no answer in %1 s").arg(seconds));
    }
    return **out;
}

QList<AcmeIdentifier> identifiers(const QStringList& names, const QStringList& ips = {})
{
    QList<AcmeIdentifier> out;
    for (const QString& n : names) {
        out << AcmeIdentifier::dns(n).value();
    }
    for (const QString& ip : ips) {
        out << AcmeIdentifier::ip(ip).value();
    }
    return out;
}

// A client with a fresh account on `pebble`.
std::unique_ptr<AcmeClient> accountOn(const PebbleFixture& pebble, int maxBadNonceRetries = 10)
{
    AcmeClientOptions o;
    o.directoryUrl = QUrl(pebble.directoryUrl());
    o.trustAnchors =
        AcmeClient::loadTrustAnchors(pebble.caFile()).value_or(QList<QSslCertificate>());
    o.maxBadNonceRetries = maxBadNonceRetries;
    auto client = std::make_unique<AcmeClient>(o);
    auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    client->setAccount(JwsKey::fromPrivateKey(key.value()).value());
    AccountRequest req;
    req.termsOfServiceAgreed = true;
    auto acct = await<AccountInfo>([&](auto done) { AcmeAccounts::create(*client, req, done); });
    if (!acct) {
        qWarning("account: %s", qPrintable(acct.error().toString()));
        return nullptr;
    }
    return client;
}

Result<IssuedCertificate> runFlow(AcmeOrderFlow& flow, int seconds = 90)
{
    QSignalSpy finished(&flow, &AcmeOrderFlow::finished);
    flow.start();
    if (!flow.isFinished() && !finished.wait(seconds * 1000)) {
        return fail(ErrorCode::Timeout, QStringLiteral("test: the order did not finish"));
    }
    return flow.result();
}

} // namespace

class TestAcmeHttp01 : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void issuesForNamesAndAnIp();
    void webrootServedByARealServer();
    void responderDownNamesTheIdentifier();
    void badNonceRetriesAreCounted();
    void cancelWithdrawsTokens();
    void refusedBeforeAnyTraffic();
    void cleanupTestCase();

private:
    std::unique_ptr<PebbleFixture> m_pebble;
    QByteArray m_root;
};

void TestAcmeHttp01::initTestCase()
{
    m_pebble = std::make_unique<PebbleFixture>();
    PebbleFixture::Options opt;
    opt.authzReusePercent = 0; // every order proves its names again
    QVERIFY2(m_pebble->start(opt), qPrintable(m_pebble->errorString()));
    auto issuer = m_pebble->fetchIssuerPem();
    QVERIFY2(issuer, qPrintable(m_pebble->errorString()));
    m_root = issuer->root;
}

void TestAcmeHttp01::cleanupTestCase()
{
    m_pebble.reset();
}

void TestAcmeHttp01::issuesForNamesAndAnIp()
{
    auto client = accountOn(*m_pebble);
    QVERIFY(client);
    Http01Responder responder;
    QVERIFY2(responder.listen(QHostAddress::LocalHost, m_pebble->httpPort()),
             "cannot listen on the fixture's HTTP port");
    OrderRequest req;
    req.identifiers =
        identifiers({QStringLiteral("www.example.test"), QStringLiteral("api.example.test"),
                     QStringLiteral("example.test")},
                    {QStringLiteral("127.0.0.1")});
    auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    QVERIFY(key);
    req.certificateKey = *key;
    AcmeOrderFlow flow(*client, responder, req);
    QSignalSpy progress(&flow, &AcmeOrderFlow::progress);
    QSignalSpy authz(&flow, &AcmeOrderFlow::authorizationChanged);
    auto issued = runFlow(flow);
    QVERIFY2(issued, qPrintable(why(issued)));

    // Every authorization went valid through the responder, and the tokens
    // are gone again.
    QCOMPARE(issued->authorizations.size(), 4);
    QStringList proved;
    for (const AuthorizationState& a : issued->authorizations) {
        QCOMPARE(a.status, QStringLiteral("valid"));
        QVERIFY(!a.reused);
        proved << a.identifier.toString();
    }
    proved.sort();
    QCOMPARE(proved, QStringList({"dns:api.example.test", "dns:example.test",
                                  "dns:www.example.test", "ip:127.0.0.1"}));
    QVERIFY2(responder.answeredCount() >= 4,
             qPrintable(QString::number(responder.answeredCount())));
    QCOMPARE(responder.publishedCount(), 0);
    QVERIFY(authz.size() >= 8); // pending, then valid, for each
    QVERIFY(progress.size() >= 6);
    QCOMPARE(progress.constLast().at(0).toString(), QStringLiteral("Downloading the certificate"));

    // The oracle: openssl verifies the chain to Pebble's root.
    FixtureDir dir;
    QVERIFY(dir.write(QStringLiteral("root.pem"), m_root));
    QVERIFY(dir.write(QStringLiteral("chain.pem"), issued->chainPem));
    QByteArray out;
    const int rc = runTool(QStringLiteral("openssl"),
                           {QStringLiteral("verify"), QStringLiteral("-CAfile"),
                            dir.filePath(QStringLiteral("root.pem")), QStringLiteral("-untrusted"),
                            dir.filePath(QStringLiteral("chain.pem")),
                            dir.filePath(QStringLiteral("chain.pem"))},
                           &out);
    QVERIFY2(rc == 0 && out.contains(": OK"), out.constData());
    QByteArray sans;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-ext"),
                      QStringLiteral("subjectAltName"), QStringLiteral("-in"),
                      dir.filePath(QStringLiteral("chain.pem"))},
                     &sans),
             0);
    for (const char* expect : {"DNS:www.example.test", "DNS:api.example.test", "DNS:example.test",
                               "IP Address:127.0.0.1"}) {
        QVERIFY2(sans.contains(expect), sans.constData());
    }
    auto leaf =
        crypto::Certificate::fromDer(QSslCertificate::fromData(issued->chainPem).value(0).toDer());
    QVERIFY(leaf);
    QVERIFY(key->matchesCertificate(*leaf));
    QVERIFY(issued->certificateUrl.isValid());
    QVERIFY(issued->orderUrl.isValid());
}

void TestAcmeHttp01::webrootServedByARealServer()
{
    // python3's http.server serves the webroot on the port Pebble checks.
    FixtureDir web;
    const QString root = web.filePath(QStringLiteral("htdocs"));
    QVERIFY(QDir().mkpath(root));
    PeerProcess server(QStringLiteral("http.server"), web.filePath(QStringLiteral("http.log")));
    QVERIFY2(
        server.start(QStringLiteral("python3"),
                     {QStringLiteral("-m"), QStringLiteral("http.server"), QStringLiteral("--bind"),
                      QStringLiteral("127.0.0.1"), QStringLiteral("--directory"), root,
                      QString::number(m_pebble->httpPort())}),
        qPrintable(server.errorString()));
    QVERIFY2(server.waitForPort(m_pebble->httpPort()), qPrintable(server.errorString()));

    auto client = accountOn(*m_pebble);
    QVERIFY(client);
    WebrootPublisher webroot(root);
    OrderRequest req;
    req.identifiers = identifiers({QStringLiteral("webroot.example.test")});
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::Ed25519).value();
    AcmeOrderFlow flow(*client, webroot, req);
    auto issued = runFlow(flow);
    QVERIFY2(issued, qPrintable(why(issued)));
    QVERIFY2(server.log().contains("GET /.well-known/acme-challenge/"), server.log().constData());
    // The token file is gone; the folder stays for the next order.
    QVERIFY(QDir(root + QStringLiteral("/.well-known/acme-challenge")).exists());
    QVERIFY(QDir(root + QStringLiteral("/.well-known/acme-challenge"))
                .entryList(QDir::Files)
                .isEmpty());
    server.stop();
}

void TestAcmeHttp01::responderDownNamesTheIdentifier()
{
    // Tokens go to a webroot nobody serves: Pebble finds nothing listening.
    QVERIFY(!tcpPortAnswers(m_pebble->httpPort()));
    FixtureDir web;
    WebrootPublisher webroot(web.path());
    auto client = accountOn(*m_pebble);
    QVERIFY(client);
    OrderRequest req;
    req.identifiers = identifiers({QStringLiteral("down.example.test")});
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    AcmeOrderFlow flow(*client, webroot, req);
    auto issued = runFlow(flow);
    QVERIFY(!issued);
    const Error& e = issued.error();
    QCOMPARE(e.code, ErrorCode::Network);
    QVERIFY2(e.message.startsWith(QLatin1String(
                 "dns:down.example.test: proving control with http-01 failed: the CA could not "
                 "connect to the challenge responder")),
             qPrintable(e.toString()));
    QVERIFY2(e.message.contains(QLatin1String("refused")), qPrintable(e.toString()));
    QCOMPARE(flow.authorizations().size(), 1);
    QCOMPARE(flow.authorizations().at(0).status, QStringLiteral("invalid"));
    QVERIFY(!flow.authorizations().at(0).error.isEmpty());
    // Cleaned up on failure too.
    QVERIFY(QDir(web.filePath(QStringLiteral(".well-known/acme-challenge")))
                .entryList(QDir::Files)
                .isEmpty());
}

void TestAcmeHttp01::badNonceRetriesAreCounted()
{
    PebbleFixture::Options opt;
    opt.nonceRejectPercent = 60;
    opt.authzReusePercent = 0;
    opt.httpPort = m_pebble->httpPort();
    PebbleFixture rejecting;
    QVERIFY2(rejecting.start(opt), qPrintable(rejecting.errorString()));
    auto client = accountOn(rejecting, 40);
    QVERIFY(client);
    Http01Responder responder;
    QVERIFY(responder.listen(QHostAddress::LocalHost, rejecting.httpPort()));
    OrderRequest req;
    req.identifiers =
        identifiers({QStringLiteral("one.example.test"), QStringLiteral("two.example.test")},
                    {QStringLiteral("127.0.0.1")});
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    AcmeOrderFlow flow(*client, responder, req);
    auto issued = runFlow(flow);
    QVERIFY2(issued, qPrintable(why(issued)));
    // About 20 signed requests at 60% rejection: retries are certain in
    // practice, and the count is part of the result.
    QVERIFY2(issued->badNonceRetries > 0, "no badNonce retry counted");
    QVERIFY(issued->badNonceRetries <= client->badNonceRetries());
    auto issuer = rejecting.fetchIssuerPem();
    QVERIFY(issuer);
    FixtureDir dir;
    QVERIFY(dir.write(QStringLiteral("root.pem"), issuer->root));
    QVERIFY(dir.write(QStringLiteral("chain.pem"), issued->chainPem));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("verify"), QStringLiteral("-CAfile"),
                      dir.filePath(QStringLiteral("root.pem")), QStringLiteral("-untrusted"),
                      dir.filePath(QStringLiteral("chain.pem")),
                      dir.filePath(QStringLiteral("chain.pem"))},
                     &out),
             0);
}

void TestAcmeHttp01::cancelWithdrawsTokens()
{
    auto client = accountOn(*m_pebble);
    QVERIFY(client);
    Http01Responder responder;
    QVERIFY(responder.listen(QHostAddress::LocalHost, m_pebble->httpPort()));
    OrderRequest req;
    req.identifiers =
        identifiers({QStringLiteral("c1.example.test"), QStringLiteral("c2.example.test")});
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    AcmeOrderFlow flow(*client, responder, req);
    QSignalSpy finished(&flow, &AcmeOrderFlow::finished);
    // Cancel once a token is out (tokens stay published until the order
    // ends), so the cancel has something to clean up.
    bool sawPublished = false;
    connect(&flow, &AcmeOrderFlow::progress, this, [&](const QString&, double, const QString&) {
        if (responder.publishedCount() > 0 && !sawPublished) {
            sawPublished = true;
            flow.cancel();
        }
    });
    flow.start();
    QVERIFY(flow.isFinished() || finished.wait(30000));
    auto r = flow.result();
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Cancelled);
    QVERIFY(sawPublished);
    QCOMPARE(responder.publishedCount(), 0);
}

void TestAcmeHttp01::refusedBeforeAnyTraffic()
{
    AcmeClientOptions o;
    o.directoryUrl = QUrl(m_pebble->directoryUrl());
    AcmeClient client(o);
    Http01Responder responder;
    OrderRequest req;
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    {
        AcmeOrderFlow flow(client, responder, req);
        auto r = runFlow(flow, 5);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidInput);
    }
    req.identifiers = identifiers({QStringLiteral("*.example.test")});
    AcmeOrderFlow wildcard(client, responder, req);
    auto w = runFlow(wildcard, 5);
    QVERIFY(!w);
    QVERIFY2(w.error().message.contains(QLatin1String("a wildcard needs dns-01")),
             qPrintable(w.error().toString()));
    QVERIFY(!AcmeIdentifier::dns(QStringLiteral("bad_name.example")));
    QVERIFY(!AcmeIdentifier::ip(QStringLiteral("300.1.1.1")));
    QVERIFY(!AcmeIdentifier::dns(QStringLiteral("10.0.0.1")));
}

QTEST_GUILESS_MAIN(TestAcmeHttp01)
#include "test_acme_http01.moc"
