// SPDX-License-Identifier: GPL-3.0-or-later
// The text of generated server configurations: each policy's protocols and
// suites, HSTS, stapling, tickets and dhparam in each server's syntax, the
// old policy's warning, and refused inputs that would break or inject into
// a configuration. (test_configvalidator runs the real servers on them.)
#include "config/ConfigGenerator.h"

#include <QRegularExpression>
#include <QTest>

using namespace certdeck;
using namespace certdeck::config;

class TestConfigGenerator : public QObject
{
    Q_OBJECT
private slots:
    void policies();
    void parsesNames();
    void nginxIntermediate();
    void nginxModernHasNoTls12Suites();
    void dheOnlyWithDhparam_data();
    void dheOnlyWithDhparam();
    void oldIsMarkedEverywhere_data();
    void oldIsMarkedEverywhere();
    void hstsAndStaplingCanBeOff_data();
    void hstsAndStaplingCanBeOff();
    void ticketKeyComesWithRotationNote_data();
    void ticketKeyComesWithRotationNote();
    void haproxyBindAndGlobal();
    void apacheDirectives();
    void envoySnippet();
    void listenForms_data();
    void listenForms();
    void refusesBadInput_data();
    void refusesBadInput();

private:
    /// A DHE suite, not the "DHE-RSA" inside "ECDHE-RSA".
    static bool hasDhe(const QString& text)
    {
        static const QRegularExpression dhe(QStringLiteral("(?<![A-Z])DHE-RSA"));
        return dhe.match(text).hasMatch();
    }
    static ServerTlsSettings base(TlsPolicyName policy = TlsPolicyName::Intermediate)
    {
        ServerTlsSettings s;
        s.policy = policy;
        s.serverNames = {QStringLiteral("www.example.test"), QStringLiteral("example.test")};
        s.certificateFile = QStringLiteral("/etc/ssl/ex/fullchain.pem");
        s.keyFile = QStringLiteral("/etc/ssl/ex/privkey.pem");
        s.chainFile = QStringLiteral("/etc/ssl/ex/chain.pem");
        return s;
    }
    static QString gen(ServerSoftware server, const ServerTlsSettings& s)
    {
        auto g = generateConfig(server, s);
        if (!g) {
            qWarning("%s", qPrintable(g.error().toString()));
            return {};
        }
        return g->text;
    }
};

void TestConfigGenerator::policies()
{
    const TlsPolicy modern = tlsPolicy(TlsPolicyName::Modern);
    QCOMPARE(modern.protocols, QStringList{QStringLiteral("TLSv1.3")});
    QVERIFY(modern.ciphers.isEmpty());
    QVERIFY(modern.cipherString(true).isEmpty());
    const TlsPolicy mid = tlsPolicy(TlsPolicyName::Intermediate);
    QCOMPARE(mid.protocols, (QStringList{QStringLiteral("TLSv1.2"), QStringLiteral("TLSv1.3")}));
    QCOMPARE(mid.ciphers.size(), 6);
    for (const QString& c : mid.ciphers) {
        QVERIFY2(c.startsWith(QLatin1String("ECDHE-")), qPrintable(c));
        QVERIFY2(c.contains(QLatin1String("GCM")) || c.contains(QLatin1String("CHACHA20")),
                 qPrintable(c));
    }
    for (const QString& c : mid.dheCiphers) {
        QVERIFY2(c.startsWith(QLatin1String("DHE-RSA-")), qPrintable(c));
    }
    QVERIFY(!hasDhe(mid.cipherString(false)));
    QVERIFY(mid.cipherString(true).contains(QLatin1String("DHE-RSA-AES128-GCM-SHA256")));
    QVERIFY(!mid.serverOrder);
    QVERIFY(!mid.legacy);
    const TlsPolicy old = tlsPolicy(TlsPolicyName::Old);
    QVERIFY(old.legacy);
    QVERIFY(old.serverOrder);
    QCOMPARE(old.protocols.first(), QStringLiteral("TLSv1"));
    QVERIFY(old.cipherString(false).endsWith(QLatin1String(":@SECLEVEL=0")));
    QVERIFY(old.ciphers.contains(QStringLiteral("AES128-SHA")));
}

void TestConfigGenerator::parsesNames()
{
    QCOMPARE(*parseTlsPolicyName(QStringLiteral("Modern")), TlsPolicyName::Modern);
    auto bad = parseTlsPolicyName(QStringLiteral("paranoid"));
    QVERIFY(!bad);
    QVERIFY(bad.error().message.contains(QLatin1String("'paranoid'")));
    QVERIFY(bad.error().message.contains(QLatin1String("modern, intermediate, old")));
    QCOMPARE(*parseServerSoftware(QStringLiteral("apache")), ServerSoftware::Apache);
    QVERIFY(!parseServerSoftware(QStringLiteral("iis")));
}

void TestConfigGenerator::nginxIntermediate()
{
    auto g = generateConfig(ServerSoftware::Nginx, base());
    QVERIFY(g);
    QVERIFY(g->warnings.isEmpty());
    const QString t = g->text;
    QVERIFY(t.contains(QLatin1String("server {\n")));
    QVERIFY(t.contains(QLatin1String("    listen 443 ssl http2;\n")));
    QVERIFY(t.contains(QLatin1String("    listen [::]:443 ssl http2;\n")));
    QVERIFY(t.contains(QLatin1String("server_name www.example.test example.test;")));
    QVERIFY(t.contains(QLatin1String("ssl_certificate /etc/ssl/ex/fullchain.pem;")));
    QVERIFY(t.contains(QLatin1String("ssl_certificate_key /etc/ssl/ex/privkey.pem;")));
    QVERIFY(t.contains(QLatin1String("ssl_protocols TLSv1.2 TLSv1.3;")));
    QVERIFY(t.contains(QStringLiteral("ssl_ciphers %1;")
                           .arg(tlsPolicy(TlsPolicyName::Intermediate).cipherString(false))));
    QVERIFY(t.contains(QLatin1String("ssl_prefer_server_ciphers off;")));
    QVERIFY(t.contains(QLatin1String("ssl_session_cache shared:")));
    QVERIFY(t.contains(QLatin1String("ssl_session_timeout 1d;")));
    QVERIFY(t.contains(QLatin1String("ssl_session_tickets off;")));
    QVERIFY(t.contains(QLatin1String("ssl_stapling on;")));
    QVERIFY(t.contains(QLatin1String("ssl_stapling_verify on;")));
    QVERIFY(t.contains(QLatin1String("ssl_trusted_certificate /etc/ssl/ex/chain.pem;")));
    QVERIFY(t.contains(
        QLatin1String("add_header Strict-Transport-Security \"max-age=63072000\" always;")));
    QVERIFY(!t.contains(QLatin1String("ssl_dhparam")));
    QVERIFY(!t.contains(QLatin1String("WARNING")));
    QVERIFY(t.trimmed().endsWith(u'}'));
}

void TestConfigGenerator::nginxModernHasNoTls12Suites()
{
    const QString t = gen(ServerSoftware::Nginx, base(TlsPolicyName::Modern));
    QVERIFY(t.contains(QLatin1String("ssl_protocols TLSv1.3;")));
    QVERIFY(!t.contains(QLatin1String("ssl_ciphers")));
    QVERIFY(!t.contains(QLatin1String("TLSv1.2")));
}

void TestConfigGenerator::dheOnlyWithDhparam_data()
{
    QTest::addColumn<int>("server");
    QTest::addColumn<QString>("dhparamLine");
    QTest::newRow("nginx") << int(ServerSoftware::Nginx) << "ssl_dhparam /etc/ssl/dh.pem;";
    QTest::newRow("haproxy") << int(ServerSoftware::Haproxy) << "ssl-dh-param-file /etc/ssl/dh.pem";
    QTest::newRow("apache") << int(ServerSoftware::Apache)
                            << "SSLOpenSSLConfCmd DHParameters \"/etc/ssl/dh.pem\"";
}

void TestConfigGenerator::dheOnlyWithDhparam()
{
    QFETCH(int, server);
    QFETCH(QString, dhparamLine);
    ServerTlsSettings s = base();
    const QString without = gen(ServerSoftware(server), s);
    QVERIFY(!without.isEmpty());
    QVERIFY(!hasDhe(without));
    QVERIFY(!without.contains(dhparamLine));
    s.dhparamFile = QStringLiteral("/etc/ssl/dh.pem");
    const QString with = gen(ServerSoftware(server), s);
    QVERIFY(with.contains(QLatin1String("DHE-RSA-AES256-GCM-SHA384")));
    QVERIFY2(with.contains(dhparamLine), qPrintable(with));
    // Modern has no DHE whatever the input.
    s.policy = TlsPolicyName::Modern;
    QVERIFY(!hasDhe(gen(ServerSoftware(server), s)));
}

void TestConfigGenerator::oldIsMarkedEverywhere_data()
{
    QTest::addColumn<int>("server");
    QTest::addColumn<QString>("protocolLine");
    QTest::newRow("nginx") << int(ServerSoftware::Nginx)
                           << "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;";
    QTest::newRow("haproxy") << int(ServerSoftware::Haproxy) << "ssl-min-ver TLSv1.0";
    QTest::newRow("apache") << int(ServerSoftware::Apache)
                            << "SSLProtocol -all +TLSv1 +TLSv1.1 +TLSv1.2 +TLSv1.3";
    QTest::newRow("envoy") << int(ServerSoftware::Envoy) << "tls_minimum_protocol_version: TLSv1_0";
}

void TestConfigGenerator::oldIsMarkedEverywhere()
{
    QFETCH(int, server);
    QFETCH(QString, protocolLine);
    auto g = generateConfig(ServerSoftware(server), base(TlsPolicyName::Old));
    QVERIFY(g);
    QVERIFY2(g->text.contains(protocolLine), qPrintable(g->text));
    QVERIFY(g->text.contains(QLatin1String("# WARNING: LEGACY CLIENTS ONLY.")));
    QVERIFY(g->warnings.contains(legacyWarning()));
    // Not marked for the other policies.
    auto mid = generateConfig(ServerSoftware(server), base());
    QVERIFY(mid);
    QVERIFY(!mid->text.contains(QLatin1String("LEGACY")));
    QVERIFY(!mid->warnings.contains(legacyWarning()));
}

void TestConfigGenerator::hstsAndStaplingCanBeOff_data()
{
    QTest::addColumn<int>("server");
    QTest::addColumn<QString>("hstsLine");
    QTest::addColumn<QString>("staplingWord");
    QTest::newRow("nginx") << int(ServerSoftware::Nginx)
                           << "add_header Strict-Transport-Security \"max-age=600\" always;"
                           << "ssl_stapling";
    QTest::newRow("haproxy") << int(ServerSoftware::Haproxy)
                             << "http-response set-header Strict-Transport-Security \"max-age=600\""
                             << "ocsp";
    QTest::newRow("apache") << int(ServerSoftware::Apache)
                            << "Header always set Strict-Transport-Security \"max-age=600\""
                            << "Stapling";
    QTest::newRow("envoy") << int(ServerSoftware::Envoy)
                           << "key: Strict-Transport-Security, value: \"max-age=600\""
                           << "ocsp_staple";
}

void TestConfigGenerator::hstsAndStaplingCanBeOff()
{
    QFETCH(int, server);
    QFETCH(QString, hstsLine);
    QFETCH(QString, staplingWord);
    ServerTlsSettings s = base();
    s.hstsMaxAge = 600;
    const QString on = gen(ServerSoftware(server), s);
    QVERIFY2(on.contains(hstsLine), qPrintable(on));
    QVERIFY(on.contains(staplingWord));
    s.hsts = false;
    s.ocspStapling = false;
    const QString off = gen(ServerSoftware(server), s);
    QVERIFY(!off.isEmpty());
    QVERIFY2(!off.contains(QLatin1String("Strict-Transport-Security")), qPrintable(off));
    QVERIFY2(!off.contains(staplingWord), qPrintable(off));
}

void TestConfigGenerator::ticketKeyComesWithRotationNote_data()
{
    QTest::addColumn<int>("server");
    QTest::addColumn<QString>("offLine");
    QTest::addColumn<QString>("keyLine");
    QTest::newRow("nginx") << int(ServerSoftware::Nginx) << "ssl_session_tickets off;"
                           << "ssl_session_ticket_key /etc/ssl/ticket.key;";
    QTest::newRow("haproxy") << int(ServerSoftware::Haproxy) << "no-tls-tickets"
                             << "tls-ticket-keys /etc/ssl/ticket.key";
    QTest::newRow("apache") << int(ServerSoftware::Apache) << "SSLSessionTickets off"
                            << "SSLSessionTicketKeyFile /etc/ssl/ticket.key";
    QTest::newRow("envoy") << int(ServerSoftware::Envoy)
                           << "disable_stateless_session_resumption: true"
                           << "filename: \"/etc/ssl/ticket.key\"";
}

void TestConfigGenerator::ticketKeyComesWithRotationNote()
{
    QFETCH(int, server);
    QFETCH(QString, offLine);
    QFETCH(QString, keyLine);
    ServerTlsSettings s = base();
    QVERIFY(gen(ServerSoftware(server), s).contains(offLine));
    s.ticketKeyFile = QStringLiteral("/etc/ssl/ticket.key");
    auto g = generateConfig(ServerSoftware(server), s);
    QVERIFY(g);
    QVERIFY2(g->text.contains(keyLine), qPrintable(g->text));
    QVERIFY(!g->text.contains(offLine));
    QVERIFY2(g->text.contains(QLatin1String("otat")), qPrintable(g->text)); // Rotate / rotate
    bool noted = false;
    for (const QString& w : g->warnings) {
        noted = noted || (w.contains(QLatin1String("rotate")) && w.contains(s.ticketKeyFile));
    }
    QVERIFY(noted);
}

void TestConfigGenerator::haproxyBindAndGlobal()
{
    ServerTlsSettings s = base();
    QVERIFY(parseListen(QStringLiteral("192.0.2.10:8443"), &s));
    const QString t = gen(ServerSoftware::Haproxy, s);
    QVERIFY(t.startsWith(QLatin1String("# Generated by CertDeck for HAProxy")));
    QVERIFY(t.contains(QLatin1String("\nglobal\n")));
    QVERIFY(t.contains(QStringLiteral("    ssl-default-bind-ciphers %1\n")
                           .arg(tlsPolicy(TlsPolicyName::Intermediate).cipherString(false))));
    QVERIFY(t.contains(QLatin1String("    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:"
                                     "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n")));
    QVERIFY(t.contains(QLatin1String("    ssl-default-bind-options prefer-client-ciphers "
                                     "ssl-min-ver TLSv1.2 no-tls-tickets\n")));
    QVERIFY(t.contains(QLatin1String("tune.ssl.default-dh-param 2048")));
    // One PEM with key, leaf and chain: by default next to the certificate.
    QVERIFY(t.contains(QLatin1String(
        "    bind 192.0.2.10:8443 ssl crt /etc/ssl/ex/haproxy.pem alpn h2,http/1.1\n")));
    s.combinedPemFile = QStringLiteral("/etc/haproxy/certs/site.pem");
    QVERIFY(gen(ServerSoftware::Haproxy, s)
                .contains(QLatin1String("crt /etc/haproxy/certs/site.pem ")));
    const QString modern = gen(ServerSoftware::Haproxy, base(TlsPolicyName::Modern));
    QVERIFY(modern.contains(QLatin1String("ssl-min-ver TLSv1.3")));
    QVERIFY(!modern.contains(QLatin1String("ssl-default-bind-ciphers ")));
    // Old keeps HAProxy's server order.
    QVERIFY(!gen(ServerSoftware::Haproxy, base(TlsPolicyName::Old))
                 .contains(QLatin1String("prefer-client-ciphers")));
}

void TestConfigGenerator::apacheDirectives()
{
    const QString t = gen(ServerSoftware::Apache, base());
    QVERIFY(t.contains(QLatin1String("SSLProtocol -all +TLSv1.2 +TLSv1.3\n")));
    QVERIFY(t.contains(QLatin1String("SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:")));
    QVERIFY(t.contains(QLatin1String("SSLCipherSuite TLSv1.3 TLS_AES_128_GCM_SHA256:")));
    QVERIFY(t.contains(QLatin1String("SSLHonorCipherOrder off\n")));
    QVERIFY(t.contains(QLatin1String("SSLSessionTickets off\n")));
    QVERIFY(t.contains(QLatin1String("SSLUseStapling On\n")));
    QVERIFY(t.contains(
        QLatin1String("SSLStaplingCache \"shmcb:/var/run/apache2/ssl_stapling(32768)\"\n")));
    QVERIFY(t.contains(QLatin1String("<VirtualHost *:443>\n")));
    QVERIFY(t.contains(QLatin1String("    ServerName www.example.test\n")));
    QVERIFY(t.contains(QLatin1String("    ServerAlias example.test\n")));
    QVERIFY(t.contains(QLatin1String("    SSLCertificateFile /etc/ssl/ex/fullchain.pem\n")));
    QVERIFY(t.contains(QLatin1String("    SSLCertificateKeyFile /etc/ssl/ex/privkey.pem\n")));
    QVERIFY(t.contains(
        QLatin1String("    Header always set Strict-Transport-Security \"max-age=63072000\"\n")));
    QVERIFY(t.contains(QLatin1String("</VirtualHost>\n")));
    QVERIFY(gen(ServerSoftware::Apache, base(TlsPolicyName::Old))
                .contains(QLatin1String("SSLHonorCipherOrder on\n")));
}

void TestConfigGenerator::envoySnippet()
{
    ServerTlsSettings s = base();
    s.dhparamFile = QStringLiteral("/etc/ssl/dh.pem");
    auto g = generateConfig(ServerSoftware::Envoy, s);
    QVERIFY(g);
    const QString t = g->text;
    QVERIFY(t.contains(QLatin1String("- name: certdeck_https\n")));
    QVERIFY(t.contains(QLatin1String("socket_address: { address: \"0.0.0.0\", port_value: 443 }")));
    QVERIFY(t.contains(QLatin1String("server_names: [\"www.example.test\", \"example.test\"]")));
    QVERIFY(t.contains(QLatin1String("tls_minimum_protocol_version: TLSv1_2")));
    QVERIFY(t.contains(QLatin1String("            - ECDHE-RSA-CHACHA20-POLY1305\n")));
    // BoringSSL has no DHE: not listed, and the admin is told.
    QVERIFY(!hasDhe(t));
    QVERIFY(g->warnings.join(u'\n').contains(QLatin1String("no DHE")));
    QVERIFY(t.contains(
        QLatin1String("certificate_chain: { filename: \"/etc/ssl/ex/fullchain.pem\" }")));
    // YAML: no tabs anywhere.
    QVERIFY(!t.contains(u'\t'));
}

void TestConfigGenerator::listenForms_data()
{
    QTest::addColumn<QString>("listen");
    QTest::addColumn<QString>("nginxLine");
    QTest::addColumn<QString>("haproxyBind");
    QTest::newRow("port") << "8443"
                          << "listen 8443 ssl http2;"
                          << "bind :8443 ssl";
    QTest::newRow("star") << "*:443"
                          << "listen 443 ssl http2;"
                          << "bind :443 ssl";
    QTest::newRow("v4") << "127.0.0.1:8443"
                        << "listen 127.0.0.1:8443 ssl http2;"
                        << "bind 127.0.0.1:8443 ssl";
    QTest::newRow("v6") << "[::1]:8443"
                        << "listen [::1]:8443 ssl http2;"
                        << "bind ::1:8443 ssl";
}

void TestConfigGenerator::listenForms()
{
    QFETCH(QString, listen);
    QFETCH(QString, nginxLine);
    QFETCH(QString, haproxyBind);
    ServerTlsSettings s = base();
    const Status ok = parseListen(listen, &s);
    QVERIFY2(ok, qPrintable(ok ? QString() : ok.error().message));
    QVERIFY(gen(ServerSoftware::Nginx, s).contains(nginxLine));
    QVERIFY(gen(ServerSoftware::Haproxy, s).contains(haproxyBind));
}

void TestConfigGenerator::refusesBadInput_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("listen name") << "listen"
                                 << "www.example.test:443"
                                 << "'www.example.test:443'";
    QTest::newRow("listen port range") << "listen"
                                       << "127.0.0.1:70000"
                                       << "'127.0.0.1:70000'";
    QTest::newRow("listen no port") << "listen"
                                    << "127.0.0.1"
                                    << "names no port";
    QTest::newRow("listen empty") << "listen"
                                  << ""
                                  << "is empty";
    QTest::newRow("listen garbage") << "listen"
                                    << "443; include /etc/passwd"
                                    << "not usable";
    QTest::newRow("no names") << "names"
                              << ""
                              << "no server name";
    QTest::newRow("bad name") << "names"
                              << "exa mple.test"
                              << "'exa mple.test'";
    QTest::newRow("injected name") << "names"
                                   << "a.test;return"
                                   << "'a.test;return'";
    QTest::newRow("relative cert") << "cert"
                                   << "fullchain.pem"
                                   << "is not absolute";
    QTest::newRow("cert with ;") << "cert"
                                 << "/etc/ssl/a.pem; ssl_verify off"
                                 << "certificate path";
    QTest::newRow("key with newline") << "key"
                                      << "/etc/ssl/a.key\nssl_protocols SSLv3"
                                      << "key path";
    QTest::newRow("empty key") << "key"
                               << ""
                               << "the key path is missing";
    QTest::newRow("dhparam with quote") << "dhparam"
                                        << "/etc/ssl/\"dh.pem"
                                        << "dhparam path";
    QTest::newRow("chain with brace") << "chain"
                                      << "/etc/ssl/}chain.pem"
                                      << "chain path";
}

void TestConfigGenerator::refusesBadInput()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, message);
    ServerTlsSettings s = base();
    if (field == QLatin1String("listen")) {
        const Status ok = parseListen(value, &s);
        QVERIFY(!ok);
        QVERIFY2(ok.error().message.contains(message), qPrintable(ok.error().message));
        QCOMPARE(ok.error().code, ErrorCode::InvalidInput);
        return;
    }
    if (field == QLatin1String("names")) {
        s.serverNames = value.isEmpty() ? QStringList() : QStringList{value};
    } else if (field == QLatin1String("cert")) {
        s.certificateFile = value;
    } else if (field == QLatin1String("key")) {
        s.keyFile = value;
    } else if (field == QLatin1String("dhparam")) {
        s.dhparamFile = value;
    } else if (field == QLatin1String("chain")) {
        s.chainFile = value;
    }
    for (ServerSoftware server : {ServerSoftware::Nginx, ServerSoftware::Haproxy,
                                  ServerSoftware::Apache, ServerSoftware::Envoy}) {
        auto g = generateConfig(server, s);
        QVERIFY(!g);
        QCOMPARE(g.error().code, ErrorCode::InvalidInput);
        QVERIFY2(g.error().message.contains(message), qPrintable(g.error().message));
    }
}

QTEST_GUILESS_MAIN(TestConfigGenerator)
#include "test_configgenerator.moc"
