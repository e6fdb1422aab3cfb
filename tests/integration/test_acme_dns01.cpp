// SPDX-License-Identifier: GPL-3.0-or-later
// DNS-01 through RFC 2136 against a real BIND 9: TSIG-signed TXT updates
// checked with dig (the fixture's query()), refusals for a wrong secret or an
// unknown key, TCP for large messages; then Pebble resolving through that
// BIND issues a wildcard certificate that `openssl verify` accepts, and the
// TXT records are gone afterwards.
#include "BindFixture.h"
#include "PebbleFixture.h"
#include "acme/challenge/Dns01HookPublisher.h"
#include "acme/challenge/Dns01Publisher.h"
#include "acme/challenge/Http01Responder.h"
#include "acme/order/AcmeOrderFlow.h"
#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"
#include "dns/Rfc2136Updater.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <QTestEventLoop>
#include <memory>

using namespace certdeck;
using namespace certdeck::acme;
using namespace certdeck::dns;
using namespace certdeck::test;

namespace {

template <class T>
QString why(const Result<T>& r)
{
    return r ? QString() : r.error().toString();
}

// Runs one asynchronous call to its end on this thread's event loop.
template <class T, class Start>
T awaitValue(Start start, T timeoutValue, int seconds = 30)
{
    auto out = std::make_shared<std::optional<T>>();
    start([out](const T& r) {
        *out = r;
        QTestEventLoop::instance().exitLoop();
    });
    if (!*out) {
        QTestEventLoop::instance().enterLoop(seconds);
    }
    return out->value_or(timeoutValue);
}

Status timedOut()
{
    return fail(ErrorCode::Timeout, QStringLiteral("test: no answer"));
}

} // namespace

class TestAcmeDns01 : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void updatesSeenByDig();
    void largeRecordsGoOverTcp();
    void refusedKeysInPlainWords();
    void silentServerTimesOut();
    void issuesAWildcard();
    void issuesThroughAHook();
    void challengeChosenPerAuthorization();
    void failingHookNamesTheIdentifier();
    void cleanupTestCase();

private:
    TsigKey key() const;
    Result<IssuedCertificate> issueWith(PebbleFixture& pebble, ChallengePublisher& publisher,
                                        const QStringList& names);
    std::unique_ptr<BindFixture> m_bind;
};

TsigKey TestAcmeDns01::key() const
{
    return TsigKey::fromBase64(m_bind->keyName(), BindFixture::keyAlgorithm(),
                               m_bind->keySecretBase64())
        .value();
}

void TestAcmeDns01::initTestCase()
{
    m_bind = std::make_unique<BindFixture>();
    QVERIFY2(m_bind->start(QStringLiteral("example.test")), qPrintable(m_bind->errorString()));
}

void TestAcmeDns01::cleanupTestCase()
{
    m_bind.reset();
}

void TestAcmeDns01::updatesSeenByDig()
{
    // The key as BIND's own key file states it.
    QFile keyFile(m_bind->keyFilePath());
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    auto fromFile = TsigKey::fromBindKeyFile(keyFile.readAll(), m_bind->keyFilePath());
    QVERIFY2(fromFile, qPrintable(why(fromFile)));
    QCOMPARE(fromFile->secret, key().secret);

    Rfc2136Updater updater(DnsServer{QHostAddress::LocalHost, m_bind->port()}, *fromFile);
    const QString name = QStringLiteral("_acme-challenge.www.example.test");
    auto zone = awaitValue<Result<QString>>([&](auto done) { updater.findZone(name, done); },
                                            fail(ErrorCode::Timeout, QString()));
    QVERIFY2(zone, qPrintable(why(zone)));
    QCOMPARE(*zone, QStringLiteral("example.test"));

    auto added = awaitValue<Status>([&](auto done) { updater.addTxt(name, "value-one", 60, done); },
                                    timedOut());
    QVERIFY2(added, qPrintable(why(added)));
    QCOMPARE(m_bind->query(name, QStringLiteral("TXT")).value_or(QStringList{"no answer"}),
             QStringList{QStringLiteral("\"value-one\"")});
    added = awaitValue<Status>([&](auto done) { updater.addTxt(name, "value-two", 60, done); },
                               timedOut());
    QVERIFY2(added, qPrintable(why(added)));
    auto seen = awaitValue<Result<QList<QByteArray>>>(
        [&](auto done) { updater.queryTxt(name, done); }, fail(ErrorCode::Timeout, QString()));
    QVERIFY2(seen, qPrintable(why(seen)));
    QCOMPARE(seen->size(), 2);
    QVERIFY(seen->contains("value-one") && seen->contains("value-two"));

    auto deleted = awaitValue<Status>(
        [&](auto done) { updater.deleteTxt(name, "value-one", done); }, timedOut());
    QVERIFY2(deleted, qPrintable(why(deleted)));
    QCOMPARE(m_bind->query(name, QStringLiteral("TXT")).value_or(QStringList{"no answer"}),
             QStringList{QStringLiteral("\"value-two\"")});
    deleted = awaitValue<Status>([&](auto done) { updater.deleteTxt(name, "value-two", done); },
                                 timedOut());
    QVERIFY(deleted);
    // Deleting what is not there is not an error (RFC 2136 3.4.2.4).
    deleted = awaitValue<Status>([&](auto done) { updater.deleteTxt(name, "value-two", done); },
                                 timedOut());
    QVERIFY2(deleted, qPrintable(why(deleted)));
    QCOMPARE(m_bind->query(name, QStringLiteral("TXT")).value_or(QStringList{"no answer"}),
             QStringList());
}

void TestAcmeDns01::largeRecordsGoOverTcp()
{
    Rfc2136Updater updater(DnsServer{QHostAddress::LocalHost, m_bind->port()}, key(),
                           QStringLiteral("example.test"));
    const QString name = QStringLiteral("big.example.test");
    // 600 bytes: the update exceeds a 512-byte datagram (sent over TCP) and
    // so does the answer (truncated over UDP, asked again over TCP).
    const QByteArray value(600, 'x');
    auto added =
        awaitValue<Status>([&](auto done) { updater.addTxt(name, value, 60, done); }, timedOut());
    QVERIFY2(added, qPrintable(why(added)));
    auto seen = awaitValue<Result<QList<QByteArray>>>(
        [&](auto done) { updater.queryTxt(name, done); }, fail(ErrorCode::Timeout, QString()));
    QVERIFY2(seen, qPrintable(why(seen)));
    QCOMPARE(*seen, QList<QByteArray>{value});
    const auto dig = m_bind->query(name, QStringLiteral("TXT"));
    QVERIFY(dig && dig->size() == 1);
    // Three character-strings of at most 255 bytes, as dig prints them.
    QCOMPARE(dig->first().count(u'"'), 6);
}

void TestAcmeDns01::refusedKeysInPlainWords()
{
    const QString name = QStringLiteral("_acme-challenge.refused.example.test");
    TsigKey wrongSecret = key();
    wrongSecret.secret = QByteArray(32, 'k');
    Rfc2136Updater bad(DnsServer{QHostAddress::LocalHost, m_bind->port()}, wrongSecret);
    auto refused =
        awaitValue<Status>([&](auto done) { bad.addTxt(name, "v", 60, done); }, timedOut());
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::PermissionDenied);
    QVERIFY2(refused.error().message.contains(QLatin1String("refused the update (NOTAUTH)")),
             qPrintable(refused.error().toString()));
    QVERIFY2(refused.error().detail.contains(QLatin1String("BADSIG")),
             qPrintable(refused.error().toString()));

    TsigKey unknown = key();
    unknown.name = QStringLiteral("nobody-key");
    Rfc2136Updater stranger(DnsServer{QHostAddress::LocalHost, m_bind->port()}, unknown);
    auto badKey =
        awaitValue<Status>([&](auto done) { stranger.addTxt(name, "v", 60, done); }, timedOut());
    QVERIFY(!badKey);
    QVERIFY2(badKey.error().detail.contains(QLatin1String("BADKEY")),
             qPrintable(badKey.error().toString()));
    QCOMPARE(m_bind->query(name, QStringLiteral("TXT")).value_or(QStringList{"no answer"}),
             QStringList());

    // A name outside every zone this server has.
    Rfc2136Updater outside(DnsServer{QHostAddress::LocalHost, m_bind->port()}, key());
    auto notOurs = awaitValue<Status>(
        [&](auto done) { outside.addTxt(QStringLiteral("a.other.test"), "v", 60, done); },
        timedOut());
    QVERIFY(!notOurs);

    QVERIFY(!TsigKey::fromBase64(QStringLiteral("k"), QStringLiteral("hmac-md5"), "AAAA"));
    QVERIFY(!TsigKey::fromBase64(QStringLiteral("k"), QStringLiteral("hmac-sha256"), "!!"));
    QVERIFY(!TsigKey::fromBindKeyFile("key \"x\" { };", QStringLiteral("x.key")));
}

void TestAcmeDns01::silentServerTimesOut()
{
    // A port with nothing behind it: every datagram goes unanswered.
    Rfc2136Updater nobody(DnsServer{QHostAddress::LocalHost, freeLoopbackPort()}, key(),
                          QStringLiteral("example.test"));
    nobody.setTimeoutMs(900);
    auto r = awaitValue<Status>(
        [&](auto done) { nobody.addTxt(QStringLiteral("t.example.test"), "v", 60, done); },
        timedOut());
    QVERIFY(!r);
    QVERIFY2(r.error().code == ErrorCode::Timeout || r.error().code == ErrorCode::Network,
             qPrintable(r.error().toString()));
}

void TestAcmeDns01::issuesAWildcard()
{
    PebbleFixture pebble;
    PebbleFixture::Options opt;
    opt.dnsServerPort = m_bind->port();
    opt.authzReusePercent = 0;
    QVERIFY2(pebble.start(opt), qPrintable(pebble.errorString()));

    AcmeClientOptions o;
    o.directoryUrl = QUrl(pebble.directoryUrl());
    o.trustAnchors = AcmeClient::loadTrustAnchors(pebble.caFile()).value();
    AcmeClient client(o);
    client.setAccount(
        JwsKey::fromPrivateKey(crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value())
            .value());
    AccountRequest acct;
    acct.termsOfServiceAgreed = true;
    auto account = awaitValue<Result<AccountInfo>>(
        [&](auto done) { AcmeAccounts::create(client, acct, done); },
        fail(ErrorCode::Timeout, QString()));
    QVERIFY2(account, qPrintable(why(account)));

    Dns01Settings settings;
    settings.server = DnsServer{QHostAddress::LocalHost, m_bind->port()};
    settings.key = key();
    Dns01Publisher publisher(settings);
    OrderRequest req;
    req.identifiers = {AcmeIdentifier::dns(QStringLiteral("*.example.test")).value(),
                       AcmeIdentifier::dns(QStringLiteral("example.test")).value(),
                       AcmeIdentifier::dns(QStringLiteral("api.example.test")).value()};
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    AcmeOrderFlow flow(client, publisher, req);
    QSignalSpy finished(&flow, &AcmeOrderFlow::finished);
    flow.start();
    QVERIFY(flow.isFinished() || finished.wait(120000));
    auto issued = flow.result();
    QVERIFY2(issued, qPrintable(why(issued)));
    QStringList proved;
    for (const AuthorizationState& a : issued->authorizations) {
        QCOMPARE(a.status, QStringLiteral("valid"));
        QCOMPARE(a.challengeType, QStringLiteral("dns-01"));
        proved << a.identifier.toString();
    }
    proved.sort();
    QCOMPARE(proved,
             QStringList({"dns:*.example.test", "dns:api.example.test", "dns:example.test"}));

    // Cleaned up: BIND no longer answers any challenge record.
    for (const char* n : {"_acme-challenge.example.test", "_acme-challenge.api.example.test"}) {
        QCOMPARE(m_bind->query(QLatin1String(n), QStringLiteral("TXT"))
                     .value_or(QStringList{"no answer"}),
                 QStringList());
    }

    auto issuer = pebble.fetchIssuerPem();
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
    QByteArray sans;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-ext"),
                      QStringLiteral("subjectAltName"), QStringLiteral("-in"),
                      dir.filePath(QStringLiteral("chain.pem"))},
                     &sans),
             0);
    QVERIFY2(sans.contains("DNS:*.example.test") && sans.contains("DNS:api.example.test"),
             sans.constData());
}

Result<IssuedCertificate> TestAcmeDns01::issueWith(PebbleFixture& pebble,
                                                   ChallengePublisher& publisher,
                                                   const QStringList& names)
{
    AcmeClientOptions o;
    o.directoryUrl = QUrl(pebble.directoryUrl());
    o.trustAnchors = AcmeClient::loadTrustAnchors(pebble.caFile()).value();
    AcmeClient client(o);
    client.setAccount(
        JwsKey::fromPrivateKey(crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value())
            .value());
    AccountRequest acct;
    acct.termsOfServiceAgreed = true;
    auto account = awaitValue<Result<AccountInfo>>(
        [&](auto done) { AcmeAccounts::create(client, acct, done); },
        fail(ErrorCode::Timeout, QString()));
    if (!account) {
        return tl::unexpected(account.error());
    }
    OrderRequest req;
    for (const QString& n : names) {
        req.identifiers << AcmeIdentifier::dns(n).value();
    }
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    AcmeOrderFlow flow(client, publisher, req);
    QSignalSpy finished(&flow, &AcmeOrderFlow::finished);
    flow.start();
    if (!flow.isFinished() && !finished.wait(120000)) {
        return fail(ErrorCode::Timeout, QStringLiteral("test: the order did not finish"));
    }
    return flow.result();
}

void TestAcmeDns01::issuesThroughAHook()
{
    // The hook is a shell script around nsupdate (BIND's own client): it
    // learns everything from the documented environment variables.
    FixtureDir dir;
    const QString hook = dir.filePath(QStringLiteral("hook.sh"));
    QVERIFY(dir.write(QStringLiteral("hook.sh"),
                      "#!/bin/sh\n"
                      "set -e\n"
                      "echo \"$CERTDECK_ACME_ACTION $CERTDECK_ACME_IDENTIFIER "
                      "$CERTDECK_ACME_DOMAIN $CERTDECK_ACME_RECORD\" >> \"$3\"\n"
                      "case \"$CERTDECK_ACME_ACTION\" in present) op=add;; *) op=delete;; esac\n"
                      "printf 'server 127.0.0.1 %s\\nupdate %s %s. 60 TXT \"%s\"\\nsend\\n' "
                      "\"$1\" \"$op\" \"$CERTDECK_ACME_RECORD\" \"$CERTDECK_ACME_VALUE\" "
                      "| nsupdate -k \"$2\"\n"));
    QVERIFY(QFile::setPermissions(hook, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    const QString log = dir.filePath(QStringLiteral("hook.log"));
    Dns01HookPublisher publisher(
        hook, {QString::number(m_bind->port()), m_bind->keyFilePath(), log}, 30000);

    PebbleFixture pebble;
    PebbleFixture::Options opt;
    opt.dnsServerPort = m_bind->port();
    opt.authzReusePercent = 0;
    QVERIFY2(pebble.start(opt), qPrintable(pebble.errorString()));
    auto issued =
        issueWith(pebble, publisher,
                  {QStringLiteral("*.hook.example.test"), QStringLiteral("hook.example.test")});
    QVERIFY2(issued, qPrintable(why(issued)));
    QFile f(log);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray calls = f.readAll();
    QVERIFY2(calls.contains("present dns:*.hook.example.test hook.example.test "
                            "_acme-challenge.hook.example.test"),
             calls.constData());
    QCOMPARE(calls.count("present"), 2);
    QCOMPARE(calls.count("cleanup"), 2);
    QCOMPARE(
        m_bind->query(QStringLiteral("_acme-challenge.hook.example.test"), QStringLiteral("TXT"))
            .value_or(QStringList{"no answer"}),
        QStringList());
}

void TestAcmeDns01::challengeChosenPerAuthorization()
{
    // http-01 preferred, dns-01 for what HTTP cannot prove (the wildcard).
    // Pebble resolves through BIND, whose zone has www A 127.0.0.1.
    PebbleFixture pebble;
    PebbleFixture::Options opt;
    opt.dnsServerPort = m_bind->port();
    opt.authzReusePercent = 0;
    QVERIFY2(pebble.start(opt), qPrintable(pebble.errorString()));
    AcmeClientOptions o;
    o.directoryUrl = QUrl(pebble.directoryUrl());
    o.trustAnchors = AcmeClient::loadTrustAnchors(pebble.caFile()).value();
    AcmeClient client(o);
    client.setAccount(
        JwsKey::fromPrivateKey(crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value())
            .value());
    AccountRequest acct;
    acct.termsOfServiceAgreed = true;
    auto account = awaitValue<Result<AccountInfo>>(
        [&](auto done) { AcmeAccounts::create(client, acct, done); },
        fail(ErrorCode::Timeout, QString()));
    QVERIFY2(account, qPrintable(why(account)));

    Http01Responder http;
    QVERIFY(http.listen(QHostAddress::LocalHost, pebble.httpPort()));
    Dns01Settings settings;
    settings.server = DnsServer{QHostAddress::LocalHost, m_bind->port()};
    settings.key = key();
    Dns01Publisher dns(settings);
    OrderRequest req;
    req.identifiers = {AcmeIdentifier::dns(QStringLiteral("*.example.test")).value(),
                       AcmeIdentifier::dns(QStringLiteral("www.example.test")).value(),
                       AcmeIdentifier::ip(QStringLiteral("127.0.0.1")).value()};
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    AcmeOrderFlow flow(client, QList<ChallengePublisher*>{&http, &dns}, req);
    QSignalSpy finished(&flow, &AcmeOrderFlow::finished);
    flow.start();
    QVERIFY(flow.isFinished() || finished.wait(120000));
    auto issued = flow.result();
    QVERIFY2(issued, qPrintable(why(issued)));
    QMap<QString, QString> used;
    for (const AuthorizationState& a : issued->authorizations) {
        QCOMPARE(a.status, QStringLiteral("valid"));
        used.insert(a.identifier.toString(), a.challengeType);
    }
    QCOMPARE(used.value(QStringLiteral("dns:*.example.test")), QStringLiteral("dns-01"));
    QCOMPARE(used.value(QStringLiteral("dns:www.example.test")), QStringLiteral("http-01"));
    QCOMPARE(used.value(QStringLiteral("ip:127.0.0.1")), QStringLiteral("http-01"));
    QVERIFY(http.answeredCount() >= 2);
    QCOMPARE(http.publishedCount(), 0);

    // Only http-01 for a wildcard: refused before any request.
    OrderRequest wild = req;
    wild.identifiers = {AcmeIdentifier::dns(QStringLiteral("*.example.test")).value()};
    AcmeOrderFlow refused(client, http, wild);
    QSignalSpy refusedDone(&refused, &AcmeOrderFlow::finished);
    refused.start();
    QVERIFY(refused.isFinished() || refusedDone.wait(5000));
    QVERIFY(!refused.result());
    QVERIFY2(refused.result().error().message.contains(QLatin1String("a wildcard needs dns-01")),
             qPrintable(refused.result().error().toString()));
}

void TestAcmeDns01::failingHookNamesTheIdentifier()
{
    FixtureDir dir;
    const QString hook = dir.filePath(QStringLiteral("fail.sh"));
    QVERIFY(dir.write(QStringLiteral("fail.sh"),
                      "#!/bin/sh\necho \"provider API said no\" >&2\nexit 4\n"));
    QVERIFY(QFile::setPermissions(hook, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    Dns01HookPublisher publisher(hook);
    PebbleFixture pebble;
    PebbleFixture::Options opt;
    opt.dnsServerPort = m_bind->port();
    QVERIFY2(pebble.start(opt), qPrintable(pebble.errorString()));
    auto issued = issueWith(pebble, publisher, {QStringLiteral("nohook.example.test")});
    QVERIFY(!issued);
    QVERIFY2(issued.error().message.startsWith(
                 QLatin1String("dns:nohook.example.test: cannot publish the challenge")),
             qPrintable(issued.error().toString()));
    QVERIFY2(issued.error().message.contains(QLatin1String("exit status 4")),
             qPrintable(issued.error().toString()));
    QVERIFY2(issued.error().detail.contains(QLatin1String("provider API said no")),
             qPrintable(issued.error().toString()));

    Dns01HookPublisher missing(dir.filePath(QStringLiteral("nope.sh")));
    std::optional<Status> s;
    missing.publish(AcmeIdentifier::dns(QStringLiteral("a.example.test")).value(), "t", "t.k",
                    [&](const Status& r) { s = r; });
    QVERIFY(s && !*s);
    QCOMPARE(s->error().code, ErrorCode::NotFound);
}

QTEST_GUILESS_MAIN(TestAcmeDns01)
#include "test_acme_dns01.moc"
