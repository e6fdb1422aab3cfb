// SPDX-License-Identifier: GPL-3.0-or-later
// OCSP requests read back by `openssl ocsp -reqin -req_text`, the GET form
// of RFC 6960 A.1, and the OCSP/CRL URLs taken from certificates.
#include "PeerProcess.h"
#include "RevocationPeers.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "revocation/OcspRequest.h"

#include <QTest>

using namespace certdeck;
using namespace certdeck::revocation;
using namespace certdeck::test;
using crypto::Certificate;

class TestOcspRequest : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void requestAsOpensslReadsIt();
    void noncesDiffer();
    void getUrl_data();
    void getUrl();
    void urlsFromCertificates();
    void nullInputs();

private:
    FixtureDir m_dir;
    TestPki m_pki;
    Certificate m_leaf;
    Certificate m_issuer;
};

void TestOcspRequest::initTestCase()
{
    TestPki::Options o;
    o.ocspUrl = QStringLiteral("http://ocsp.example.test/");
    o.crlUrl = QStringLiteral("http://crl.example.test/int.crl");
    QVERIFY2(m_pki.create(m_dir.path(), o), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec s;
    s.name = QStringLiteral("leaf");
    const TestPki::Leaf leaf = m_pki.issue(s);
    QVERIFY(!leaf.name.isEmpty());
    m_leaf = firstCertificateIn(leaf.cert);
    m_issuer = firstCertificateIn(m_pki.intermediateCert);
}

void TestOcspRequest::requestAsOpensslReadsIt()
{
    const auto req = buildOcspRequest(m_leaf, m_issuer, true);
    QVERIFY2(req, qPrintable(req ? QString() : req.error().toString()));
    QVERIFY(m_dir.write(QStringLiteral("req.der"), req->der));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("ocsp"), QStringLiteral("-reqin"),
                      m_dir.filePath(QStringLiteral("req.der")), QStringLiteral("-req_text")},
                     &out),
             0);
    const QString serial = m_leaf.serialHex().remove(u':');
    QVERIFY2(QString::fromLatin1(out).contains(QStringLiteral("Serial Number: ") + serial,
                                               Qt::CaseInsensitive),
             out.constData());
    QVERIFY2(out.contains("Hash Algorithm: sha1"), out.constData());
    QVERIFY2(out.contains("OCSP Nonce"), out.constData());
    // The nonce openssl prints is ours, wrapped in an OCTET STRING (RFC 8954).
    const QByteArray hex = out.mid(out.indexOf("OCSP Nonce")).simplified();
    QVERIFY2(hex.toUpper().contains(("0420" + req->nonce.toHex()).toUpper()), out.constData());
    QVERIFY(!req->certId.isEmpty());
    QCOMPARE(req->certId, ocspCertId(m_leaf, m_issuer));
}

void TestOcspRequest::noncesDiffer()
{
    const auto a = buildOcspRequest(m_leaf, m_issuer, true);
    const auto b = buildOcspRequest(m_leaf, m_issuer, true);
    QVERIFY(a && b);
    QVERIFY(a->nonce != b->nonce);
    QCOMPARE(a->certId, b->certId);
    const auto none = buildOcspRequest(m_leaf, m_issuer, false);
    QVERIFY(none && none->nonce.isEmpty());
    QVERIFY(none->der.size() < a->der.size());
}

void TestOcspRequest::getUrl_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("prefix");
    QTest::newRow("root") << QStringLiteral("http://ocsp.example.test/")
                          << QStringLiteral("http://ocsp.example.test/");
    QTest::newRow("no slash") << QStringLiteral("http://ocsp.example.test")
                              << QStringLiteral("http://ocsp.example.test/");
    QTest::newRow("path") << QStringLiteral("http://ocsp.example.test:8080/ocsp")
                          << QStringLiteral("http://ocsp.example.test:8080/ocsp/");
}

void TestOcspRequest::getUrl()
{
    QFETCH(QString, base);
    QFETCH(QString, prefix);
    const auto req = buildOcspRequest(m_leaf, m_issuer, true);
    QVERIFY(req);
    const QUrl url = ocspGetUrl(QUrl(base), req->der);
    QVERIFY(url.isValid());
    const QByteArray encoded = url.toEncoded();
    QVERIFY2(encoded.startsWith(prefix.toLatin1()), encoded.constData());
    const QByteArray tail = encoded.mid(prefix.size());
    QVERIFY2(!tail.contains('/') && !tail.contains('+'), tail.constData());
    QCOMPARE(QByteArray::fromBase64(QByteArray::fromPercentEncoding(tail)), req->der);
    // With a 32-byte nonce the encoded request stays under RFC 5019's 255.
    QVERIFY2(tail.size() < kMaxGetRequestBytes, QByteArray::number(tail.size()).constData());
}

void TestOcspRequest::urlsFromCertificates()
{
    QCOMPARE(ocspUrls(m_leaf), QList<QUrl>{QUrl(QStringLiteral("http://ocsp.example.test/"))});
    QCOMPARE(crlUrls(m_leaf), QList<QUrl>{QUrl(QStringLiteral("http://crl.example.test/int.crl"))});
    // The intermediate names neither.
    QVERIFY(ocspUrls(m_issuer).isEmpty());
    QVERIFY(crlUrls(m_issuer).isEmpty());
}

void TestOcspRequest::nullInputs()
{
    QVERIFY(!buildOcspRequest({}, m_issuer, true));
    QVERIFY(!buildOcspRequest(m_leaf, {}, true));
    QVERIFY(ocspCertId(m_leaf, {}).isEmpty());
    QVERIFY(ocspUrls({}).isEmpty());
    QVERIFY(crlUrls({}).isEmpty());
}

QTEST_GUILESS_MAIN(TestOcspRequest)
#include "test_ocsprequest.moc"
