// SPDX-License-Identifier: GPL-3.0-or-later
// ACME accounts against the real Pebble: directory over verified TLS only,
// newAccount / onlyReturnExisting, contact update, key rollover, deactivation,
// external account binding, badNonce retries, and problem documents in plain
// words.
#include "PebbleFixture.h"
#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"
#include "acme/protocol/AcmeRenewalInfo.h"
#include "acme/protocol/Base64Url.h"

#include <QTest>
#include <QTestEventLoop>
#include <memory>

using namespace certdeck;
using namespace certdeck::acme;
using namespace certdeck::test;

namespace {

// Runs one asynchronous call to its end on this thread's event loop.
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

JwsKey newKey(crypto::KeyType type = crypto::KeyType::EcdsaP256)
{
    auto key = crypto::PrivateKey::generate(type);
    auto jws = key ? JwsKey::fromPrivateKey(*key) : Result<JwsKey>(tl::unexpected(key.error()));
    return jws ? *jws : JwsKey();
}

// The error text of a failed Result (empty on success): safe to evaluate in
// QVERIFY2's message, which is built whether or not the check fails.
template <class T>
QString why(const Result<T>& r)
{
    return r ? QString() : r.error().toString();
}

QString text(const Error& e)
{
    return e.toString();
}

} // namespace

class TestAcmeAccount : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void directoryNeedsTheRightTrustAnchor();
    void createFindAndUpdate();
    void unknownAccountInPlainWords();
    void rolloverKeepsTheAccount();
    void deactivatedAccountIsRefused();
    void externalAccountBinding();
    void badNonceIsRetried();
    void renewalInfoIsNotServed();
    void cleanupTestCase();

private:
    AcmeClientOptions options(const PebbleFixture& pebble) const;
    std::unique_ptr<PebbleFixture> m_pebble;
};

AcmeClientOptions TestAcmeAccount::options(const PebbleFixture& pebble) const
{
    AcmeClientOptions o;
    o.directoryUrl = QUrl(pebble.directoryUrl());
    auto anchors = AcmeClient::loadTrustAnchors(pebble.caFile());
    if (anchors) {
        o.trustAnchors = *anchors;
    }
    o.timeoutMs = 15000;
    return o;
}

void TestAcmeAccount::initTestCase()
{
    m_pebble = std::make_unique<PebbleFixture>();
    PebbleFixture::Options opt;
    opt.nonceRejectPercent = 0; // badNonceIsRetried turns it up on its own Pebble
    QVERIFY2(m_pebble->start(opt), qPrintable(m_pebble->errorString()));
}

void TestAcmeAccount::cleanupTestCase()
{
    m_pebble.reset();
}

void TestAcmeAccount::directoryNeedsTheRightTrustAnchor()
{
    AcmeClient good(options(*m_pebble));
    auto dir = await<AcmeDirectory>([&](auto done) { good.directory(done); });
    QVERIFY2(dir, qPrintable(why(dir)));
    QVERIFY(dir->newOrder.toString().startsWith(m_pebble->directoryUrl().chopped(3)));
    QVERIFY(!dir->keyChange.isEmpty());
    QVERIFY(!dir->externalAccountRequired);

    // Pebble's issuing root does not sign its HTTPS listener: refused, and
    // the error says it is about trust, with the TLS evidence.
    auto issuer = m_pebble->fetchIssuerPem();
    QVERIFY2(issuer, qPrintable(m_pebble->errorString()));
    AcmeClientOptions wrong = options(*m_pebble);
    wrong.trustAnchors = QSslCertificate::fromData(issuer->root);
    AcmeClient bad(wrong);
    auto refused = await<AcmeDirectory>([&](auto done) { bad.directory(done); });
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Crypto);
    QVERIFY2(refused.error().message.contains(QLatin1String("not trusted")),
             qPrintable(why(refused)));
    QVERIFY2(!refused.error().detail.isEmpty(), "no TLS evidence");

    // No CA file at all: the system roots do not know the test PKI either.
    AcmeClientOptions none = options(*m_pebble);
    none.trustAnchors.clear();
    AcmeClient system(none);
    auto sys = await<AcmeDirectory>([&](auto done) { system.directory(done); });
    QVERIFY(!sys);
    QCOMPARE(sys.error().code, ErrorCode::Crypto);

    // A plain-http directory is refused before any traffic.
    AcmeClientOptions http = options(*m_pebble);
    http.directoryUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/dir").arg(m_pebble->acmePort()));
    AcmeClient plain(http);
    auto insecure = await<AcmeDirectory>([&](auto done) { plain.directory(done); });
    QVERIFY(!insecure);
    QCOMPARE(insecure.error().code, ErrorCode::InvalidInput);

    auto noFile = AcmeClient::loadTrustAnchors(m_pebble->dir() + QStringLiteral("/missing.pem"));
    QVERIFY(!noFile);
    QCOMPARE(noFile.error().code, ErrorCode::NotFound);
}

void TestAcmeAccount::createFindAndUpdate()
{
    AcmeClient client(options(*m_pebble));
    client.setAccount(newKey());
    AccountRequest req;
    req.contact = {QStringLiteral("mailto:ops@example.test")};
    req.termsOfServiceAgreed = true;
    auto created = await<AccountInfo>([&](auto done) { AcmeAccounts::create(client, req, done); });
    QVERIFY2(created, qPrintable(why(created)));
    QVERIFY(created->created);
    QCOMPARE(created->status, QStringLiteral("valid"));
    QCOMPARE(created->contact, req.contact);
    QVERIFY(created->url.toString().contains(QLatin1String("/my-account/")));
    QCOMPARE(client.accountUrl(), created->url);

    // The same key again: the existing account, not a new one.
    auto again = await<AccountInfo>([&](auto done) { AcmeAccounts::create(client, req, done); });
    QVERIFY2(again, qPrintable(why(again)));
    QVERIFY(!again->created);
    QCOMPARE(again->url, created->url);

    // A second client with only the key finds the account.
    AcmeClient other(options(*m_pebble));
    other.setAccount(client.key());
    auto found = await<AccountInfo>([&](auto done) { AcmeAccounts::find(other, done); });
    QVERIFY2(found, qPrintable(why(found)));
    QCOMPARE(found->url, created->url);

    const QStringList contacts{QStringLiteral("mailto:a@example.test"),
                               QStringLiteral("mailto:b@example.test")};
    auto updated =
        await<AccountInfo>([&](auto done) { AcmeAccounts::updateContact(other, contacts, done); });
    QVERIFY2(updated, qPrintable(why(updated)));
    QCOMPARE(updated->contact, contacts);

    // A contact the CA cannot use is refused in plain words.
    auto badContact = await<AccountInfo>([&](auto done) {
        AcmeAccounts::updateContact(other, {QStringLiteral("tel:+15551234")}, done);
    });
    QVERIFY(!badContact);
    QVERIFY2(badContact.error().message.startsWith(
                 QLatin1String("updating the ACME account's contacts: the CA")),
             qPrintable(why(badContact)));
}

void TestAcmeAccount::unknownAccountInPlainWords()
{
    AcmeClient client(options(*m_pebble));
    client.setAccount(newKey());
    auto missing = await<AccountInfo>([&](auto done) { AcmeAccounts::find(client, done); });
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    QVERIFY2(missing.error().message.contains(QLatin1String("no ACME account exists for this key")),
             qPrintable(why(missing)));
    QVERIFY2(missing.error().detail.contains(
                 QLatin1String("urn:ietf:params:acme:error:accountDoesNotExist")),
             qPrintable(why(missing)));
    QVERIFY(client.accountUrl().isEmpty());
}

void TestAcmeAccount::rolloverKeepsTheAccount()
{
    AcmeClient client(options(*m_pebble));
    client.setAccount(newKey());
    AccountRequest req;
    req.termsOfServiceAgreed = true;
    auto created = await<AccountInfo>([&](auto done) { AcmeAccounts::create(client, req, done); });
    QVERIFY2(created, qPrintable(why(created)));
    const JwsKey oldKey = client.key();
    const JwsKey next = newKey(crypto::KeyType::Ed25519);
    QVERIFY(!next.isNull());
    // Pebble 2.4 takes RS256 and ES256/384/512 but not EdDSA: the refusal
    // arrives in plain words and the account keeps its old key.
    auto refused =
        await<AccountInfo>([&](auto done) { AcmeAccounts::rollover(client, next, done); });
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("signature algorithm")),
             qPrintable(refused.error().toString()));
    QCOMPARE(client.key().thumbprint(), oldKey.thumbprint());
    const JwsKey rsa = newKey(crypto::KeyType::Rsa2048);
    auto rolled = await<AccountInfo>([&](auto done) { AcmeAccounts::rollover(client, rsa, done); });
    QVERIFY2(rolled, qPrintable(why(rolled)));
    QCOMPARE(rolled->url, created->url);
    QCOMPARE(rolled->status, QStringLiteral("valid"));
    QVERIFY(client.key().thumbprint() != oldKey.thumbprint());
    QCOMPARE(client.key().algorithm(), JwsAlgorithm::Rs256);

    // The new key finds the account; the old one no longer does.
    AcmeClient byNew(options(*m_pebble));
    byNew.setAccount(client.key());
    auto found = await<AccountInfo>([&](auto done) { AcmeAccounts::find(byNew, done); });
    QVERIFY2(found, qPrintable(why(found)));
    QCOMPARE(found->url, created->url);
    AcmeClient byOld(options(*m_pebble));
    byOld.setAccount(oldKey);
    auto gone = await<AccountInfo>([&](auto done) { AcmeAccounts::find(byOld, done); });
    QVERIFY(!gone);
    QCOMPARE(gone.error().code, ErrorCode::NotFound);
}

void TestAcmeAccount::deactivatedAccountIsRefused()
{
    AcmeClient client(options(*m_pebble));
    client.setAccount(newKey());
    AccountRequest req;
    req.termsOfServiceAgreed = true;
    auto created = await<AccountInfo>([&](auto done) { AcmeAccounts::create(client, req, done); });
    QVERIFY2(created, qPrintable(why(created)));
    auto off = await<AccountInfo>([&](auto done) { AcmeAccounts::deactivate(client, done); });
    QVERIFY2(off, qPrintable(why(off)));
    QCOMPARE(off->status, QStringLiteral("deactivated"));
    auto after = await<AccountInfo>(
        [&](auto done) { AcmeAccounts::updateContact(client, {"mailto:x@example.test"}, done); });
    QVERIFY(!after);
    QCOMPARE(after.error().code, ErrorCode::PermissionDenied);
    QVERIFY2(after.error().message.contains(QLatin1String("updating the ACME account")),
             qPrintable(why(after)));
}

void TestAcmeAccount::externalAccountBinding()
{
    const QByteArray hmac = QByteArray::fromHex(
        "6c9e20a1f5e2b6b1a7c4d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a");
    PebbleFixture::Options opt;
    opt.externalAccountBindingRequired = true;
    opt.nonceRejectPercent = 0;
    opt.eabKeys.insert(QStringLiteral("kid-eab"), QString::fromLatin1(base64Url(hmac)));
    PebbleFixture eab;
    QVERIFY2(eab.start(opt), qPrintable(eab.errorString()));

    AcmeClient client(options(eab));
    client.setAccount(newKey());
    AccountRequest req;
    req.termsOfServiceAgreed = true;
    auto refused = await<AccountInfo>([&](auto done) { AcmeAccounts::create(client, req, done); });
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("external account binding")),
             qPrintable(why(refused)));

    req.eab = EabCredentials{QStringLiteral("kid-eab"), QByteArray("not the key")};
    auto wrongMac = await<AccountInfo>([&](auto done) { AcmeAccounts::create(client, req, done); });
    QVERIFY(!wrongMac);
    QVERIFY(client.accountUrl().isEmpty());

    req.eab = EabCredentials{QStringLiteral("kid-eab"), hmac};
    auto bound = await<AccountInfo>([&](auto done) { AcmeAccounts::create(client, req, done); });
    QVERIFY2(bound, qPrintable(why(bound)));
    QVERIFY(bound->created);
    QCOMPARE(bound->status, QStringLiteral("valid"));
    // The MAC key never reaches Pebble's log in any form we could print.
    QVERIFY(!eab.pebbleLog().contains(base64Url(hmac)));
}

void TestAcmeAccount::badNonceIsRetried()
{
    PebbleFixture::Options opt;
    opt.nonceRejectPercent = 60;
    PebbleFixture rejecting;
    QVERIFY2(rejecting.start(opt), qPrintable(rejecting.errorString()));
    AcmeClientOptions o = options(rejecting);
    o.maxBadNonceRetries = 30;
    AcmeClient client(o);
    client.setAccount(newKey());
    AccountRequest req;
    req.termsOfServiceAgreed = true;
    auto created = await<AccountInfo>([&](auto done) { AcmeAccounts::create(client, req, done); });
    QVERIFY2(created, qPrintable(why(created)));
    for (int i = 0; i < 11; ++i) {
        auto found = await<AccountInfo>([&](auto done) { AcmeAccounts::find(client, done); });
        QVERIFY2(found, qPrintable(why(found)));
    }
    // Twelve requests at 60% rejection: the chance that none met badNonce is
    // 0.4^12, about 2e-5.
    QVERIFY2(client.badNonceRetries() > 0, "no badNonce retry happened");
    QVERIFY(client.pooledNonces() > 0);

    // With no retries allowed, a rejection reaches the caller in plain words.
    AcmeClientOptions strict = options(rejecting);
    strict.maxBadNonceRetries = 0;
    AcmeClient once(strict);
    once.setAccount(client.key());
    std::optional<Error> seen;
    for (int i = 0; i < 20 && !seen; ++i) {
        auto r = await<AccountInfo>([&](auto done) { AcmeAccounts::find(once, done); });
        if (!r) {
            seen = r.error();
        }
    }
    QVERIFY2(seen, "twenty requests at 60% rejection and no badNonce");
    QVERIFY2(seen->message.contains(QLatin1String("anti-replay nonce")), qPrintable(text(*seen)));
}

void TestAcmeAccount::renewalInfoIsNotServed()
{
    // Pebble 2.4's directory has no renewalInfo: ARI says so in plain words
    // instead of guessing a URL. (The identifier itself is unit-tested
    // against RFC 9773's example.)
    auto issuer = m_pebble->fetchIssuerPem();
    QVERIFY(issuer);
    const QByteArray der = QSslCertificate::fromData(issuer->intermediate).value(0).toDer();
    QVERIFY(AcmeRenewalInfo::certId(der));
    AcmeClient client(options(*m_pebble));
    auto info = await<RenewalInfo>([&](auto done) { AcmeRenewalInfo::fetch(client, der, done); });
    QVERIFY(!info);
    QCOMPARE(info.error().code, ErrorCode::Unsupported);
    QVERIFY2(info.error().message.contains(QLatin1String("offers no renewal information")),
             qPrintable(info.error().toString()));
}

QTEST_GUILESS_MAIN(TestAcmeAccount)
#include "test_acme_account.moc"
