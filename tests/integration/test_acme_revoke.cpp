// SPDX-License-Identifier: GPL-3.0-or-later
// Revocation (RFC 8555 7.6) against the real Pebble: by the ordering account
// and by the certificate's own key, each with a reason; Pebble's management
// interface (/cert-status-by-serial) is the oracle for the certificate's
// state; refusals (already revoked, a stranger's account, a reason code that
// does not exist) come back in plain words.
#include "PebbleFixture.h"
#include "acme/challenge/Http01Responder.h"
#include "acme/order/AcmeOrderFlow.h"
#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"
#include "acme/protocol/AcmeRevocation.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTest>
#include <QTestEventLoop>

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
        return fail(ErrorCode::Timeout, QStringLiteral("test: no answer"));
    }
    return **out;
}

struct Issued
{
    QByteArray leafDer;
    QString serialHex;
    crypto::PrivateKey key;
};

} // namespace

class TestAcmeRevoke : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void revokeByAccountWithReason();
    void revokeByCertificateKey();
    void strangersAndBadReasonsAreRefused();
    void reasonNames();
    void cleanupTestCase();

private:
    std::unique_ptr<AcmeClient> newAccount();
    std::optional<Issued> issue(AcmeClient& client, const QString& name);
    QJsonObject status(const QString& serialHex);
    std::unique_ptr<PebbleFixture> m_pebble;
    std::unique_ptr<Http01Responder> m_responder;
};

void TestAcmeRevoke::initTestCase()
{
    m_pebble = std::make_unique<PebbleFixture>();
    QVERIFY2(m_pebble->start(), qPrintable(m_pebble->errorString()));
    m_responder = std::make_unique<Http01Responder>();
    QVERIFY(m_responder->listen(QHostAddress::LocalHost, m_pebble->httpPort()));
}

void TestAcmeRevoke::cleanupTestCase()
{
    m_responder.reset();
    m_pebble.reset();
}

std::unique_ptr<AcmeClient> TestAcmeRevoke::newAccount()
{
    AcmeClientOptions o;
    o.directoryUrl = QUrl(m_pebble->directoryUrl());
    o.trustAnchors = AcmeClient::loadTrustAnchors(m_pebble->caFile()).value();
    auto client = std::make_unique<AcmeClient>(o);
    client->setAccount(
        JwsKey::fromPrivateKey(crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value())
            .value());
    AccountRequest req;
    req.termsOfServiceAgreed = true;
    auto a = await<AccountInfo>([&](auto done) { AcmeAccounts::create(*client, req, done); });
    return a ? std::move(client) : nullptr;
}

std::optional<Issued> TestAcmeRevoke::issue(AcmeClient& client, const QString& name)
{
    OrderRequest req;
    req.identifiers = {AcmeIdentifier::dns(name).value()};
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    AcmeOrderFlow flow(client, *m_responder, req);
    QSignalSpy finished(&flow, &AcmeOrderFlow::finished);
    flow.start();
    if (!flow.isFinished() && !finished.wait(60000)) {
        return std::nullopt;
    }
    auto r = flow.result();
    if (!r) {
        qWarning("issue: %s", qPrintable(r.error().toString()));
        return std::nullopt;
    }
    const QSslCertificate leaf = QSslCertificate::fromData(r->chainPem).value(0);
    return Issued{leaf.toDer(), QString::fromLatin1(leaf.serialNumber()).remove(u':'),
                  req.certificateKey};
}

QJsonObject TestAcmeRevoke::status(const QString& serialHex)
{
    auto body = m_pebble->management(QStringLiteral("/cert-status-by-serial/") + serialHex);
    return body ? QJsonDocument::fromJson(*body).object() : QJsonObject();
}

void TestAcmeRevoke::revokeByAccountWithReason()
{
    auto client = newAccount();
    QVERIFY(client);
    auto cert = issue(*client, QStringLiteral("revoke1.example.test"));
    QVERIFY(cert);
    const QJsonObject before = status(cert->serialHex);
    QVERIFY2(before.value(QStringLiteral("Status")).toString() == QLatin1String("Valid"),
             QJsonDocument(before).toJson().constData());

    auto revoked = await<bool>([&](auto done) {
        AcmeRevocation::revoke(*client, cert->leafDer, RevocationReason::KeyCompromise, false,
                               done);
    });
    QVERIFY2(revoked, qPrintable(why(revoked)));
    const QJsonObject after = status(cert->serialHex);
    QCOMPARE(after.value(QStringLiteral("Status")).toString(), QStringLiteral("Revoked"));
    QCOMPARE(after.value(QStringLiteral("Reason")).toInt(-1), 1);

    auto again = await<bool>([&](auto done) {
        AcmeRevocation::revoke(*client, cert->leafDer, RevocationReason::KeyCompromise, false,
                               done);
    });
    QVERIFY(!again);
    QVERIFY2(again.error().message.contains(QLatin1String("already revoked")),
             qPrintable(again.error().toString()));
}

void TestAcmeRevoke::revokeByCertificateKey()
{
    auto client = newAccount();
    QVERIFY(client);
    auto cert = issue(*client, QStringLiteral("revoke2.example.test"));
    QVERIFY(cert);
    // A client that knows nothing but the certificate's key.
    AcmeClient byKey(client->options());
    byKey.setAccount(JwsKey::fromPrivateKey(cert->key).value());
    auto revoked = await<bool>([&](auto done) {
        AcmeRevocation::revoke(byKey, cert->leafDer, RevocationReason::Superseded, true, done);
    });
    QVERIFY2(revoked, qPrintable(why(revoked)));
    const QJsonObject after = status(cert->serialHex);
    QCOMPARE(after.value(QStringLiteral("Status")).toString(), QStringLiteral("Revoked"));
    QCOMPARE(after.value(QStringLiteral("Reason")).toInt(-1), 4);
}

void TestAcmeRevoke::strangersAndBadReasonsAreRefused()
{
    auto owner = newAccount();
    QVERIFY(owner);
    auto cert = issue(*owner, QStringLiteral("revoke3.example.test"));
    QVERIFY(cert);
    auto stranger = newAccount();
    QVERIFY(stranger);
    auto refused = await<bool>([&](auto done) {
        AcmeRevocation::revoke(*stranger, cert->leafDer, RevocationReason::KeyCompromise, false,
                               done);
    });
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::PermissionDenied);
    QVERIFY2(refused.error().message.startsWith(QLatin1String("revoking the certificate")),
             qPrintable(refused.error().toString()));

    auto badReason = await<bool>([&](auto done) {
        AcmeRevocation::revoke(*owner, cert->leafDer, static_cast<RevocationReason>(7), false,
                               done);
    });
    QVERIFY(!badReason);
    QVERIFY2(badReason.error().message.contains(QLatin1String("revocation reason")),
             qPrintable(badReason.error().toString()));
    QCOMPARE(status(cert->serialHex).value(QStringLiteral("Status")).toString(),
             QStringLiteral("Valid"));

    auto empty = await<bool>(
        [&](auto done) { AcmeRevocation::revoke(*owner, {}, std::nullopt, false, done); });
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, ErrorCode::InvalidInput);
}

void TestAcmeRevoke::reasonNames()
{
    QCOMPARE(revocationReasonFromName(QStringLiteral("KEYCOMPROMISE")),
             std::optional(RevocationReason::KeyCompromise));
    QCOMPARE(revocationReasonFromName(QStringLiteral("4")),
             std::optional(RevocationReason::Superseded));
    QCOMPARE(revocationReasonFromName(QStringLiteral("2")), std::nullopt); // caCompromise: not ours
    QCOMPARE(revocationReasonFromName(QStringLiteral("bogus")), std::nullopt);
    QCOMPARE(revocationReasonName(RevocationReason::CessationOfOperation),
             QStringLiteral("cessationOfOperation"));
}

QTEST_GUILESS_MAIN(TestAcmeRevoke)
#include "test_acme_revoke.moc"
