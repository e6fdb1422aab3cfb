// SPDX-License-Identifier: GPL-3.0-or-later
// Smoke test of the Pebble fixture: the ACME directory and a nonce over HTTPS
// trusting only the fixture's PKI root, Pebble's issuing root checked by the
// openssl CLI, a TXT record served by challtestsrv as seen by dig, and the
// options reaching Pebble.
#include "PebbleFixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTest>
#include <csignal>
#include <memory>

using namespace certdeck::test;

namespace {

struct Answer
{
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    int status = 0;
    QByteArray body;
    QByteArray replayNonce;
    QList<QSslError> sslErrors;
    QString errorString;
};

Answer fetch(QNetworkAccessManager& nam, const QString& url, const QByteArray& verb,
             const std::optional<QSslConfiguration>& ssl)
{
    QNetworkRequest req{QUrl(url)};
    req.setTransferTimeout(10000);
    if (ssl) {
        req.setSslConfiguration(*ssl);
    }
    std::unique_ptr<QNetworkReply> reply(verb == "HEAD" ? nam.head(req) : nam.get(req));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    QSignalSpy sslErrors(reply.get(), &QNetworkReply::sslErrors);
    Answer a;
    if (!reply->isFinished() && !finished.wait(15000)) {
        a.error = QNetworkReply::TimeoutError;
        return a;
    }
    a.error = reply->error();
    a.errorString = reply->errorString();
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.body = reply->readAll();
    a.replayNonce = reply->rawHeader("Replay-Nonce");
    for (const QList<QVariant>& args : std::as_const(sslErrors)) {
        a.sslErrors += args.at(0).value<QList<QSslError>>();
    }
    return a;
}

QByteArray dig(quint16 port, const QString& type, const QString& name)
{
    QByteArray out;
    const int rc = runTool(QStringLiteral("dig"),
                           {QStringLiteral("@127.0.0.1"), QStringLiteral("-p"),
                            QString::number(port), type, name, QStringLiteral("+short"),
                            QStringLiteral("+time=2"), QStringLiteral("+tries=1")},
                           &out, 10000);
    return rc == 0 ? out.trimmed() : QByteArray("dig failed: ") + out;
}

} // namespace

class TestFixturePebble : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void directoryAndNonce();
    void untrustedListenerIsRefused();
    void issuingRoot();
    void dnsTxtAndA();
    void optionsReachPebble();
    void startFailureCarriesLog();
    void stopLeavesNoProcess();
    void cleanupTestCase();

private:
    std::unique_ptr<PebbleFixture> m_pebble;
    QNetworkAccessManager m_nam;
};

void TestFixturePebble::initTestCase()
{
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend (libqt6network6 openssl plugin)");
    m_pebble = std::make_unique<PebbleFixture>();
    QVERIFY2(m_pebble->start(), qPrintable(m_pebble->errorString()));
}

void TestFixturePebble::cleanupTestCase()
{
    m_pebble.reset();
}

void TestFixturePebble::directoryAndNonce()
{
    const QString base = QStringLiteral("https://127.0.0.1:%1/").arg(m_pebble->acmePort());
    QCOMPARE(m_pebble->directoryUrl(), base + QStringLiteral("dir"));

    const Answer dir = fetch(m_nam, m_pebble->directoryUrl(), "GET", m_pebble->sslConfiguration());
    QVERIFY2(dir.error == QNetworkReply::NoError, qPrintable(dir.errorString));
    QCOMPARE(dir.status, 200);
    QJsonParseError perr{};
    const QJsonObject directory = QJsonDocument::fromJson(dir.body, &perr).object();
    QVERIFY2(perr.error == QJsonParseError::NoError, dir.body.constData());
    for (const char* key : {"newNonce", "newAccount", "newOrder"}) {
        const QString url = directory.value(QLatin1String(key)).toString();
        QVERIFY2(url.startsWith(base) && url.size() > base.size(),
                 qPrintable(QStringLiteral("%1 = '%2'").arg(QLatin1String(key), url)));
    }
    QCOMPARE(directory.value(QStringLiteral("meta"))
                 .toObject()
                 .value(QStringLiteral("externalAccountRequired"))
                 .toBool(true),
             false);

    const Answer nonce = fetch(m_nam, directory.value(QStringLiteral("newNonce")).toString(),
                               "HEAD", m_pebble->sslConfiguration());
    QVERIFY2(nonce.error == QNetworkReply::NoError, qPrintable(nonce.errorString));
    QCOMPARE(nonce.status, 200);
    // RFC 8555 6.5.1: base64url, at least 128 bits.
    QVERIFY2(nonce.replayNonce.size() >= 22, nonce.replayNonce.constData());
    const Answer nonce2 = fetch(m_nam, directory.value(QStringLiteral("newNonce")).toString(),
                                "HEAD", m_pebble->sslConfiguration());
    QVERIFY(!nonce2.replayNonce.isEmpty());
    QVERIFY(nonce2.replayNonce != nonce.replayNonce);
}

void TestFixturePebble::untrustedListenerIsRefused()
{
    // The system roots do not include the fixture's PKI: the handshake fails.
    QNetworkAccessManager nam;
    const Answer a = fetch(nam, m_pebble->directoryUrl(), "GET", std::nullopt);
    QCOMPARE(a.error, QNetworkReply::SslHandshakeFailedError);
    QVERIFY(!a.sslErrors.isEmpty());
    QVERIFY(a.body.isEmpty());

    // Pebble's own issuing root does not sign its listener either.
    const auto issuer = m_pebble->fetchIssuerPem();
    QVERIFY2(issuer, qPrintable(m_pebble->errorString()));
    QSslConfiguration wrongCa = QSslConfiguration::defaultConfiguration();
    wrongCa.setCaCertificates(QSslCertificate::fromData(issuer->root));
    QCOMPARE(wrongCa.caCertificates().size(), 1);
    const Answer b = fetch(nam, m_pebble->directoryUrl(), "GET", wrongCa);
    QCOMPARE(b.error, QNetworkReply::SslHandshakeFailedError);
}

void TestFixturePebble::issuingRoot()
{
    const auto issuer = m_pebble->fetchIssuerPem();
    QVERIFY2(issuer, qPrintable(m_pebble->errorString()));
    QVERIFY(issuer->root.startsWith("-----BEGIN CERTIFICATE-----"));

    QByteArray subject;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-subject")},
                     &subject, 10000, {}, issuer->root),
             0);
    QVERIFY2(subject.contains("Pebble Root"), subject.constData());
    QByteArray intSubject;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-subject")},
                     &intSubject, 10000, {}, issuer->intermediate),
             0);
    QVERIFY2(intSubject.contains("Pebble Intermediate"), intSubject.constData());

    // The intermediate chains to the root (openssl as the oracle) ...
    FixtureDir tmp;
    QVERIFY(tmp.write(QStringLiteral("root.pem"), issuer->root));
    QVERIFY(tmp.write(QStringLiteral("int.pem"), issuer->intermediate));
    QByteArray verify;
    QCOMPARE(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("verify"), QStringLiteral("-CAfile"),
                 tmp.filePath(QStringLiteral("root.pem")), tmp.filePath(QStringLiteral("int.pem"))},
                &verify),
        0);
    QVERIFY2(verify.contains("OK"), verify.constData());
    // ... but not to the listener's PKI root.
    QVERIFY(runTool(QStringLiteral("openssl"),
                    {QStringLiteral("verify"), QStringLiteral("-CAfile"), m_pebble->caFile(),
                     tmp.filePath(QStringLiteral("int.pem"))},
                    &verify) != 0);
}

void TestFixturePebble::dnsTxtAndA()
{
    const QString name = QStringLiteral("_acme-challenge.example.test");
    const quint16 port = m_pebble->dnsPort();
    QCOMPARE(dig(port, QStringLiteral("TXT"), name), QByteArray());

    QVERIFY2(m_pebble->setTxt(name, QStringLiteral("tok-123_abc")),
             qPrintable(m_pebble->errorString()));
    QCOMPARE(dig(port, QStringLiteral("TXT"), name), QByteArray("\"tok-123_abc\""));
    QVERIFY2(m_pebble->clearTxt(name), qPrintable(m_pebble->errorString()));
    QCOMPARE(dig(port, QStringLiteral("TXT"), name), QByteArray());

    // Every name answers 127.0.0.1 by default (where Pebble's validations go),
    // no AAAA, and addA overrides one name.
    QCOMPARE(dig(port, QStringLiteral("A"), QStringLiteral("www.example.test")),
             QByteArray("127.0.0.1"));
    QCOMPARE(dig(port, QStringLiteral("AAAA"), QStringLiteral("www.example.test")), QByteArray());
    QVERIFY2(m_pebble->addA(QStringLiteral("other.example.test"), QStringLiteral("127.0.0.7")),
             qPrintable(m_pebble->errorString()));
    QCOMPARE(dig(port, QStringLiteral("A"), QStringLiteral("other.example.test")),
             QByteArray("127.0.0.7"));
}

void TestFixturePebble::optionsReachPebble()
{
    PebbleFixture::Options opt;
    opt.externalAccountBindingRequired = true;
    opt.eabKeys.insert(
        QStringLiteral("kid-1"),
        QStringLiteral("zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"));
    opt.nonceRejectPercent = 0;
    opt.authzReusePercent = 100;
    opt.httpPort = m_pebble->httpPort();
    PebbleFixture eab;
    QVERIFY2(eab.start(opt), qPrintable(eab.errorString()));
    QCOMPARE(eab.httpPort(), m_pebble->httpPort());
    QVERIFY(eab.tlsPort() != 0 && eab.tlsPort() != eab.acmePort());

    const Answer dir = fetch(m_nam, eab.directoryUrl(), "GET", eab.sslConfiguration());
    QVERIFY2(dir.error == QNetworkReply::NoError, qPrintable(dir.errorString));
    const QJsonObject meta =
        QJsonDocument::fromJson(dir.body).object().value(QStringLiteral("meta")).toObject();
    QCOMPARE(meta.value(QStringLiteral("externalAccountRequired")).toBool(false), true);
    const QByteArray log = eab.pebbleLog();
    QVERIFY2(log.contains("reject 0% of good nonces"), log.constData());
    QVERIFY2(log.contains("authz reuse for each identifier 100%"), log.constData());
    QVERIFY2(log.contains("Disabling random VA sleeps"), log.constData());

    // Each fixture has its own PKI: this one's root does not open the other.
    // A fresh manager: m_nam would reuse its open connection to that port
    // whatever the request's TLS configuration says.
    QNetworkAccessManager fresh;
    const Answer cross = fetch(fresh, m_pebble->directoryUrl(), "GET", eab.sslConfiguration());
    QCOMPARE(cross.error, QNetworkReply::SslHandshakeFailedError);
}

void TestFixturePebble::startFailureCarriesLog()
{
    // Pebble 2.4 wants unpadded base64url EAB keys and exits on anything else.
    PebbleFixture::Options opt;
    opt.eabKeys.insert(QStringLiteral("kid-1"), QStringLiteral("YWJj="));
    PebbleFixture bad;
    QVERIFY(!bad.start(opt));
    QVERIFY2(bad.errorString().contains(QLatin1String("failed to decode base64")),
             qPrintable(bad.errorString()));
    QCOMPARE(bad.pebblePid(), 0);
    QCOMPARE(bad.challTestSrvPid(), 0);
}

void TestFixturePebble::stopLeavesNoProcess()
{
    const qint64 pebblePid = m_pebble->pebblePid();
    const qint64 challPid = m_pebble->challTestSrvPid();
    QVERIFY(pebblePid > 0 && challPid > 0);
    QVERIFY(::kill(static_cast<pid_t>(pebblePid), 0) == 0);
    QVERIFY(::kill(static_cast<pid_t>(challPid), 0) == 0);
    m_pebble->stop();
    QVERIFY(::kill(static_cast<pid_t>(pebblePid), 0) != 0);
    QVERIFY(::kill(static_cast<pid_t>(challPid), 0) != 0);
    QVERIFY(!tcpPortAnswers(m_pebble->acmePort()));
    QVERIFY(!tcpPortAnswers(m_pebble->managementPort()));
    QVERIFY(!tcpPortAnswers(m_pebble->challTestSrvPort()));
}

QTEST_GUILESS_MAIN(TestFixturePebble)
#include "test_fixture_pebble.moc"
