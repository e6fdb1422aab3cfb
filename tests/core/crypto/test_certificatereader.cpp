// SPDX-License-Identifier: GPL-3.0-or-later
// CertificateReader: every format made by the openssl CLI, and every kind of
// bad input, each error naming the file, line and block.
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTest>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int lineCount(const QByteArray& text)
{
    return static_cast<int>(text.count('\n'));
}

} // namespace

class TestCertificateReader : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void mixedPemBundleInAnyOrder();
    void derCertificate();
    void pkcs7FromOpenssl_data();
    void pkcs7FromOpenssl();
    void trustedCertificate();
    void pkcs12FromOpenssl_data();
    void pkcs12FromOpenssl();
    void badInputSaysWhere_data();
    void badInputSaysWhere();
    void tooLargeFile();
    void missingFile();
    void thousandCertificateBundle();

private:
    QString write(const QString& name, const QByteArray& data);
    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_leaf;
    QByteArray m_leafPem;
    QByteArray m_interPem;
    QByteArray m_rootPem;
};

QString TestCertificateReader::write(const QString& name, const QByteArray& data)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size()) {
        return {};
    }
    return path;
}

void TestCertificateReader::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("leaf");
    m_leaf = m_pki.issue(spec);
    QVERIFY2(!m_leaf.name.isEmpty(), qPrintable(m_pki.errorString()));
    m_leafPem = readAll(m_leaf.cert);
    m_interPem = readAll(m_pki.intermediateCert);
    m_rootPem = readAll(m_pki.rootCert);
    QVERIFY(m_leafPem.startsWith("-----BEGIN CERTIFICATE-----"));
}

void TestCertificateReader::mixedPemBundleInAnyOrder()
{
    const QString csr = m_dir.filePath(QStringLiteral("leaf.csr"));
    const QByteArray bundle = "Some notes an admin left at the top.\n\n" + m_rootPem +
                              readAll(csr) +
                              "subject=CN=intermediate (openssl x509 -text style noise)\n" +
                              m_interPem + readAll(m_leaf.key) + m_leafPem;
    const QString path = write(QStringLiteral("mixed.pem"), bundle);
    const auto b = CertificateReader::readFile(path);
    QVERIFY2(b, b ? "" : qPrintable(b.error().toString()));
    QCOMPARE(b->format, CertificateBundle::Format::Pem);
    QCOMPARE(b->certificates.size(), 3);
    // File order is kept; sorting into a chain is the chain builder's job.
    QVERIFY(b->certificates.at(0).subject().contains(u"Root"));
    QVERIFY(b->certificates.at(1).subject().contains(u"Intermediate"));
    QCOMPARE(b->certificates.at(2).commonName(), QStringLiteral("localhost"));
    QCOMPARE(b->privateKeysPem.size(), 1);
    QCOMPARE(b->privateKeysPem.first(), readAll(m_leaf.key));
    QVERIFY2(b->notes.join(u'|').contains(u"CERTIFICATE REQUEST skipped"),
             qPrintable(b->notes.join(u'|')));
    QVERIFY(b->notes.join(u'|').contains(u"mixed.pem line"));
}

void TestCertificateReader::derCertificate()
{
    const QString der = m_dir.filePath(QStringLiteral("leaf.der"));
    QCOMPARE(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("x509"), QStringLiteral("-in"), m_leaf.cert,
                 QStringLiteral("-outform"), QStringLiteral("DER"), QStringLiteral("-out"), der}),
        0);
    const auto b = CertificateReader::readFile(der);
    QVERIFY2(b, b ? "" : qPrintable(b.error().toString()));
    QCOMPARE(b->format, CertificateBundle::Format::Der);
    QCOMPARE(b->certificates.size(), 1);
    QCOMPARE(b->certificates.first().toPem(), m_leafPem);
}

void TestCertificateReader::pkcs7FromOpenssl_data()
{
    QTest::addColumn<QString>("outform");
    QTest::addColumn<int>("format");
    QTest::newRow("pem") << QStringLiteral("PEM") << int(CertificateBundle::Format::Pem);
    QTest::newRow("der") << QStringLiteral("DER") << int(CertificateBundle::Format::Pkcs7);
}

void TestCertificateReader::pkcs7FromOpenssl()
{
    QFETCH(QString, outform);
    QFETCH(int, format);
    const QString p7b = m_dir.filePath(QStringLiteral("chain-%1.p7b").arg(outform));
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("crl2pkcs7"), QStringLiteral("-nocrl"),
                      QStringLiteral("-certfile"), m_leaf.fullchain, QStringLiteral("-outform"),
                      outform, QStringLiteral("-out"), p7b}),
             0);
    const auto b = CertificateReader::readFile(p7b);
    QVERIFY2(b, b ? "" : qPrintable(b.error().toString()));
    QCOMPARE(int(b->format), format);
    QCOMPARE(b->certificates.size(), 2);
    QCOMPARE(b->certificates.at(0).toPem(), m_leafPem);
    QCOMPARE(b->certificates.at(1).toPem(), m_interPem);
}

void TestCertificateReader::trustedCertificate()
{
    const QString trusted = m_dir.filePath(QStringLiteral("trusted.pem"));
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-in"), m_pki.rootCert,
                      QStringLiteral("-trustout"), QStringLiteral("-addtrust"),
                      QStringLiteral("serverAuth"), QStringLiteral("-out"), trusted}),
             0);
    QVERIFY(readAll(trusted).startsWith("-----BEGIN TRUSTED CERTIFICATE-----"));
    const auto b = CertificateReader::readFile(trusted);
    QVERIFY2(b, b ? "" : qPrintable(b.error().toString()));
    QCOMPARE(b->certificates.size(), 1);
    QCOMPARE(b->certificates.first().toPem(), m_rootPem);
    QVERIFY(b->notes.join(u'|').contains(u"trust settings ignored"));
}

void TestCertificateReader::pkcs12FromOpenssl_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::newRow("modern") << false;
    QTest::newRow("legacy") << true;
}

void TestCertificateReader::pkcs12FromOpenssl()
{
    QFETCH(bool, legacy);
    const QString passFile = write(QStringLiteral("pass.txt"), "correct horse\n");
    QFile::setPermissions(passFile, QFile::ReadOwner | QFile::WriteOwner);
    const QString p12 =
        m_dir.filePath(legacy ? QStringLiteral("legacy.p12") : QStringLiteral("modern.p12"));
    QStringList args{QStringLiteral("pkcs12"),   QStringLiteral("-export"),
                     QStringLiteral("-inkey"),   m_leaf.key,
                     QStringLiteral("-in"),      m_leaf.fullchain,
                     QStringLiteral("-name"),    QStringLiteral("my server"),
                     QStringLiteral("-passout"), QStringLiteral("file:") + passFile,
                     QStringLiteral("-out"),     p12};
    if (legacy) {
        args << QStringLiteral("-legacy");
    }
    QByteArray out;
    QVERIFY2(runTool(QStringLiteral("openssl"), args, &out) == 0, out.constData());

    const auto b = CertificateReader::readFile(p12, "correct horse");
    QVERIFY2(b, b ? "" : qPrintable(b.error().toString()));
    QCOMPARE(b->format, CertificateBundle::Format::Pkcs12);
    QCOMPARE(b->certificates.size(), 2);
    QCOMPARE(b->certificates.at(0).toPem(), m_leafPem);
    QCOMPARE(b->certificates.at(1).toPem(), m_interPem);
    QCOMPARE(b->privateKeysPem.size(), 1);
    QVERIFY(b->privateKeysPem.first().startsWith("-----BEGIN PRIVATE KEY-----"));
    QVERIFY(b->notes.join(u'|').contains(u"friendly name \"my server\""));
    // `openssl pkcs12 -legacy` encrypts the certificates with RC2-40.
    QCOMPARE(b->notes.join(u'|').contains(u"legacy encryption"), legacy);

    const auto none = CertificateReader::readFile(p12);
    QVERIFY(!none);
    QCOMPARE(none.error().code, ErrorCode::InvalidInput);
    QVERIFY2(none.error().message.contains(u"needs a passphrase"),
             qPrintable(none.error().message));
    QVERIFY(none.error().message.contains(p12.section(u'/', -1)));
    const auto wrong = CertificateReader::readFile(p12, "wrong horse");
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, ErrorCode::Crypto);
    QVERIFY2(wrong.error().message.contains(u"Wrong passphrase"),
             qPrintable(wrong.error().message));
}

void TestCertificateReader::badInputSaysWhere_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("expected");

    const QByteArray leaf = m_leafPem;
    const int leafLines = lineCount(leaf);
    const QList<QByteArray> interLines = m_interPem.split('\n');

    // Block 2 stops after 6 lines: BEGIN without END.
    QByteArray truncated = leaf;
    for (int i = 0; i < 6; ++i) {
        truncated += interLines.at(i) + '\n';
    }
    QTest::newRow("BEGIN without END")
        << truncated
        << QStringLiteral("bundle.pem line %1 (block 2): BEGIN CERTIFICATE has no END line")
               .arg(leafLines + 1);

    // A character that is not base64 on the third body line of block 2.
    QList<QByteArray> bad = interLines;
    bad[3][10] = '!';
    QTest::newRow("bad base64") << leaf + bad.join('\n')
                                << QStringLiteral(
                                       "bundle.pem line %1 (block 2): bad base64: character '!'")
                                       .arg(leafLines + 4);

    // One character missing from a body line: the length is off.
    QList<QByteArray> cut = interLines;
    cut[2].chop(1);
    QTest::newRow("base64 truncated")
        << leaf + cut.join('\n')
        << QStringLiteral("bundle.pem line %1 (block 2): base64 body is truncated")
               .arg(leafLines + lineCount(m_interPem));

    // Whole lines missing from the middle: valid base64, broken DER.
    QList<QByteArray> lines = interLines;
    lines.remove(3, 4);
    QTest::newRow("DER cut short")
        << leaf + lines.join('\n')
        << QStringLiteral("bundle.pem line %1 (block 2): the CERTIFICATE block does not hold a "
                          "valid X.509 certificate")
               .arg(leafLines + 1);

    QTest::newRow("block that is not a certificate")
        << QByteArray("-----BEGIN CERTIFICATE-----\n" + QByteArray("hello, world").toBase64() +
                      "\n-----END CERTIFICATE-----\n")
        << QStringLiteral("bundle.pem line 1 (block 1): the CERTIFICATE block does not hold");

    QTest::newRow("END does not match")
        << QByteArray("\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END PKCS7-----\n")
        << QStringLiteral("bundle.pem line 4 (block 1): END line does not match BEGIN "
                          "CERTIFICATE on line 2");

    QTest::newRow("DER garbage")
        << QByteArray("\x30\x82\x01\x00garbage that is not DER", 27)
        << QStringLiteral("bundle.pem: DER is truncated: byte 0 starts a SEQUENCE of 256 bytes");

    QTest::newRow("DER of something else")
        << QByteArray("\x30\x03\x02\x01\x05", 5)
        << QStringLiteral("bundle.pem: DER data that is neither an X.509 certificate, PKCS#7 "
                          "nor PKCS#12");

    QTest::newRow("binary garbage")
        << QByteArray("\x7f\x45\x4c\x46\x02\x01\x01", 7)
        << QStringLiteral("bundle.pem is not a certificate file: no PEM block");

    QTest::newRow("text without PEM")
        << QByteArray("0 this is a README, not a certificate\n")
        << QStringLiteral("bundle.pem is not a certificate file: text without any PEM block");

    QTest::newRow("empty") << QByteArray("\n \n") << QStringLiteral("bundle.pem is empty");
}

void TestCertificateReader::badInputSaysWhere()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, expected);
    const QString path = write(QStringLiteral("bundle.pem"), data);
    const auto b = CertificateReader::readFile(path);
    QVERIFY(!b);
    QCOMPARE(b.error().code, ErrorCode::InvalidInput);
    QVERIFY2(b.error().message.startsWith(expected),
             qPrintable(b.error().message + QStringLiteral("\n  expected: ") + expected));
    // The same from memory.
    const auto m = CertificateReader::readBytes(data, QStringLiteral("bundle.pem"));
    QVERIFY(!m);
    QCOMPARE(m.error().message, b.error().message);
}

void TestCertificateReader::tooLargeFile()
{
    QByteArray big = m_leafPem;
    big += QByteArray(10 * 1024 * 1024, 'A');
    const QString path = write(QStringLiteral("huge.pem"), big);
    const auto b = CertificateReader::readFile(path);
    QVERIFY(!b);
    QCOMPARE(b.error().code, ErrorCode::InvalidInput);
    QVERIFY2(b.error().message.startsWith(
                 u"huge.pem is too large for a certificate file (10.0 MB; the limit is 8.0 MB)"),
             qPrintable(b.error().message));
}

void TestCertificateReader::missingFile()
{
    const auto b = CertificateReader::readFile(m_dir.filePath(QStringLiteral("nope.pem")));
    QVERIFY(!b);
    QCOMPARE(b.error().code, ErrorCode::NotFound);
    QVERIFY(b.error().message.startsWith(u"nope.pem: "));
}

void TestCertificateReader::thousandCertificateBundle()
{
    QByteArray bundle;
    for (int i = 0; i < 1000; ++i) {
        bundle += (i % 2 == 0 ? m_leafPem : m_interPem);
    }
    const QString path = write(QStringLiteral("thousand.pem"), bundle);
    QElapsedTimer t;
    t.start();
    const auto b = CertificateReader::readFile(path);
    const qint64 ms = t.elapsed();
    QVERIFY2(b, b ? "" : qPrintable(b.error().toString()));
    QCOMPARE(b->certificates.size(), 1000);
    QCOMPARE(b->certificates.at(999).toPem(), m_interPem);
    // Reported, never asserted: timing belongs in tests/bench.
    qInfo("1000-certificate bundle (%lld bytes) read in %lld ms", qint64(bundle.size()), ms);
}

QTEST_GUILESS_MAIN(TestCertificateReader)
#include "test_certificatereader.moc"
