// SPDX-License-Identifier: GPL-3.0-or-later
// Whose cipher-suite order decides, per protocol, against real HAProxy and
// nginx in the configurations admins run, checked against two oracles in
// the same test: nmap's ssl-enum-ciphers "cipher preference" (TLS 1.2, plain
// server or client order only: nmap swaps two suites, so it cannot see
// ChaCha20 preference and reads it as either), and `openssl s_client`, whose
// own ClientHellos ask the same questions as the prober (two suites other
// than ChaCha20 both ways; ChaCha20 first and last; a suite the server does
// not take in front).
#include "HaproxyFixture.h"
#include "NginxFixture.h"
#include "ScannerOracle.h"
#include "TestPki.h"
#include "probe/scan/TlsProber.h"
#include "probe/wire/CipherSuiteRegistry.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;

namespace {

bool isChaCha(quint16 code)
{
    return CipherSuiteRegistry::instance().find(code)->cipher == QLatin1String("CHACHA20_POLY1305");
}

/// The suite OpenSSL's own client negotiates offering `suites` in this order.
std::optional<quint16> sClientChoice(quint16 port, TlsVersion version, const QList<quint16>& suites,
                                     QString* error)
{
    const auto& reg = CipherSuiteRegistry::instance();
    QStringList names;
    for (quint16 code : suites) {
        names << reg.find(code)->opensslName;
    }
    QStringList args{QStringLiteral("s_client"), QStringLiteral("-connect"),
                     QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-servername"),
                     QStringLiteral("localhost")};
    if (version == TlsVersion::Tls13) {
        args << QStringLiteral("-tls1_3") << QStringLiteral("-ciphersuites") << names.join(u':');
    } else {
        args << QStringLiteral("-tls1_2") << QStringLiteral("-cipher") << names.join(u':');
    }
    QByteArray out;
    runTool(QStringLiteral("openssl"), args, &out, 30000);
    static const QRegularExpression cipherIs(QStringLiteral(R"(Cipher is (\S+))"));
    const auto m = cipherIs.match(QString::fromLatin1(out));
    const CipherSuite* chosen = m.hasMatch() ? reg.findByOpensslName(m.captured(1)) : nullptr;
    if (chosen == nullptr) {
        *error = QStringLiteral("openssl s_client %1: no cipher in\n%2")
                     .arg(args.join(u' '), QString::fromLatin1(out.right(1500)));
        return std::nullopt;
    }
    return chosen->code;
}

/// The order as `openssl s_client` finds it, with the prober's questions.
std::optional<ServerOrder> sClientOrder(quint16 port, TlsVersion version,
                                        const QList<quint16>& accepted, QString* error)
{
    QList<quint16> chacha;
    QList<quint16> others;
    for (quint16 code : accepted) {
        (isChaCha(code) ? chacha : others) << code;
    }
    auto ask = [&](const QList<quint16>& offer) {
        return sClientChoice(port, version, offer, error);
    };
    std::optional<bool> serverOrdered; // the non-ChaCha20 pair
    if (others.size() >= 2) {
        const auto ab = ask({others.first(), others.last()});
        const auto ba = ask({others.last(), others.first()});
        if (!ab || !ba) {
            return std::nullopt;
        }
        serverOrdered = *ab == *ba;
    }
    std::optional<bool> followsChaCha; // ChaCha20 first gets ChaCha20, last gets another
    if (!chacha.isEmpty() && !others.isEmpty()) {
        const auto first = ask(chacha + others);
        const auto last = ask(others + chacha);
        if (!first || !last) {
            return std::nullopt;
        }
        if (*first == *last) {
            followsChaCha = false;
        } else if (isChaCha(*first) && !isChaCha(*last)) {
            followsChaCha = true;
        } else {
            return ServerOrder::Mixed;
        }
    }
    if (serverOrdered) {
        if (*serverOrdered) {
            return followsChaCha.value_or(false) ? ServerOrder::ServerChaChaPreference
                                                 : ServerOrder::Server;
        }
        return followsChaCha.value_or(true) ? ServerOrder::Client : ServerOrder::Mixed;
    }
    if (!followsChaCha || !*followsChaCha) {
        return followsChaCha ? std::optional(ServerOrder::Server) : std::nullopt;
    }
    // One suite besides ChaCha20: put one the server does not take in front.
    const QList<quint16> candidates = version == TlsVersion::Tls13
                                          ? QList<quint16>{0x1301, 0x1302}
                                          : QList<quint16>{0xC02F, 0xC030, 0x009C};
    for (quint16 skipped : candidates) {
        if (!accepted.contains(skipped)) {
            const auto choice = ask(QList<quint16>{skipped} + chacha + others);
            if (!choice) {
                return std::nullopt;
            }
            return isChaCha(*choice) ? ServerOrder::Client : ServerOrder::ServerChaChaPreference;
        }
    }
    return ServerOrder::Client;
}

} // namespace

class TestProbeOrder : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void nmapPreferenceIsParsed();
    void orderMatchesOracles_data();
    void orderMatchesOracles();

private:
    ProbeResult probe(quint16 port);

    FixtureDir m_pkiDir;
    TestPki m_pki;
    TestPki::Leaf m_rsa;
};

void TestProbeOrder::initTestCase()
{
    TestPki::Options opt;
    opt.keyType = TestPki::KeyType::Rsa2048;
    QVERIFY2(m_pki.create(m_pkiDir.path(), opt), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec rsa;
    rsa.name = QStringLiteral("rsa");
    m_rsa = m_pki.issue(rsa);
    QVERIFY2(!m_rsa.name.isEmpty(), qPrintable(m_pki.errorString()));
}

void TestProbeOrder::nmapPreferenceIsParsed()
{
    const QByteArray text = "PORT      STATE SERVICE\n"
                            "| ssl-enum-ciphers: \n"
                            "|   TLSv1.2: \n"
                            "|     ciphers: \n"
                            "|       TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (ecdh_x25519) - A\n"
                            "|     compressors: \n"
                            "|       NULL\n"
                            "|     cipher preference: server\n"
                            "|   TLSv1.3: \n"
                            "|     ciphers: \n"
                            "|       TLS_AKE_WITH_AES_128_GCM_SHA256 (ecdh_x25519) - A\n"
                            "|     cipher preference: client\n"
                            "|_  least strength: A\n";
    const auto prefs = ScannerOracle::parseNmapPreferences(text);
    QCOMPARE(prefs.value(QStringLiteral("TLSv1.2")), QStringLiteral("server"));
    QCOMPARE(prefs.value(QStringLiteral("TLSv1.3")), QStringLiteral("client"));
    QCOMPARE(prefs.size(), 2);
}

ProbeResult TestProbeOrder::probe(quint16 port)
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

void TestProbeOrder::orderMatchesOracles_data()
{
    QTest::addColumn<QString>("server");       // nginx | haproxy
    QTest::addColumn<QString>("config");       // nginx server lines / haproxy bind options
    QTest::addColumn<QString>("global");       // haproxy global lines
    QTest::addColumn<int>("tls12");            // expected ServerOrder for TLS 1.2
    QTest::addColumn<int>("tls13");            // and TLS 1.3
    QTest::addColumn<QList<quint16>>("own13"); // TLS 1.3 suites in the server's order, if known

    // HAProxy as installed: server order, and OpenSSL's ChaCha20 rule on.
    QTest::newRow("haproxy default")
        << "haproxy" << QString() << QString() << int(ServerOrder::ServerChaChaPreference)
        << int(ServerOrder::ServerChaChaPreference) << QList<quint16>{0x1302, 0x1303, 0x1301};
    // Two TLS 1.3 suites, one of them ChaCha20: plain swaps read as client order.
    QTest::newRow("haproxy AEAD, two TLS 1.3 suites")
        << "haproxy"
        << "ssl-min-ver TLSv1.2 ciphers ECDHE+AESGCM:ECDHE+CHACHA20 "
           "ciphersuites TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"
        << QString() << int(ServerOrder::ServerChaChaPreference)
        << int(ServerOrder::ServerChaChaPreference) << QList<quint16>{0x1301, 0x1303};
    QTest::newRow("haproxy prefer-client-ciphers")
        << "haproxy" << QString() << "ssl-default-bind-options prefer-client-ciphers"
        << int(ServerOrder::Client) << int(ServerOrder::Client) << QList<quint16>{};
    const QString nginx =
        QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n"
                       "ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
                       "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA;\n");
    QTest::newRow("nginx ssl_prefer_server_ciphers on")
        << "nginx" << nginx + QStringLiteral("ssl_prefer_server_ciphers on;\n") << QString()
        << int(ServerOrder::Server) << int(ServerOrder::Server)
        << QList<quint16>{0x1302, 0x1303, 0x1301};
    QTest::newRow("nginx ssl_prefer_server_ciphers off")
        << "nginx" << nginx + QStringLiteral("ssl_prefer_server_ciphers off;\n") << QString()
        << int(ServerOrder::Client) << int(ServerOrder::Client) << QList<quint16>{};
}

void TestProbeOrder::orderMatchesOracles()
{
    QFETCH(QString, server);
    QFETCH(QString, config);
    QFETCH(QString, global);
    QFETCH(int, tls12);
    QFETCH(int, tls13);
    QFETCH(QList<quint16>, own13);

    NginxFixture nginx;
    HaproxyFixture haproxy;
    quint16 port = 0;
    if (server == QLatin1String("nginx")) {
        QVERIFY2(nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n")
                                 .arg(m_rsa.fullchain, m_rsa.key) +
                             config),
                 qPrintable(nginx.errorString()));
        port = nginx.port();
    } else {
        QVERIFY2(haproxy.start(m_rsa, config, global), qPrintable(haproxy.errorString()));
        port = haproxy.port();
    }

    const ProbeResult result = probe(port);
    QVERIFY2(result.errors.isEmpty(),
             qPrintable(result.errors.isEmpty() ? QString() : result.errors.first().message));
    const ProtocolProbe* p12 = result.protocol(TlsVersion::Tls12);
    const ProtocolProbe* p13 = result.protocol(TlsVersion::Tls13);
    QVERIFY(p12 && p12->accepted && p13 && p13->accepted);

    // What the configuration says.
    QCOMPARE(serverOrderName(p12->order), serverOrderName(ServerOrder(tls12)));
    QCOMPARE(serverOrderName(p13->order), serverOrderName(ServerOrder(tls13)));
    if (!own13.isEmpty()) {
        // Listed in the server's own order, ChaCha20 where the server has it.
        QCOMPARE(p13->suites, own13);
    }

    // openssl s_client, asking with its own ClientHellos.
    QString error;
    for (const ProtocolProbe* p : {p12, p13}) {
        const auto oracle = sClientOrder(port, p->version, p->suites, &error);
        QVERIFY2(oracle, qPrintable(error));
        QVERIFY2(*oracle == p->order,
                 qPrintable(QStringLiteral("%1: prober %2, openssl s_client %3")
                                .arg(tlsVersionName(p->version), serverOrderName(p->order),
                                     serverOrderName(*oracle))));
    }

    // nmap, for TLS 1.2: server order (with or without the ChaCha20 rule,
    // which it cannot see) or client order.
    QHash<QString, QString> preferences;
    const auto nmap = ScannerOracle::nmap(port, &error, &preferences);
    QVERIFY2(nmap, qPrintable(error));
    QCOMPARE(preferences.value(QStringLiteral("TLSv1.2")),
             serverImposesOrder(p12->order) ? QStringLiteral("server") : QStringLiteral("client"));
    // The words people read.
    QCOMPARE(serverOrderText(ServerOrder::ServerChaChaPreference),
             QStringLiteral("server, ChaCha20 first when the client prefers it"));
}

QTEST_GUILESS_MAIN(TestProbeOrder)
#include "test_probe_order.moc"
