// SPDX-License-Identifier: GPL-3.0-or-later
// AcmeIssueJob against the real Pebble: the whole issuance off the calling
// thread with progress per authorization and state, cancel, and a responder
// port already taken.
#include "PebbleFixture.h"
#include "acme/order/AcmeIssueJob.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace certdeck;
using namespace certdeck::acme;
using namespace certdeck::test;

class TestAcmeIssueJob : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void issuesWithLiveProgress();
    void cancelStopsAndFreesThePort();
    void portInUseIsReported();
    void cleanupTestCase();

private:
    AcmeIssueSpec spec(const QStringList& names) const;
    std::unique_ptr<PebbleFixture> m_pebble;
};

AcmeIssueSpec TestAcmeIssueJob::spec(const QStringList& names) const
{
    AcmeIssueSpec s;
    s.client.directoryUrl = QUrl(m_pebble->directoryUrl());
    s.client.trustAnchors =
        AcmeClient::loadTrustAnchors(m_pebble->caFile()).value_or(QList<QSslCertificate>());
    s.accountKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    s.account.termsOfServiceAgreed = true;
    for (const QString& n : names) {
        s.order.identifiers << AcmeIdentifier::dns(n).value();
    }
    s.order.certificateKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256).value();
    s.httpPort = m_pebble->httpPort();
    return s;
}

void TestAcmeIssueJob::initTestCase()
{
    m_pebble = std::make_unique<PebbleFixture>();
    PebbleFixture::Options opt;
    opt.authzReusePercent = 0;
    QVERIFY2(m_pebble->start(opt), qPrintable(m_pebble->errorString()));
}

void TestAcmeIssueJob::cleanupTestCase()
{
    m_pebble.reset();
}

void TestAcmeIssueJob::issuesWithLiveProgress()
{
    AcmeIssueJob job(
        spec({QStringLiteral("job1.example.test"), QStringLiteral("job2.example.test")}));
    QSignalSpy progress(&job, &Operation::progress);
    QSignalSpy finished(&job, &Operation::finished);
    job.start();
    QVERIFY(finished.wait(90000));
    auto r = job.result();
    QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
    QVERIFY(r->chainPem.startsWith("-----BEGIN CERTIFICATE-----"));
    QStringList steps;
    for (const QList<QVariant>& args : std::as_const(progress)) {
        steps << args.at(0).toString();
    }
    QVERIFY2(
        steps.contains(QStringLiteral("Authorization 1/2: dns:job1.example.test is pending")) ||
            steps.contains(QStringLiteral("Authorization 1/2: dns:job2.example.test is pending")),
        qPrintable(steps.join(u'\n')));
    int valid = 0;
    for (const QString& s : std::as_const(steps)) {
        valid += s.endsWith(QLatin1String(" is valid")) ? 1 : 0;
    }
    QCOMPARE(valid, 2);
    QVERIFY2(steps.contains(QStringLiteral("Downloading the certificate")),
             qPrintable(steps.join(u'\n')));
    QVERIFY(!tcpPortAnswers(m_pebble->httpPort())); // the responder is closed again
}

void TestAcmeIssueJob::cancelStopsAndFreesThePort()
{
    AcmeIssueJob job(
        spec({QStringLiteral("cancel1.example.test"), QStringLiteral("cancel2.example.test")}));
    QSignalSpy finished(&job, &Operation::finished);
    bool cancelled = false;
    connect(&job, &Operation::progress, this, [&](const QString& step, double, const QString&) {
        if (!cancelled && step.startsWith(QLatin1String("Authorization 1/2"))) {
            cancelled = true;
            job.cancel();
        }
    });
    job.start();
    QVERIFY(finished.wait(60000));
    QVERIFY(cancelled);
    auto r = job.result();
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Cancelled);
    QTRY_VERIFY_WITH_TIMEOUT(!tcpPortAnswers(m_pebble->httpPort()), 5000);
}

void TestAcmeIssueJob::portInUseIsReported()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, m_pebble->httpPort()));
    AcmeIssueJob job(spec({QStringLiteral("busy.example.test")}));
    QSignalSpy finished(&job, &Operation::finished);
    job.start();
    QVERIFY(finished.wait(30000));
    auto r = job.result();
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Network);
    QVERIFY2(r.error().message.contains(
                 QStringLiteral("cannot listen on 127.0.0.1 port %1").arg(m_pebble->httpPort())),
             qPrintable(r.error().toString()));
}

QTEST_GUILESS_MAIN(TestAcmeIssueJob)
#include "test_acme_issuejob.moc"
