// SPDX-License-Identifier: GPL-3.0-or-later
// The embedded IANA cipher-suite table: complete, consistent, and named as
// OpenSSL names it (`openssl ciphers -V -stdname` is the oracle).
#include "PeerProcess.h"
#include "probe/wire/CipherSuiteRegistry.h"

#include <QRegularExpression>
#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;
using certdeck::test::runTool;

class TestCipherSuiteRegistry : public QObject
{
    Q_OBJECT
private slots:
    void embeddedTableLoads();
    void namesMatchOpenssl();
    void knownSuites_data();
    void knownSuites();
    void strengthFollowsTheRules();
    void probeListsSplitTls13();
    void badTables_data();
    void badTables();
};

void TestCipherSuiteRegistry::embeddedTableLoads()
{
    const auto& reg = CipherSuiteRegistry::instance();
    QVERIFY2(reg.loadError().isEmpty(), qPrintable(reg.loadError()));
    // The registry held 350 assigned values (suites + 2 SCSVs) when the table was made.
    QVERIFY2(reg.all().size() >= 340, qPrintable(QString::number(reg.all().size())));
    QVERIFY(reg.find(0x00ff));
    QCOMPARE(reg.find(0x00ff)->strength, SuiteStrength::Signaling);
    QVERIFY(reg.find(0x5600));
    QVERIFY(!reg.find(0x0060)); // never registered (EXPORT1024)
    QVERIFY(!reg.find(0xfefe)); // vendor, not IANA
}

void TestCipherSuiteRegistry::namesMatchOpenssl()
{
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("ciphers"), QStringLiteral("-V"), QStringLiteral("-stdname"),
                      QStringLiteral("ALL:COMPLEMENTOFALL:@SECLEVEL=0")},
                     &out),
             0);
    // "0xC0,0x2F - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ..."
    static const QRegularExpression line(
        QStringLiteral(R"(0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)\s+(\S+))"));
    const auto& reg = CipherSuiteRegistry::instance();
    int checked = 0;
    for (const QByteArray& raw : out.split('\n')) {
        const auto m = line.match(QString::fromLatin1(raw));
        if (!m.hasMatch()) {
            continue;
        }
        const quint16 code = static_cast<quint16>((m.captured(1).toUInt(nullptr, 16) << 8) |
                                                  m.captured(2).toUInt(nullptr, 16));
        const CipherSuite* s = reg.find(code);
        QVERIFY2(s, qPrintable(QStringLiteral("OpenSSL knows %1, the table does not")
                                   .arg(QString::fromLatin1(raw))));
        QCOMPARE(s->ianaName, m.captured(3));
        QCOMPARE(s->opensslName, m.captured(4));
        QCOMPARE(s->isTls13(), m.captured(5) == QLatin1String("TLSv1.3"));
        QCOMPARE(reg.findByOpensslName(m.captured(4)), s);
        ++checked;
    }
    QVERIFY2(checked >= 100, qPrintable(QString::number(checked)));
}

void TestCipherSuiteRegistry::knownSuites_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("iana");
    QTest::addColumn<QString>("kx");
    QTest::addColumn<QString>("mac");
    QTest::addColumn<int>("bits");
    QTest::addColumn<QString>("strength");
    QTest::addColumn<QString>("versions");
    QTest::newRow("ecdhe-rsa-gcm") << 0xC02F << "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
                                   << "ECDHE"
                                   << "AEAD" << 128 << "strong"
                                   << "TLSv1.2-TLSv1.2";
    QTest::newRow("rsa-aes-cbc") << 0x002F << "TLS_RSA_WITH_AES_128_CBC_SHA"
                                 << "RSA"
                                 << "SHA" << 128 << "medium"
                                 << "SSLv3-TLSv1.2";
    QTest::newRow("3des") << 0x000A << "TLS_RSA_WITH_3DES_EDE_CBC_SHA"
                          << "RSA"
                          << "SHA" << 112 << "weak"
                          << "SSLv3-TLSv1.2";
    QTest::newRow("rc4") << 0x0005 << "TLS_RSA_WITH_RC4_128_SHA"
                         << "RSA"
                         << "SHA" << 128 << "insecure"
                         << "SSLv3-TLSv1.2";
    QTest::newRow("export") << 0x0003 << "TLS_RSA_EXPORT_WITH_RC4_40_MD5"
                            << "RSA_EXPORT"
                            << "MD5" << 40 << "insecure"
                            << "SSLv3-TLSv1.0";
    QTest::newRow("anon") << 0x0034 << "TLS_DH_anon_WITH_AES_128_CBC_SHA"
                          << "DH"
                          << "SHA" << 128 << "insecure"
                          << "SSLv3-TLSv1.2";
    QTest::newRow("null") << 0x0002 << "TLS_RSA_WITH_NULL_SHA"
                          << "RSA"
                          << "SHA" << 0 << "insecure"
                          << "SSLv3-TLSv1.2";
    QTest::newRow("tls13-aes") << 0x1301 << "TLS_AES_128_GCM_SHA256"
                               << "any"
                               << "AEAD" << 128 << "strong"
                               << "TLSv1.3-TLSv1.3";
    QTest::newRow("tls13-integrity-only") << 0xC0B4 << "TLS_SHA256_SHA256"
                                          << "any"
                                          << "SHA256" << 0 << "insecure"
                                          << "TLSv1.3-TLSv1.3";
    QTest::newRow("chacha") << 0xCCA8 << "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
                            << "ECDHE"
                            << "AEAD" << 256 << "strong"
                            << "TLSv1.2-TLSv1.2";
    QTest::newRow("ecdh-static") << 0xC02D << "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"
                                 << "ECDH"
                                 << "AEAD" << 128 << "medium"
                                 << "TLSv1.2-TLSv1.2";
}

void TestCipherSuiteRegistry::knownSuites()
{
    QFETCH(int, code);
    QFETCH(QString, iana);
    QFETCH(QString, kx);
    QFETCH(QString, mac);
    QFETCH(int, bits);
    QFETCH(QString, strength);
    QFETCH(QString, versions);
    const CipherSuite* s = CipherSuiteRegistry::instance().find(static_cast<quint16>(code));
    QVERIFY(s);
    QCOMPARE(s->ianaName, iana);
    QCOMPARE(CipherSuiteRegistry::instance().findByIanaName(iana), s);
    QCOMPARE(s->keyExchange, kx);
    QCOMPARE(s->mac, mac);
    QCOMPARE(s->bits, bits);
    QCOMPARE(suiteStrengthName(s->strength), strength);
    QCOMPARE(tlsVersionName(s->minVersion) + u'-' + tlsVersionName(s->maxVersion), versions);
}

// The rules of SuiteStrength, re-derived from the other columns of each row.
void TestCipherSuiteRegistry::strengthFollowsTheRules()
{
    for (const CipherSuite& s : CipherSuiteRegistry::instance().all()) {
        if (s.ianaName.endsWith(QLatin1String("_SCSV"))) {
            QCOMPARE(s.strength, SuiteStrength::Signaling);
            continue;
        }
        SuiteStrength expected;
        const QString& c = s.cipher;
        if (c.startsWith(QLatin1String("NULL")) || s.authentication == QLatin1String("anon") ||
            s.authentication == QLatin1String("NULL") ||
            s.keyExchange.contains(QLatin1String("EXPORT")) || c.startsWith(QLatin1String("RC4")) ||
            c.startsWith(QLatin1String("DES")) || c.startsWith(QLatin1String("RC2"))) {
            expected = SuiteStrength::Insecure;
        } else if (c.startsWith(QLatin1String("3DES")) || c.startsWith(QLatin1String("IDEA")) ||
                   c.startsWith(QLatin1String("28147")) || c.startsWith(QLatin1String("MAGMA")) ||
                   s.mac == QLatin1String("MD5")) {
            expected = SuiteStrength::Weak;
        } else if (!s.forwardSecret() || s.mac != QLatin1String("AEAD")) {
            expected = SuiteStrength::Medium;
        } else {
            expected = SuiteStrength::Strong;
        }
        QVERIFY2(s.strength == expected,
                 qPrintable(QStringLiteral("%1 is %2 in the table, the rules say %3")
                                .arg(s.ianaName, suiteStrengthName(s.strength),
                                     suiteStrengthName(expected))));
    }
}

void TestCipherSuiteRegistry::probeListsSplitTls13()
{
    const auto& reg = CipherSuiteRegistry::instance();
    const QList<quint16> tls13 = reg.probeSuitesFor(TlsVersion::Tls13);
    const QList<quint16> tls12 = reg.probeSuitesFor(TlsVersion::Tls12);
    QVERIFY(tls13.contains(0x1301) && tls13.contains(0x1303));
    QVERIFY(!tls13.contains(0xC02F));
    QVERIFY(tls12.contains(0xC02F) && tls12.contains(0x0004));
    QVERIFY(!tls12.contains(0x1301));
    QVERIFY(!tls12.contains(0x00ff) && !tls12.contains(0x5600));
    QCOMPARE(tls12.size() + tls13.size() + 2, reg.all().size());
    QCOMPARE(reg.probeSuitesFor(TlsVersion::Ssl3), tls12);
}

void TestCipherSuiteRegistry::badTables_data()
{
    QTest::addColumn<QByteArray>("tsv");
    QTest::addColumn<QString>("expected");
    const QByteArray good =
        "0x002F\tTLS_RSA_WITH_AES_128_CBC_SHA\tAES128-SHA\tRSA\tRSA\tAES_128_CBC\t128\tSHA\t"
        "ssl3-tls12\tmedium\n";
    QTest::newRow("empty") << QByteArray("# only a comment\n") << "no entries";
    QTest::newRow("columns") << QByteArray("0x0001\tTLS_X\n") << "line 1: expected 10";
    QTest::newRow("code") << QByteArray(good).replace("0x002F", "0x2F") << "line 1: code point";
    QTest::newRow("strength") << QByteArray(good).replace("medium", "meh")
                              << "line 1: strength \"meh\"";
    QTest::newRow("range") << QByteArray(good).replace("ssl3-tls12", "tls12-ssl3")
                           << "line 1: protocol range";
    QTest::newRow("bits") << QByteArray(good).replace("\t128\t", "\t999\t") << "line 1: bits";
    QTest::newRow("duplicate") << good + good << "line 2: code point 0x002F is listed twice";
    QTest::newRow("order") << good + QByteArray(good)
                                         .replace("0x002F", "0x0001")
                                         .replace("TLS_RSA_WITH_AES_128", "TLS_OTHER")
                           << "line 2: code point 0x0001 is out of order";
    QTest::newRow("name") << QByteArray(good).replace("TLS_RSA", "SSL_RSA") << "TLS_";
}

void TestCipherSuiteRegistry::badTables()
{
    QFETCH(QByteArray, tsv);
    QFETCH(QString, expected);
    const auto reg = CipherSuiteRegistry::parse(tsv, QStringLiteral("test.tsv"));
    QVERIFY(!reg);
    QCOMPARE(reg.error().code, ErrorCode::InvalidInput);
    QVERIFY2(reg.error().message.contains(expected), qPrintable(reg.error().message));
    QVERIFY2(reg.error().message.startsWith(QLatin1String("test.tsv")),
             qPrintable(reg.error().message));
}

QTEST_GUILESS_MAIN(TestCipherSuiteRegistry)
#include "test_ciphersuiteregistry.moc"
