// SPDX-License-Identifier: GPL-3.0-or-later
// The prober's (protocol, cipher suite) pairs against two independent
// scanners run on the same server in the same test: sslscan (its XML) and
// nmap's ssl-enum-ciphers. nginx and HAProxy, in the configurations admins
// actually run. Debian's libssl serves no 3DES, RC4, export or NULL suites
// (nginx drops them silently), so the legacy rows ask for 3DES and all three
// tools must agree it is absent; servers offering such suites are a job for
// tests/support/HostileTlsServer, not for these peers.
#include "HaproxyFixture.h"
#include "NginxFixture.h"
#include "ScannerOracle.h"
#include "TestPki.h"
#include "probe/scan/TlsProber.h"
#include "probe/wire/CipherSuiteRegistry.h"
#include "probe/wire/NamedGroup.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;

namespace {

QSet<QString> engineSet(const ProbeResult& r)
{
    QSet<QString> out;
    const auto& reg = CipherSuiteRegistry::instance();
    for (const auto& [version, code] : r.acceptedPairs()) {
        out.insert(tlsVersionName(version) + u' ' + reg.find(code)->ianaName);
    }
    return out;
}

QSet<QString> oracleSet(const QList<OracleSuite>& suites)
{
    QSet<QString> out;
    const auto& reg = CipherSuiteRegistry::instance();
    for (const OracleSuite& s : suites) {
        const CipherSuite* c = s.code ? reg.find(*s.code) : reg.findByIanaName(s.name);
        // An unknown name stays as written, so the comparison shows it.
        out.insert(s.version + u' ' + (c ? c->ianaName : s.name));
    }
    return out;
}

std::optional<TlsVersion> versionNamed(const QString& name)
{
    for (TlsVersion v : allTlsVersions()) {
        if (tlsVersionName(v) == name) {
            return v;
        }
    }
    return std::nullopt;
}

QString describe(const QSet<QString>& a, const QSet<QString>& b)
{
    QStringList onlyA = QSet<QString>(a).subtract(b).values();
    QStringList onlyB = QSet<QString>(b).subtract(a).values();
    onlyA.sort();
    onlyB.sort();
    return QStringLiteral("only prober: [%1]\nonly scanner: [%2]")
        .arg(onlyA.join(QLatin1String(", ")), onlyB.join(QLatin1String(", ")));
}

} // namespace

class TestProbeOracle : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void matchesScanners_data();
    void matchesScanners();
    void cleanupTestCase();

private:
    ProbeResult probe(quint16 port);

    FixtureDir m_pkiDir;
    TestPki m_pki;
    TestPki::Leaf m_ecdsa;
    TestPki::Leaf m_rsa;
    qint64 m_proberMs = 0;
    qint64 m_sslscanMs = 0;
    qint64 m_nmapMs = 0;
};

void TestProbeOracle::initTestCase()
{
    TestPki::Options opt;
    opt.keyType = TestPki::KeyType::EcdsaP256;
    QVERIFY2(m_pki.create(m_pkiDir.path(), opt), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec ecdsa;
    ecdsa.name = QStringLiteral("ecdsa");
    m_ecdsa = m_pki.issue(ecdsa);
    QVERIFY2(!m_ecdsa.name.isEmpty(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec rsa;
    rsa.name = QStringLiteral("rsa");
    rsa.keyType = TestPki::KeyType::Rsa2048;
    m_rsa = m_pki.issue(rsa);
    QVERIFY2(!m_rsa.name.isEmpty(), qPrintable(m_pki.errorString()));
}

ProbeResult TestProbeOracle::probe(quint16 port)
{
    ProbeTarget target;
    target.host = QStringLiteral("127.0.0.1");
    target.port = port;
    target.sni = QStringLiteral("localhost");
    TlsProber prober(target, ProbeOptions{});
    QSignalSpy finished(&prober, &TlsProber::finished);
    prober.start();
    if (!finished.wait(60000)) {
        return {};
    }
    return prober.result().value_or(ProbeResult{});
}

void TestProbeOracle::matchesScanners_data()
{
    QTest::addColumn<QString>("server"); // nginx | haproxy
    QTest::addColumn<QString>("leaf");   // ecdsa | rsa | both
    QTest::addColumn<QString>("config"); // nginx server-block TLS lines / haproxy bind options
    QTest::addColumn<QStringList>("mustHave");      // "TLSv1.2 0xC02F" pairs that must be there
    QTest::addColumn<QStringList>("versions");      // accepted versions, exactly
    QTest::addColumn<int>("order");                 // expected order of TLS 1.2, -1: not checked
    QTest::addColumn<QList<quint16>>("tls12Order"); // expected TLS 1.2 suite order, if any
    QTest::addColumn<QStringList>("groups");        // expected groups when set by the config

    QTest::newRow("nginx TLS 1.3 only")
        << "nginx"
        << "ecdsa"
        << "ssl_protocols TLSv1.3;\n"
        << QStringList{"TLSv1.3 0x1301", "TLSv1.3 0x1302", "TLSv1.3 0x1303"}
        << QStringList{"TLSv1.3"} << -1 << QList<quint16>{} << QStringList{};
    // No x25519: every TLS 1.3 answer is a HelloRetryRequest.
    QTest::newRow("nginx TLS 1.3 only, P-384 and x448")
        << "nginx"
        << "ecdsa"
        << "ssl_protocols TLSv1.3;\nssl_ecdh_curve secp384r1:x448;\n"
        << QStringList{"TLSv1.3 0x1301", "TLSv1.3 0x1302", "TLSv1.3 0x1303"}
        << QStringList{"TLSv1.3"} << -1 << QList<quint16>{} << QStringList{"x448", "secp384r1"};
    QTest::newRow("nginx TLS 1.2+1.3 ECDHE AEAD")
        << "nginx"
        << "rsa"
        << "ssl_protocols TLSv1.2 TLSv1.3;\nssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;\n"
        << QStringList{"TLSv1.2 0xC02F", "TLSv1.2 0xC030", "TLSv1.2 0xCCA8", "TLSv1.3 0x1301"}
        << QStringList{"TLSv1.2", "TLSv1.3"} << -1 << QList<quint16>{} << QStringList{};
    QTest::newRow("nginx legacy TLS 1.0-1.2 CBC + RSA kx (+3DES asked)")
        << "nginx"
        << "rsa"
        << "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n"
           "ssl_ciphers 'AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA256:"
           "CAMELLIA128-SHA:DES-CBC3-SHA:ECDHE-RSA-DES-CBC3-SHA:@SECLEVEL=0';\n"
        << QStringList{"TLSv1.0 0x002F", "TLSv1.1 0x0035", "TLSv1.2 0x003C", "TLSv1.0 0xC013"}
        << QStringList{"TLSv1.0", "TLSv1.1", "TLSv1.2"} << -1 << QList<quint16>{} << QStringList{};
    QTest::newRow("nginx ECDSA + RSA certificates")
        << "nginx"
        << "both"
        << "ssl_protocols TLSv1.2 TLSv1.3;\n"
           "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
           "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA384;\n"
        << QStringList{"TLSv1.2 0xC02B", "TLSv1.2 0xC02F", "TLSv1.2 0xCCA9", "TLSv1.2 0xC028"}
        << QStringList{"TLSv1.2", "TLSv1.3"} << -1 << QList<quint16>{} << QStringList{};
    const QString ordered =
        QStringLiteral("ssl_protocols TLSv1.2;\n"
                       "ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
                       "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA;\n"
                       "ssl_ecdh_curve secp521r1:secp256r1;\n");
    QTest::newRow("nginx server order on")
        << "nginx"
        << "rsa" << ordered + QStringLiteral("ssl_prefer_server_ciphers on;\n")
        << QStringList{"TLSv1.2 0x002F"} << QStringList{"TLSv1.2"} << int(ServerOrder::Server)
        << QList<quint16>{0xC030, 0xCCA8, 0xC02F, 0x002F} << QStringList{"secp256r1", "secp521r1"};
    QTest::newRow("nginx server order off")
        << "nginx"
        << "rsa" << ordered + QStringLiteral("ssl_prefer_server_ciphers off;\n")
        << QStringList{"TLSv1.2 0x002F"} << QStringList{"TLSv1.2"} << int(ServerOrder::Client)
        << QList<quint16>{} << QStringList{"secp256r1", "secp521r1"};
    QTest::newRow("haproxy TLS 1.2+1.3 ECDHE AEAD")
        << "haproxy"
        << "ecdsa"
        << "ssl-min-ver TLSv1.2 ciphers ECDHE+AESGCM:ECDHE+CHACHA20 "
           "ciphersuites TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"
        << QStringList{"TLSv1.2 0xC02B", "TLSv1.3 0x1303"} << QStringList{"TLSv1.2", "TLSv1.3"}
        << -1 << QList<quint16>{} << QStringList{};
    QTest::newRow("haproxy legacy TLS 1.0-1.2")
        << "haproxy"
        << "rsa"
        << "ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.2 "
           "ciphers AES128-SHA:ECDHE-RSA-AES256-SHA:DES-CBC3-SHA:@SECLEVEL=0"
        << QStringList{"TLSv1.0 0x002F", "TLSv1.2 0xC014"}
        << QStringList{"TLSv1.0", "TLSv1.1", "TLSv1.2"} << -1 << QList<quint16>{} << QStringList{};
}

void TestProbeOracle::matchesScanners()
{
    QFETCH(QString, server);
    QFETCH(QString, leaf);
    QFETCH(QString, config);
    QFETCH(QStringList, mustHave);
    QFETCH(QStringList, versions);
    QFETCH(int, order);
    QFETCH(QList<quint16>, tls12Order);
    QFETCH(QStringList, groups);

    NginxFixture nginx;
    HaproxyFixture haproxy;
    quint16 port = 0;
    if (server == QLatin1String("nginx")) {
        QString certs;
        if (leaf != QLatin1String("rsa")) {
            certs += QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n")
                         .arg(m_ecdsa.fullchain, m_ecdsa.key);
        }
        if (leaf != QLatin1String("ecdsa")) {
            certs += QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n")
                         .arg(m_rsa.fullchain, m_rsa.key);
        }
        QVERIFY2(nginx.start(certs + config), qPrintable(nginx.errorString()));
        port = nginx.port();
    } else {
        QVERIFY2(haproxy.start(leaf == QLatin1String("rsa") ? m_rsa : m_ecdsa, config),
                 qPrintable(haproxy.errorString()));
        port = haproxy.port();
    }

    QElapsedTimer clock;
    clock.start();
    const ProbeResult result = probe(port);
    const qint64 proberMs = clock.restart();
    QVERIFY2(result.errors.isEmpty(),
             qPrintable(result.errors.isEmpty() ? QString() : result.errors.first().message));
    QString error;
    QList<OracleGroup> scannedGroups;
    const auto sslscan = ScannerOracle::sslscan(port, QStringLiteral("localhost"), m_pkiDir.path(),
                                                &error, &scannedGroups);
    QVERIFY2(sslscan, qPrintable(error));
    const qint64 sslscanMs = clock.restart();
    const auto nmap = ScannerOracle::nmap(port, &error);
    QVERIFY2(nmap, qPrintable(error));
    const qint64 nmapMs = clock.restart();
    m_proberMs += proberMs;
    m_sslscanMs += sslscanMs;
    m_nmapMs += nmapMs;
    qInfo("%s: prober %lld ms (%d connections), sslscan %lld ms, nmap %lld ms",
          QTest::currentDataTag(), proberMs, result.connections, sslscanMs, nmapMs);

    const QSet<QString> mine = engineSet(result);
    QVERIFY2(mine == oracleSet(*sslscan), qPrintable(QStringLiteral("sslscan disagrees:\n") +
                                                     describe(mine, oracleSet(*sslscan))));
    QVERIFY2(mine == oracleSet(*nmap),
             qPrintable(QStringLiteral("nmap disagrees:\n") + describe(mine, oracleSet(*nmap))));

    // What the configuration says, independently of the scanners.
    for (const QString& want : mustHave) {
        const auto v = versionNamed(want.section(u' ', 0, 0));
        QVERIFY2(v, qPrintable(want));
        const quint16 code = static_cast<quint16>(want.section(u' ', 1).toUInt(nullptr, 16));
        QVERIFY2(result.acceptedPairs().contains(std::pair{*v, code}), qPrintable(want));
    }
    QStringList accepted;
    for (const ProtocolProbe& p : result.protocols) {
        if (p.accepted) {
            accepted << tlsVersionName(p.version);
        }
    }
    QCOMPARE(accepted, versions);
    for (const auto& [v, code] : result.acceptedPairs()) {
        QVERIFY2(
            !CipherSuiteRegistry::instance().find(code)->cipher.startsWith(QLatin1String("3DES")),
            "Debian's libssl serves no 3DES: a 3DES suite here means the scanners were "
            "fooled too");
    }
    if (order >= 0) {
        QCOMPARE(serverOrderName(result.protocol(TlsVersion::Tls12)->order),
                 serverOrderName(static_cast<ServerOrder>(order)));
    }
    if (!tls12Order.isEmpty()) {
        QCOMPARE(result.protocol(TlsVersion::Tls12)->suites, tls12Order);
    }
    // Groups: as configured where the row says, and as sslscan finds them
    // over TLS 1.3 (its TLS 1.2 group scan stops early, so it is no oracle there).
    QStringList found;
    for (quint16 g : result.groups) {
        found << namedGroupName(g);
    }
    if (!groups.isEmpty()) {
        QCOMPARE(found, groups);
    }
    if (result.protocol(TlsVersion::Tls13)->accepted) {
        QStringList scanned;
        for (quint16 g : probedGroups()) {
            for (const OracleGroup& og : scannedGroups) {
                if (og.version == QLatin1String("TLSv1.3") && og.id == g) {
                    scanned << namedGroupName(g);
                }
            }
        }
        QCOMPARE(found, scanned);
    }
    for (const ProtocolProbe& p : result.protocols) {
        if (p.accepted && p.version != TlsVersion::Tls13) {
            // OpenSSL has implemented RFC 5746 since 0.9.8m and never compresses.
            QCOMPARE(p.secureRenegotiation, std::optional<bool>(true));
        }
        QCOMPARE(p.compression, quint8(0));
    }
    // accepted + 1 connections per tested version, plus order checks, groups and DHE.
    QVERIFY2(result.connections >= result.acceptedPairs().size() + 5,
             qPrintable(QString::number(result.connections)));
    QVERIFY(!result.groups.isEmpty());
}

void TestProbeOracle::cleanupTestCase()
{
    qInfo("total: prober %lld ms, sslscan %lld ms, nmap %lld ms", m_proberMs, m_sslscanMs,
          m_nmapMs);
}

QTEST_GUILESS_MAIN(TestProbeOracle)
#include "test_probe_oracle.moc"
