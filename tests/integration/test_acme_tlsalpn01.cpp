// SPDX-License-Identifier: GPL-3.0-or-later
// TLS-ALPN-01 (RFC 8737): the built-in responder as `openssl s_client` sees
// it (ALPN acme-tls/1 only, the challenge certificate per SNI with its
// critical acmeIdentifier extension), then certificates issued by Pebble for
// DNS names and an IP address (RFC 8738) and checked by `openssl verify`.
#include "PebbleFixture.h"
#include "acme/challenge/TlsAlpnResponder.h"
#include "acme/order/AcmeOrderFlow.h"
#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"

#include <QCryptographicHash>
#include <QFutureWatcher>
#include <QSignalSpy>
#include <QTest>
#include <QTestEventLoop>
#include <QtConcurrent/QtConcurrentRun>

using namespace certdeck;
using namespace certdeck::acme;
using namespace certdeck::test;

namespace {

const QByteArray kToken("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA");
const QByteArray kKeyAuth = kToken + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

template <class T>
QString why(const Result<T>& r)
{
    return r ? QString() : r.error().toString();
}

Status publishNow(ChallengePublisher& p, const AcmeIdentifier& id)
{
    std::optional<Status> out;
    p.publish(id, kToken, kKeyAuth, [&](const Status& s) { out = s; });
    return out.value_or(fail(ErrorCode::Internal, QStringLiteral("no answer")));
}

} // namespace

class TestAcmeTlsAlpn01 : public QObject
{
    Q_OBJECT
private slots:
    void responderAsOpensslSeesIt();
    void issuesForNamesAndAnIp();

private:
    // s_client runs on a pool thread so the responder's event loop turns.
    int sClient(const QStringList& args, QByteArray* out);
};

int TestAcmeTlsAlpn01::sClient(const QStringList& args, QByteArray* out)
{
    auto future = QtConcurrent::run([args, out] {
        return runTool(QStringLiteral("openssl"),
                       QStringList{QStringLiteral("s_client"), QStringLiteral("-showcerts")} + args,
                       out, 15000);
    });
    QFutureWatcher<int> watcher;
    QSignalSpy done(&watcher, &QFutureWatcher<int>::finished);
    watcher.setFuture(future);
    if (!future.isFinished()) {
        static_cast<void>(done.wait(20000));
    }
    future.waitForFinished();
    return future.result();
}

void TestAcmeTlsAlpn01::responderAsOpensslSeesIt()
{
    TlsAlpnResponder responder;
    QVERIFY(responder.listen(QHostAddress::LocalHost, 0));
    QVERIFY(publishNow(responder, AcmeIdentifier::dns(QStringLiteral("a.alpn.test")).value()));
    QVERIFY(publishNow(responder, AcmeIdentifier::ip(QStringLiteral("127.0.0.1")).value()));
    QCOMPARE(TlsAlpnResponder::sniName(AcmeIdentifier::ip(QStringLiteral("127.0.0.1")).value()),
             QStringLiteral("1.0.0.127.in-addr.arpa"));
    QVERIFY(!publishNow(responder, AcmeIdentifier::dns(QStringLiteral("*.alpn.test")).value()));
    const QString connect = QStringLiteral("127.0.0.1:%1").arg(responder.port());

    QByteArray out;
    QCOMPARE(sClient({QStringLiteral("-connect"), connect, QStringLiteral("-servername"),
                      QStringLiteral("a.alpn.test"), QStringLiteral("-alpn"),
                      QStringLiteral("acme-tls/1")},
                     &out),
             0);
    QVERIFY2(out.contains("ALPN protocol: acme-tls/1"), out.constData());
    QCOMPARE(responder.answeredCount(), 1);

    // The presented certificate, decoded by openssl.
    const qsizetype b = out.indexOf("-----BEGIN CERTIFICATE-----");
    const qsizetype e = out.indexOf("-----END CERTIFICATE-----");
    QVERIFY(b >= 0 && e > b);
    const QByteArray pem = out.mid(b, e - b + 25) + '\n';
    QByteArray text;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-text")},
                     &text, 10000, {}, pem),
             0);
    QVERIFY2(text.contains("1.3.6.1.5.5.7.1.31: critical"), text.constData());
    QVERIFY2(text.contains("DNS:a.alpn.test"), text.constData());
    // The extension holds OCTET STRING(SHA-256(key authorization)).
    const QByteArray digest = QCryptographicHash::hash(kKeyAuth, QCryptographicHash::Sha256);
    QByteArray der;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-outform"), QStringLiteral("DER")},
                     &der, 10000, {}, pem),
             0);
    QVERIFY(der.contains(QByteArray("\x04\x22\x04\x20", 4) + digest));

    // The IP identifier by its reverse name.
    QCOMPARE(sClient({QStringLiteral("-connect"), connect, QStringLiteral("-servername"),
                      QStringLiteral("1.0.0.127.in-addr.arpa"), QStringLiteral("-alpn"),
                      QStringLiteral("acme-tls/1")},
                     &out),
             0);
    QVERIFY2(out.contains("ALPN protocol: acme-tls/1"), out.constData());

    // No acme-tls/1, or a name with no challenge: no handshake.
    QVERIFY(sClient({QStringLiteral("-connect"), connect, QStringLiteral("-servername"),
                     QStringLiteral("a.alpn.test"), QStringLiteral("-alpn"),
                     QStringLiteral("http/1.1")},
                    &out) != 0);
    QVERIFY(sClient({QStringLiteral("-connect"), connect, QStringLiteral("-servername"),
                     QStringLiteral("other.alpn.test"), QStringLiteral("-alpn"),
                     QStringLiteral("acme-tls/1")},
                    &out) != 0);
    QCOMPARE(responder.answeredCount(), 2);

    std::optional<Status> gone;
    responder.withdraw(AcmeIdentifier::dns(QStringLiteral("a.alpn.test")).value(), kToken, kKeyAuth,
                       [&](const Status& s) { gone = s; });
    QVERIFY(gone && *gone);
    QCOMPARE(responder.publishedCount(), 1);
    QVERIFY(sClient({QStringLiteral("-connect"), connect, QStringLiteral("-servername"),
                     QStringLiteral("a.alpn.test"), QStringLiteral("-alpn"),
                     QStringLiteral("acme-tls/1")},
                    &out) != 0);
}

void TestAcmeTlsAlpn01::issuesForNamesAndAnIp()
{
    PebbleFixture pebble;
    PebbleFixture::Options opt;
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
    std::optional<Result<AccountInfo>> account;
    AcmeAccounts::create(client, acct, [&](const Result<AccountInfo>& r) {
        account = r;
        QTestEventLoop::instance().exitLoop();
    });
    if (!account) {
        QTestEventLoop::instance().enterLoop(30);
    }
    QVERIFY(account && *account);

    TlsAlpnResponder responder;
    QVERIFY(responder.listen(QHostAddress::LocalHost, pebble.tlsPort()));
    OrderRequest req;
    req.identifiers = {AcmeIdentifier::dns(QStringLiteral("alpn.example.test")).value(),
                       AcmeIdentifier::dns(QStringLiteral("www.alpn.example.test")).value(),
                       AcmeIdentifier::ip(QStringLiteral("127.0.0.1")).value()};
    req.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    AcmeOrderFlow flow(client, responder, req);
    QSignalSpy finished(&flow, &AcmeOrderFlow::finished);
    flow.start();
    QVERIFY(flow.isFinished() || finished.wait(90000));
    auto issued = flow.result();
    QVERIFY2(issued, qPrintable(why(issued)));
    for (const AuthorizationState& a : issued->authorizations) {
        QCOMPARE(a.status, QStringLiteral("valid"));
        QCOMPARE(a.challengeType, QStringLiteral("tls-alpn-01"));
    }
    QVERIFY(responder.answeredCount() >= 3);
    QCOMPARE(responder.publishedCount(), 0);

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
    QVERIFY2(sans.contains("IP Address:127.0.0.1") && sans.contains("DNS:www.alpn.example.test"),
             sans.constData());
}

QTEST_GUILESS_MAIN(TestAcmeTlsAlpn01)
#include "test_acme_tlsalpn01.moc"
