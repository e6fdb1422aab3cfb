// SPDX-License-Identifier: GPL-3.0-or-later
// Pkcs12 export checked by `openssl pkcs12 -info` (the algorithms) and by
// openssl reading the files back; import of openssl's own files.
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "crypto/OpenSslError.h"
#include "crypto/Pkcs12.h"

#include <QFile>
#include <QTest>
#include <openssl/pem.h>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

ossl::PKeyPtr loadKey(const QString& path)
{
    const QByteArray pem = readAll(path);
    ossl::BioPtr bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    return ossl::PKeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

} // namespace

class TestPkcs12 : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void exportIsReadByOpenssl_data();
    void exportIsReadByOpenssl();
    void roundTrip();
    void refusals();
    void wrongPassphraseAndGarbage();

private:
    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_leaf;
    QString m_passFile;
    Certificate m_cert;
    Certificate m_inter;
};

void TestPkcs12::initTestCase()
{
    TestPki::Options opt;
    opt.keyType = TestPki::KeyType::Rsa2048;
    QVERIFY2(m_pki.create(m_dir.path(), opt), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("leaf");
    m_leaf = m_pki.issue(spec);
    QVERIFY2(!m_leaf.name.isEmpty(), qPrintable(m_pki.errorString()));
    auto b = CertificateReader::readFile(m_leaf.fullchain);
    QVERIFY(b && b->certificates.size() == 2);
    m_cert = b->certificates.at(0);
    m_inter = b->certificates.at(1);
    m_passFile = m_dir.filePath(QStringLiteral("pass"));
    QVERIFY(m_dir.write(QStringLiteral("pass"), "s3cret pass\n"));
    QFile::setPermissions(m_passFile, QFile::ReadOwner | QFile::WriteOwner);
}

void TestPkcs12::exportIsReadByOpenssl_data()
{
    QTest::addColumn<int>("profile");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("modern") << int(Pkcs12::Profile::Modern)
                            << QStringList{QStringLiteral("MAC: sha256, Iteration 10000"),
                                           QStringLiteral("PBES2, PBKDF2, AES-256-CBC, "
                                                          "Iteration 10000, PRF hmacWithSHA256")};
    QTest::newRow("legacy") << int(Pkcs12::Profile::Legacy)
                            << QStringList{QStringLiteral("MAC: sha1, Iteration 2048"),
                                           QStringLiteral("pbeWithSHA1And3-KeyTripleDES-CBC, "
                                                          "Iteration 2048")};
}

void TestPkcs12::exportIsReadByOpenssl()
{
    QFETCH(int, profile);
    QFETCH(QStringList, expected);
    const ossl::PKeyPtr key = loadKey(m_leaf.key);
    QVERIFY(key);
    auto der =
        Pkcs12::exportDer(key.get(), m_cert, {m_inter}, "s3cret pass", QStringLiteral("api server"),
                          static_cast<Pkcs12::Profile>(profile));
    QVERIFY2(der, der ? "" : qPrintable(der.error().toString()));
    const QString p12 = m_dir.filePath(QStringLiteral("out-%1.p12").arg(profile));
    QVERIFY(m_dir.write(QStringLiteral("out-%1.p12").arg(profile), *der));

    QByteArray info;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkcs12"), QStringLiteral("-in"), p12, QStringLiteral("-info"),
                      QStringLiteral("-noout"), QStringLiteral("-passin"),
                      QStringLiteral("file:") + m_passFile},
                     &info),
             0);
    for (const QString& e : expected) {
        QVERIFY2(info.contains(e.toUtf8()), info.constData());
    }
    // Both profiles open without OpenSSL's legacy provider: no RC2/RC4.
    QVERIFY2(!info.contains("RC2") && !info.contains("RC4"), info.constData());

    QByteArray pem;
    QCOMPARE(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("pkcs12"), QStringLiteral("-in"), p12, QStringLiteral("-nokeys"),
                 QStringLiteral("-passin"), QStringLiteral("file:") + m_passFile},
                &pem),
        0);
    QVERIFY(pem.contains("friendlyName: api server"));
    QVERIFY(pem.contains(m_cert.toPem()));
    QVERIFY(pem.contains(m_inter.toPem()));
    // A wrong passphrase is refused by openssl too: the MAC is really there.
    QVERIFY(m_dir.write(QStringLiteral("wrong"), "nope\n"));
    QByteArray wrong;
    QVERIFY(runTool(QStringLiteral("openssl"),
                    {QStringLiteral("pkcs12"), QStringLiteral("-in"), p12, QStringLiteral("-noout"),
                     QStringLiteral("-passin"),
                     QStringLiteral("file:") + m_dir.filePath(QStringLiteral("wrong"))},
                    &wrong) != 0);
    QVERIFY2(wrong.contains("Mac verify error"), wrong.constData());
}

void TestPkcs12::roundTrip()
{
    const ossl::PKeyPtr key = loadKey(m_leaf.key);
    for (const auto profile : {Pkcs12::Profile::Modern, Pkcs12::Profile::Legacy}) {
        auto der =
            Pkcs12::exportDer(key.get(), m_cert, {m_inter}, "pw", QStringLiteral("x"), profile);
        QVERIFY(der);
        auto back = Pkcs12::import(*der, "pw", QStringLiteral("rt.p12"));
        QVERIFY2(back, back ? "" : qPrintable(back.error().toString()));
        QCOMPARE(back->leaf, m_cert);
        QCOMPARE(back->chain.size(), 1);
        QCOMPARE(back->chain.first(), m_inter);
        QCOMPARE(back->friendlyName, QStringLiteral("x"));
        QVERIFY(back->key);
        QCOMPARE(EVP_PKEY_eq(back->key.get(), key.get()), 1);
        QVERIFY(back->keyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
        QVERIFY(!back->usedLegacyAlgorithms);
        QVERIFY(back->hadMac);
    }
}

void TestPkcs12::refusals()
{
    const ossl::PKeyPtr key = loadKey(m_leaf.key);
    auto empty = Pkcs12::exportDer(key.get(), m_cert, {}, {}, {});
    QVERIFY(!empty);
    QVERIFY(empty.error().message.contains(u"needs a passphrase"));
    // The intermediate's key is not the leaf's.
    const ossl::PKeyPtr other = loadKey(m_pki.intermediateKey);
    QVERIFY(other);
    auto mismatch = Pkcs12::exportDer(other.get(), m_cert, {}, "pw", {});
    QVERIFY(!mismatch);
    QCOMPARE(mismatch.error().code, ErrorCode::InvalidInput);
    QVERIFY2(mismatch.error().message.contains(u"does not belong to the certificate"),
             qPrintable(mismatch.error().message));
    static_cast<void>(ossl::drainErrors());
}

void TestPkcs12::wrongPassphraseAndGarbage()
{
    const ossl::PKeyPtr key = loadKey(m_leaf.key);
    auto der = Pkcs12::exportDer(key.get(), m_cert, {}, "right", {});
    QVERIFY(der);
    auto wrong = Pkcs12::import(*der, "wrong", QStringLiteral("a.p12"));
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, ErrorCode::Crypto);
    QCOMPARE(wrong.error().message,
             QStringLiteral("Wrong passphrase for a.p12 (the PKCS#12 MAC does not match)"));
    auto none = Pkcs12::import(*der, {}, QStringLiteral("a.p12"));
    QVERIFY(!none);
    QCOMPARE(none.error().code, ErrorCode::InvalidInput);
    QCOMPARE(none.error().message, QStringLiteral("a.p12 is PKCS#12 and needs a passphrase"));
    auto garbage = Pkcs12::import(der->left(der->size() / 2), "right", QStringLiteral("a.p12"));
    QVERIFY(!garbage);
    QVERIFY(garbage.error().message.startsWith(u"a.p12 is not a PKCS#12 file"));
    QVERIFY(!Pkcs12::looksLikePkcs12(QByteArray("\x30\x00", 2)));
    QVERIFY(Pkcs12::looksLikePkcs12(*der));
}

QTEST_GUILESS_MAIN(TestPkcs12)
#include "test_pkcs12.moc"
