// SPDX-License-Identifier: GPL-3.0-or-later
// checkOcspResponse on responses made offline by `openssl ocsp` (responder
// mode with -reqin/-respout) from a test CA's database, with `openssl ocsp
// -respin` as the oracle for each status.
#include "PeerProcess.h"
#include "RevocationPeers.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "revocation/OcspRequest.h"
#include "revocation/OcspResponse.h"

#include <QFile>
#include <QTest>

using namespace certdeck;
using namespace certdeck::revocation;
using namespace certdeck::test;
using crypto::Certificate;

class TestOcspResponse : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void statuses_data();
    void statuses();
    void sha256CertId();
    void nonce();
    void otherCertificate();
    void withoutIssuer();
    void staleAndFuture();
    void signedByAnotherKey();
    void badInput_data();
    void badInput();

private:
    /// `openssl ocsp` in responder mode answering `request` (DER).
    QByteArray respond(const QByteArray& request, const QString& signer = {},
                       const QString& key = {});
    /// A request for `cert` made by `openssl ocsp` (extra: -no_nonce, -sha256...).
    QByteArray opensslRequest(const QString& cert, const QStringList& extra);
    /// What `openssl ocsp -respin` says of `response` for `cert`.
    QString oracle(const QByteArray& response, const QString& cert);

    FixtureDir m_dir;
    TestPki m_pki;
    Certificate m_issuer;
    TestPki::Leaf m_lost;
    int m_seq = 0;
};

void TestOcspResponse::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec s;
    s.name = QStringLiteral("lost");
    m_lost = m_pki.issue(s);
    QVERIFY(m_pki.forget(m_lost));
    m_issuer = firstCertificateIn(m_pki.intermediateCert);
}

QByteArray TestOcspResponse::respond(const QByteArray& request, const QString& signer,
                                     const QString& key)
{
    const QString n = QString::number(++m_seq);
    const QString req = m_dir.filePath(QStringLiteral("r%1.req").arg(n));
    const QString resp = m_dir.filePath(QStringLiteral("r%1.resp").arg(n));
    if (!m_dir.write(QStringLiteral("r%1.req").arg(n), request)) {
        return {};
    }
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("ocsp"), QStringLiteral("-index"), m_pki.caIndex, QStringLiteral("-CA"),
             m_pki.intermediateCert, QStringLiteral("-rsigner"),
             signer.isEmpty() ? m_pki.intermediateCert : signer, QStringLiteral("-rkey"),
             key.isEmpty() ? m_pki.intermediateKey : key, QStringLiteral("-reqin"), req,
             QStringLiteral("-respout"), resp, QStringLiteral("-ndays"), QStringLiteral("1")},
            &out);
    return fileBytes(resp);
}

QByteArray TestOcspResponse::opensslRequest(const QString& cert, const QStringList& extra)
{
    const QString req = m_dir.filePath(QStringLiteral("o%1.req").arg(++m_seq));
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            // A digest option applies to the -cert after it.
            QStringList{QStringLiteral("ocsp"), QStringLiteral("-issuer"), m_pki.intermediateCert} +
                extra + QStringList{QStringLiteral("-cert"), cert, QStringLiteral("-reqout"), req},
            &out);
    return fileBytes(req);
}

QString TestOcspResponse::oracle(const QByteArray& response, const QString& cert)
{
    const QString name = QStringLiteral("oracle%1.resp").arg(++m_seq);
    if (!m_dir.write(name, response)) {
        return {};
    }
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("ocsp"), QStringLiteral("-respin"), m_dir.filePath(name),
             QStringLiteral("-issuer"), m_pki.intermediateCert, QStringLiteral("-cert"), cert,
             QStringLiteral("-VAfile"), m_pki.intermediateCert, QStringLiteral("-no_nonce")},
            &out);
    if (!out.contains("Response verify OK")) {
        return QStringLiteral("verify failure");
    }
    for (const char* s : {"good", "revoked", "unknown"}) {
        if (out.contains(QByteArray(": ") + s)) {
            return QString::fromLatin1(s);
        }
    }
    return QString::fromUtf8(out);
}

void TestOcspResponse::statuses_data()
{
    QTest::addColumn<QString>("cert");
    QTest::addColumn<int>("status");
    QTest::newRow("good") << m_pki.good.cert << int(CertStatus::Good);
    QTest::newRow("revoked") << m_pki.revoked.cert << int(CertStatus::Revoked);
    QTest::newRow("unknown") << m_lost.cert << int(CertStatus::Unknown);
    QTest::newRow("expired leaf, still good") << m_pki.expired.cert << int(CertStatus::Good);
}

void TestOcspResponse::statuses()
{
    QFETCH(QString, cert);
    QFETCH(int, status);
    const Certificate c = firstCertificateIn(cert);
    const auto req = buildOcspRequest(c, m_issuer, false);
    QVERIFY(req);
    const QByteArray resp = respond(req->der);
    QVERIFY(!resp.isEmpty());
    QCOMPARE(oracle(resp, cert), certStatusName(CertStatus(status)));
    const OcspResponseCheck r =
        checkOcspResponse(resp, c, m_issuer, QDateTime::currentDateTimeUtc());
    QVERIFY2(r.verified(), qPrintable(r.problems.join(u'\n')));
    QVERIFY(r.decoded && r.successful && r.matched && r.signatureValid);
    QCOMPARE(r.responseStatus, QStringLiteral("successful"));
    QCOMPARE(int(*r.status), status);
    QCOMPARE(r.nonce, NonceCheck::NotSent);
    QVERIFY(r.producedAt.isValid());
    QVERIFY(r.thisUpdate.secsTo(r.nextUpdate) >= 86400 - 60);
    if (CertStatus(status) == CertStatus::Revoked) {
        QCOMPARE(r.revocationReason, QStringLiteral("keyCompromise"));
        QVERIFY(r.revocationTime.isValid());
    }
}

void TestOcspResponse::sha256CertId()
{
    const QByteArray resp = respond(opensslRequest(
        m_pki.revoked.cert, {QStringLiteral("-sha256"), QStringLiteral("-no_nonce")}));
    const OcspResponseCheck r = checkOcspResponse(resp, firstCertificateIn(m_pki.revoked.cert),
                                                  m_issuer, QDateTime::currentDateTimeUtc());
    QVERIFY2(r.verified(), qPrintable(r.problems.join(u'\n')));
    QCOMPARE(*r.status, CertStatus::Revoked);
}

void TestOcspResponse::nonce()
{
    const Certificate c = firstCertificateIn(m_pki.good.cert);
    const auto req = buildOcspRequest(c, m_issuer, true);
    QVERIFY(req);
    QCOMPARE(req->nonce.size(), 32);
    const QByteArray resp = respond(req->der);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    OcspResponseCheck r = checkOcspResponse(resp, c, m_issuer, now, req->nonce);
    QCOMPARE(r.nonce, NonceCheck::Echoed);
    QVERIFY2(r.verified(), qPrintable(r.problems.join(u'\n')));

    QByteArray other = req->nonce;
    other[0] = char(other[0] ^ 0x01);
    r = checkOcspResponse(resp, c, m_issuer, now, other);
    QCOMPARE(r.nonce, NonceCheck::Mismatch);
    QVERIFY(!r.verified());
    QVERIFY(r.signatureValid);

    // A responder that leaves the nonce out is allowed.
    const auto plain = buildOcspRequest(c, m_issuer, false);
    r = checkOcspResponse(respond(plain->der), c, m_issuer, now, req->nonce);
    QCOMPARE(r.nonce, NonceCheck::Omitted);
    QVERIFY(r.verified());
}

void TestOcspResponse::otherCertificate()
{
    const QByteArray resp = respond(opensslRequest(m_pki.good.cert, {QStringLiteral("-no_nonce")}));
    const OcspResponseCheck r = checkOcspResponse(resp, firstCertificateIn(m_pki.revoked.cert),
                                                  m_issuer, QDateTime::currentDateTimeUtc());
    QVERIFY(!r.verified());
    QVERIFY(!r.matched);
    QVERIFY(!r.status);
    QVERIFY2(r.problems.first().contains(QLatin1String("no status for the certificate")),
             qPrintable(r.problems.join(u'\n')));
}

void TestOcspResponse::withoutIssuer()
{
    const QByteArray resp =
        respond(opensslRequest(m_pki.revoked.cert, {QStringLiteral("-no_nonce")}));
    const OcspResponseCheck r = checkOcspResponse(resp, firstCertificateIn(m_pki.revoked.cert), {},
                                                  QDateTime::currentDateTimeUtc());
    QVERIFY(r.matched); // by serial
    QCOMPARE(*r.status, CertStatus::Revoked);
    QVERIFY(!r.signatureValid);
    QVERIFY(!r.verified());
    QVERIFY(r.problems.join(u' ').contains(QLatin1String("signature cannot be checked")));
    // Without the certificate only the response is decoded.
    const OcspResponseCheck d = checkOcspResponse(resp, {}, {}, QDateTime::currentDateTimeUtc());
    QVERIFY(d.successful);
    QVERIFY(d.responder.contains(QLatin1String("CertDeck Test Intermediate")));
    QVERIFY(!d.status);
}

void TestOcspResponse::staleAndFuture()
{
    const Certificate c = firstCertificateIn(m_pki.good.cert);
    const QByteArray resp = respond(opensslRequest(m_pki.good.cert, {QStringLiteral("-no_nonce")}));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // Within the 5 minutes of skew: fine.
    QVERIFY(checkOcspResponse(resp, c, m_issuer, now.addDays(1).addSecs(120)).verified());
    OcspResponseCheck r = checkOcspResponse(resp, c, m_issuer, now.addDays(2));
    QVERIFY(!r.verified());
    QVERIFY(r.signatureValid);
    QVERIFY2(r.problems.join(u' ').contains(QLatin1String("stale")),
             qPrintable(r.problems.join(u'\n')));
    r = checkOcspResponse(resp, c, m_issuer, now.addSecs(-3600));
    QVERIFY(!r.verified());
    QVERIFY(r.problems.join(u' ').contains(QLatin1String("in the future")));
}

void TestOcspResponse::signedByAnotherKey()
{
    FixtureDir otherDir;
    TestPki other;
    QVERIFY2(other.create(otherDir.path(), {}), qPrintable(other.errorString()));
    const QByteArray resp =
        respond(opensslRequest(m_pki.revoked.cert, {QStringLiteral("-no_nonce")}),
                other.intermediateCert, other.intermediateKey);
    QCOMPARE(oracle(resp, m_pki.revoked.cert), QStringLiteral("verify failure"));
    const OcspResponseCheck r = checkOcspResponse(resp, firstCertificateIn(m_pki.revoked.cert),
                                                  m_issuer, QDateTime::currentDateTimeUtc());
    QVERIFY(!r.signatureValid);
    QVERIFY(!r.verified());
    QVERIFY(r.problems.join(u' ').contains(QLatin1String("signature does not verify")));
}

void TestOcspResponse::badInput_data()
{
    QTest::addColumn<QByteArray>("der");
    QTest::addColumn<QString>("problem");
    QTest::addColumn<bool>("decoded");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("not a DER OCSP response") << false;
    QTest::newRow("garbage") << QByteArray("\x30\x82\xff\xff garbage", 12)
                             << QStringLiteral("not a DER OCSP response") << false;
    QTest::newRow("trailing bytes")
        << QByteArray::fromHex("30030a010300") << QStringLiteral("1 bytes follow it") << false;
    QTest::newRow("tryLater") << QByteArray::fromHex("30030a0103")
                              << QStringLiteral("answered \"trylater\"") << true;
    QTest::newRow("unauthorized") << QByteArray::fromHex("30030a0106")
                                  << QStringLiteral("answered \"unauthorized\"") << true;
    QTest::newRow("malformedRequest") << QByteArray::fromHex("30030a0101")
                                      << QStringLiteral("answered \"malformedrequest\"") << true;
}

void TestOcspResponse::badInput()
{
    QFETCH(QByteArray, der);
    QFETCH(QString, problem);
    QFETCH(bool, decoded);
    const OcspResponseCheck r = checkOcspResponse(der, firstCertificateIn(m_pki.good.cert),
                                                  m_issuer, QDateTime::currentDateTimeUtc());
    QCOMPARE(r.decoded, decoded);
    QVERIFY(!r.successful);
    QVERIFY(!r.verified());
    QVERIFY2(r.problems.first().contains(problem, Qt::CaseInsensitive),
             qPrintable(r.problems.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestOcspResponse)
#include "test_ocspresponse.moc"
