// SPDX-License-Identifier: GPL-3.0-or-later
// Alternate chains (RFC 8555 7.4.2, Link rel="alternate") against Pebble with
// PEBBLE_ALTERNATE_ROOTS: the default chain verifies to root 0 only; asking
// for the alternate root's name returns the chain that `openssl verify`
// accepts against that root and not against root 0.
#include "PebbleFixture.h"
#include "acme/challenge/Http01Responder.h"
#include "acme/order/AcmeOrderFlow.h"
#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"

#include <QSignalSpy>
#include <QSslCertificate>
#include <QTest>
#include <QTestEventLoop>

using namespace certdeck;
using namespace certdeck::acme;
using namespace certdeck::test;

class TestAcmeAltChains : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void defaultAndPreferredChains();
    void unknownPreferenceKeepsTheDefault();
    void cleanupTestCase();

private:
    Result<IssuedCertificate> issue(const QString& name, const QString& preferred);
    bool verifies(const QByteArray& root, const QByteArray& chain);
    std::unique_ptr<PebbleFixture> m_pebble;
    std::unique_ptr<AcmeClient> m_client;
    std::unique_ptr<Http01Responder> m_responder;
    PebbleFixture::IssuerPem m_root0;
    PebbleFixture::IssuerPem m_root1;
};

void TestAcmeAltChains::initTestCase()
{
    m_pebble = std::make_unique<PebbleFixture>();
    PebbleFixture::Options opt;
    opt.alternateRoots = 1;
    QVERIFY2(m_pebble->start(opt), qPrintable(m_pebble->errorString()));
    auto r0 = m_pebble->fetchIssuerPem(0);
    auto r1 = m_pebble->fetchIssuerPem(1);
    QVERIFY2(r0 && r1, qPrintable(m_pebble->errorString()));
    m_root0 = *r0;
    m_root1 = *r1;
    QVERIFY(m_root0.root != m_root1.root);

    AcmeClientOptions o;
    o.directoryUrl = QUrl(m_pebble->directoryUrl());
    o.trustAnchors = AcmeClient::loadTrustAnchors(m_pebble->caFile()).value();
    m_client = std::make_unique<AcmeClient>(o);
    m_client->setAccount(
        JwsKey::fromPrivateKey(crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value())
            .value());
    std::optional<Result<AccountInfo>> account;
    AccountRequest req;
    req.termsOfServiceAgreed = true;
    AcmeAccounts::create(*m_client, req, [&](const Result<AccountInfo>& r) {
        account = r;
        QTestEventLoop::instance().exitLoop();
    });
    if (!account) {
        QTestEventLoop::instance().enterLoop(30);
    }
    QVERIFY(account && *account);
    m_responder = std::make_unique<Http01Responder>();
    QVERIFY(m_responder->listen(QHostAddress::LocalHost, m_pebble->httpPort()));
}

void TestAcmeAltChains::cleanupTestCase()
{
    m_responder.reset();
    m_client.reset();
    m_pebble.reset();
}

Result<IssuedCertificate> TestAcmeAltChains::issue(const QString& name, const QString& preferred)
{
    OrderRequest req;
    req.identifiers = {AcmeIdentifier::dns(name).value()};
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    req.preferredChainIssuer = preferred;
    AcmeOrderFlow flow(*m_client, *m_responder, req);
    QSignalSpy finished(&flow, &AcmeOrderFlow::finished);
    flow.start();
    if (!flow.isFinished() && !finished.wait(60000)) {
        return fail(ErrorCode::Timeout, QStringLiteral("test: no result"));
    }
    return flow.result();
}

bool TestAcmeAltChains::verifies(const QByteArray& root, const QByteArray& chain)
{
    FixtureDir dir;
    if (!dir.write(QStringLiteral("root.pem"), root) ||
        !dir.write(QStringLiteral("chain.pem"), chain)) {
        return false;
    }
    QByteArray out;
    return runTool(QStringLiteral("openssl"),
                   {QStringLiteral("verify"), QStringLiteral("-CAfile"),
                    dir.filePath(QStringLiteral("root.pem")), QStringLiteral("-untrusted"),
                    dir.filePath(QStringLiteral("chain.pem")),
                    dir.filePath(QStringLiteral("chain.pem"))},
                   &out) == 0;
}

void TestAcmeAltChains::defaultAndPreferredChains()
{
    auto plain = issue(QStringLiteral("alt1.example.test"), {});
    QVERIFY2(plain, qPrintable(plain ? QString() : plain.error().toString()));
    QCOMPARE(plain->alternateUrls.size(), 1);
    QVERIFY(verifies(m_root0.root, plain->chainPem));
    QVERIFY(!verifies(m_root1.root, plain->chainPem));

    const QString altName = QSslCertificate::fromData(m_root1.root)
                                .value(0)
                                .subjectInfo(QSslCertificate::CommonName)
                                .value(0);
    QVERIFY(!altName.isEmpty());
    auto preferred = issue(QStringLiteral("alt2.example.test"), altName);
    QVERIFY2(preferred, qPrintable(preferred ? QString() : preferred.error().toString()));
    QCOMPARE(preferred->certificateUrl, preferred->alternateUrls.value(0));
    QVERIFY(verifies(m_root1.root, preferred->chainPem));
    QVERIFY(!verifies(m_root0.root, preferred->chainPem));
    // Same leaf key in both chains of one order: only the issuers differ.
    QCOMPARE(
        QSslCertificate::fromData(preferred->chainPem).value(0).subjectAlternativeNames().values(),
        QList<QString>{QStringLiteral("alt2.example.test")});
}

void TestAcmeAltChains::unknownPreferenceKeepsTheDefault()
{
    auto r = issue(QStringLiteral("alt3.example.test"), QStringLiteral("No Such Root CA"));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
    QVERIFY(verifies(m_root0.root, r->chainPem));
    QVERIFY(r->certificateUrl != r->alternateUrls.value(0));
}

QTEST_GUILESS_MAIN(TestAcmeAltChains)
#include "test_acme_altchains.moc"
