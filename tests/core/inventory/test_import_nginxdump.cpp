// SPDX-License-Identifier: GPL-3.0-or-later
// NginxDumpImporter against the real `nginx -T` of a config with two TLS
// servers (one from an include file), a plain-HTTP server and TestPki
// certificates; then hand-made dumps for the syntax nginx allows and the
// damage a copied dump can have.
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "inventory/import/NginxDumpImporter.h"

#include <QDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using namespace certdeck::test;

class TestImportNginxDump : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void realDumpOfTwoTlsServers();
    void syntaxNginxAccepts();
    void inheritedCertificatesAndSslOn();
    void unnamedServerUsesTheHostGiven();
    void relativePathsAndLocalFiles();
    void badInput_data();
    void badInput();
    void truncatedDumpIsRefused();
    void namesThatAreNoHostsAreNotProbed();
    void fiveMegabyteDump();
    void tooLargeIsRefused();

private:
    static int find(const ImportPlan& plan, const QString& host, quint16 port)
    {
        for (qsizetype i = 0; i < plan.endpoints.size(); ++i) {
            if (plan.endpoints[i].host == host && plan.endpoints[i].port == port) {
                return int(i);
            }
        }
        return -1;
    }
    static bool hasWarning(const ImportPlan& plan, const QString& part)
    {
        for (const QString& w : plan.warnings) {
            if (w.contains(part)) {
                return true;
            }
        }
        return false;
    }
    static QByteArray dump(const QByteArray& mainConf)
    {
        return "# configuration file /etc/nginx/nginx.conf:\n" + mainConf;
    }

    FixtureDir m_pkiDir;
    TestPki m_pki;
    TestPki::Leaf m_api;
    TestPki::Leaf m_admin;
};

void TestImportNginxDump::initTestCase()
{
    QVERIFY2(m_pki.create(m_pkiDir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec api;
    api.name = QStringLiteral("api");
    api.commonName = QStringLiteral("api.example.test");
    api.sans = {QStringLiteral("DNS:api.example.test"), QStringLiteral("DNS:www.example.test")};
    m_api = m_pki.issue(api);
    QVERIFY2(!m_api.name.isEmpty(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec admin;
    admin.name = QStringLiteral("admin");
    admin.commonName = QStringLiteral("admin.example.test");
    admin.sans = {QStringLiteral("DNS:admin.example.test")};
    m_admin = m_pki.issue(admin);
    QVERIFY2(!m_admin.name.isEmpty(), qPrintable(m_pki.errorString()));
}

void TestImportNginxDump::realDumpOfTwoTlsServers()
{
    FixtureDir conf;
    QVERIFY(QDir(conf.path()).mkpath(QStringLiteral("conf.d")));
    const QString d = conf.path();
    QVERIFY(conf.write(QStringLiteral("nginx.conf"),
                       QStringLiteral("pid %1/nginx.pid;\n"
                                      "error_log %1/error.log;\n"
                                      "events { worker_connections 64; }\n"
                                      "http {\n"
                                      "    access_log off; # no logs { here }\n"
                                      "    ssl_protocols TLSv1.2 TLSv1.3;\n"
                                      "    include %1/conf.d/*.conf;\n"
                                      "    server {\n"
                                      "        listen 127.0.0.1:8080;\n"
                                      "        server_name plain.example.test;\n"
                                      "        location / { return 200 \"ok; { not a block\"; }\n"
                                      "    }\n"
                                      "}\n")
                           .arg(d)
                           .toUtf8()));
    QVERIFY(conf.write(QStringLiteral("conf.d/api.conf"),
                       QStringLiteral("# the public API\n"
                                      "server {\n"
                                      "    listen 8443 ssl http2;\n"
                                      "    listen [::]:8443 ssl http2;\n"
                                      "    server_name api.example.test www.example.test _ "
                                      "*.example.test;\n"
                                      "    ssl_certificate \"%1\";\n"
                                      "    ssl_certificate_key '%2';\n"
                                      "    location /v1 { proxy_pass http://127.0.0.1:9; }\n"
                                      "}\n"
                                      "server {\n"
                                      "    listen 127.0.0.1:9443 ssl;\n"
                                      "    server_name admin.example.test;\n"
                                      "    ssl_certificate %3;\n"
                                      "    ssl_certificate_key %4;\n"
                                      "}\n")
                           .arg(m_api.fullchain, m_api.key, m_admin.fullchain, m_admin.key)
                           .toUtf8()));
    QByteArray out;
    const int rc = runTool(NginxFixture::binary(),
                           {QStringLiteral("-T"), QStringLiteral("-p"), d, QStringLiteral("-e"),
                            d + QStringLiteral("/error.log"), QStringLiteral("-c"),
                            d + QStringLiteral("/nginx.conf")},
                           &out);
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("# configuration file " + d.toUtf8() + "/conf.d/api.conf:"),
             out.constData());

    NginxDumpImporter::Options options;
    options.sshHost = QStringLiteral("web1.example.test");
    options.readCertificates = true;
    options.group = QStringLiteral("edge");
    auto plan = NginxDumpImporter::parse(out, QStringLiteral("nginx-T.txt"), options);
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));

    QCOMPARE(plan->endpoints.size(), 3);
    const int api = find(*plan, QStringLiteral("api.example.test"), 8443);
    const int www = find(*plan, QStringLiteral("www.example.test"), 8443);
    const int admin = find(*plan, QStringLiteral("admin.example.test"), 9443);
    QVERIFY(api >= 0 && www >= 0 && admin >= 0);
    QCOMPARE(plan->endpoints[api].serverKind, ServerKind::Nginx);
    QCOMPARE(plan->endpoints[api].group, QStringLiteral("edge"));
    QVERIFY(plan->endpoints[api].addressOverride.isEmpty());
    QVERIFY2(plan->endpoints[api].notes.contains(QStringLiteral("_ *.example.test")),
             qPrintable(plan->endpoints[api].notes));
    QVERIFY(plan->endpoints[api].notes.contains(d + QStringLiteral("/conf.d/api.conf line 2")));
    QCOMPARE(plan->endpoints[admin].addressOverride, QStringLiteral("127.0.0.1"));

    QCOMPARE(plan->deployTargets.size(), 2);
    const DeployTarget* t = plan->deployTargetOf(api);
    QVERIFY(t != nullptr);
    QCOMPARE(plan->deployTargetOf(www), t);
    QCOMPARE(t->fullchainPath, m_api.fullchain);
    QCOMPARE(t->keyPath, m_api.key);
    QCOMPARE(t->sshHost, QStringLiteral("web1.example.test"));
    // The dump names no SSH port and no way to check or reload this nginx.
    QVERIFY(!t->sshPort.has_value());
    QVERIFY(t->validateCommand.isEmpty());
    QVERIFY(t->reloadCommand.isEmpty());
    QVERIFY(!t->local);
    QCOMPARE(plan->deployTargetOf(admin)->fullchainPath, m_admin.fullchain);
    QCOMPARE(plan->privateKeyPaths, QStringList({m_api.key, m_admin.key}));

    // Leaves linked to their endpoints; the shared intermediate once, unlinked.
    QCOMPARE(plan->certificates.size(), 3);
    int leaves = 0;
    for (const PlannedCertificate& c : plan->certificates) {
        if (c.certificate.commonName() == QLatin1String("api.example.test")) {
            ++leaves;
            QVERIFY(c.isLeaf);
            QCOMPARE(c.endpointIndexes, QList<int>({api, www}));
        } else if (c.certificate.commonName() == QLatin1String("admin.example.test")) {
            ++leaves;
            QCOMPARE(c.endpointIndexes, QList<int>({admin}));
        } else {
            QVERIFY(!c.isLeaf);
            QVERIFY(c.endpointIndexes.isEmpty());
        }
    }
    QCOMPARE(leaves, 2);

    // The plain server is named, with its line, in a warning.
    QVERIFY2(hasWarning(*plan, QStringLiteral("(%1/nginx.conf line 8): server plain.example.test "
                                              "has no ssl listen; skipped")
                                   .arg(d)),
             qPrintable(plan->warnings.join(u'\n')));
    QVERIFY(!hasWarning(*plan, QStringLiteral("not reached")));
    QCOMPARE(plan->warnings.size(), 1);
}

void TestImportNginxDump::syntaxNginxAccepts()
{
    const QByteArray text = dump("http {\n"                                          // 2
                                 "  map $host $x { default \"a;b\"; }\n"             // 3
                                 "  server {\n"                                      // 4
                                 "    listen [::]:443 ssl http2; listen 8443 ssl;\n" // 5
                                 "    listen 443 quic reuseport;\n"                  // 6
                                 "    server_name \"quoted.example.test\" Mixed.Example.TEST "
                                 "~^re\\.example$;\n"                                         // 7
                                 "    ssl_certificate /etc/ssl/a.pem; # trailing # comment\n" // 8
                                 "    ssl_certificate_key /etc/ssl/a.key;\n"                  // 9
                                 "    add_header X-Test \"${host}\\\"}\" always;\n"           // 10
                                 "    location ~ \\.php$ { if ($a) { return 404; } }\n"       // 11
                                 "  }\n"
                                 "}\n");
    auto plan = NginxDumpImporter::parse(text, QStringLiteral("dump.txt"), {});
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->endpoints.size(), 4);
    QVERIFY(find(*plan, QStringLiteral("quoted.example.test"), 443) >= 0);
    QVERIFY(find(*plan, QStringLiteral("quoted.example.test"), 8443) >= 0);
    QVERIFY(find(*plan, QStringLiteral("mixed.example.test"), 443) >= 0);
    QVERIFY(find(*plan, QStringLiteral("mixed.example.test"), 8443) >= 0);
    QVERIFY(plan->endpoints[0].notes.contains(QStringLiteral("~^re\\.example$")));
    QCOMPARE(plan->deployTargets.size(), 1);
    QCOMPARE(plan->deployTargets[0].keyPath, QStringLiteral("/etc/ssl/a.key"));
    QVERIFY2(plan->warnings.isEmpty(), qPrintable(plan->warnings.join(u'\n')));
}

void TestImportNginxDump::inheritedCertificatesAndSslOn()
{
    // Debian's layout: certificates at http level, a snippet included into
    // the server, the old `ssl on` switch, and a duplicated vhost.
    const QByteArray text = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                            "# configuration file /etc/nginx/nginx.conf:\n"
                            "http {\n"
                            "  ssl_certificate /etc/ssl/http.pem;\n"
                            "  ssl_certificate_key /etc/ssl/http.key;\n"
                            "  include sites-enabled/*;\n"
                            "}\n"
                            "\n"
                            "# configuration file /etc/nginx/sites-enabled/old:\n"
                            "server { listen 443; ssl on; server_name old.example.test; }\n"
                            "server { listen 443 ssl; server_name old.example.test; }\n"
                            "# configuration file /etc/nginx/sites-enabled/own:\n"
                            "server { listen 443 ssl; server_name own.example.test;\n"
                            "  include snippets/own-cert.conf; }\n"
                            "# configuration file /etc/nginx/snippets/own-cert.conf:\n"
                            "ssl_certificate /etc/ssl/own.pem;\n"
                            "ssl_certificate_key /etc/ssl/own.key;\n"
                            "nginx: configuration file /etc/nginx/nginx.conf test is successful\n";
    auto plan = NginxDumpImporter::parse(text, QStringLiteral("dump.txt"), {});
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->endpoints.size(), 2);
    const int old = find(*plan, QStringLiteral("old.example.test"), 443);
    const int own = find(*plan, QStringLiteral("own.example.test"), 443);
    QCOMPARE(plan->deployTargetOf(old)->fullchainPath, QStringLiteral("/etc/ssl/http.pem"));
    QCOMPARE(plan->deployTargetOf(own)->fullchainPath, QStringLiteral("/etc/ssl/own.pem"));
    QCOMPARE(plan->deployTargetOf(own)->keyPath, QStringLiteral("/etc/ssl/own.key"));
    QVERIFY2(
        hasWarning(*plan, QStringLiteral("dump.txt line 11 (/etc/nginx/sites-enabled/old line "
                                         "2): old.example.test:443 duplicates dump.txt line 10")),
        qPrintable(plan->warnings.join(u'\n')));
    QCOMPARE(plan->warnings.size(), 1);
}

void TestImportNginxDump::unnamedServerUsesTheHostGiven()
{
    const QByteArray text = dump("http {\n"
                                 "  server { listen 443 ssl default_server; server_name _;\n"
                                 "    ssl_certificate /c.pem; ssl_certificate_key /c.key; }\n"
                                 "  server { listen 10.0.0.5:443 ssl; server_name \"\";\n"
                                 "    ssl_certificate /d.pem; ssl_certificate_key /d.key; }\n"
                                 "}\n");
    auto without = NginxDumpImporter::parse(text, QStringLiteral("dump.txt"), {});
    QVERIFY(without.has_value());
    QCOMPARE(without->endpoints.size(), 1);
    QCOMPARE(without->endpoints[0].host, QStringLiteral("10.0.0.5"));
    QVERIFY2(hasWarning(*without, QStringLiteral("dump.txt line 3 (/etc/nginx/nginx.conf line 2): "
                                                 "server _ on port 443 has no name to probe")),
             qPrintable(without->warnings.join(u'\n')));
    NginxDumpImporter::Options options;
    options.sshHost = QStringLiteral("edge7.example.test");
    auto with = NginxDumpImporter::parse(text, QStringLiteral("dump.txt"), options);
    QVERIFY(with.has_value());
    QCOMPARE(with->endpoints.size(), 2);
    QVERIFY(find(*with, QStringLiteral("edge7.example.test"), 443) >= 0);
}

void TestImportNginxDump::relativePathsAndLocalFiles()
{
    // nginx reads a relative ssl_certificate from its main file's folder.
    const QByteArray text = "# configuration file /srv/nginx/conf/nginx.conf:\n"
                            "http { server { listen 443 ssl; server_name a.example.test;\n"
                            "  ssl_certificate tls/../tls/a.pem; ssl_certificate_key tls/a.key; "
                            "} }\n";
    NginxDumpImporter::Options options;
    options.local = true;
    auto plan = NginxDumpImporter::parse(text, QStringLiteral("dump.txt"), options);
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->deployTargets.size(), 1);
    const DeployTarget& t = plan->deployTargets[0];
    QCOMPARE(t.fullchainPath, QStringLiteral("/srv/nginx/conf/tls/a.pem"));
    QCOMPARE(t.keyPath, QStringLiteral("/srv/nginx/conf/tls/a.key"));
    QCOMPARE(plan->privateKeyPaths, QStringList{QStringLiteral("/srv/nginx/conf/tls/a.key")});
    QVERIFY(t.local);
    QVERIFY(t.sshHost.isEmpty() && !t.sshPort.has_value() && t.reloadCommand.isEmpty());
}

void TestImportNginxDump::badInput_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");
    QTest::newRow("extra closing brace")
        << dump("http {\n  server { listen 443 ssl; }\n  }\n}\n")
        << QStringLiteral("dump.txt line 5 (/etc/nginx/nginx.conf line 4): '}' without a matching "
                          "'{'");
    QTest::newRow("unterminated quote")
        << dump("http {\n  server {\n    return 200 \"oops;\n  }\n}\n")
        << QStringLiteral("dump.txt line 4 (/etc/nginx/nginx.conf line 3): quoted string is not "
                          "closed");
    QTest::newRow("missing semicolon")
        << dump("http {\n  server { listen 443 ssl }\n}\n")
        << QStringLiteral("dump.txt line 3 (/etc/nginx/nginx.conf line 2): directive \"listen\" "
                          "(line 3) is not terminated by ';' before '}'");
    QTest::newRow("binary garbage")
        << QByteArray("# configuration file /x:\nhttp {\n\x01\x02\xff\x00garbage", 37)
        << QStringLiteral("dump.txt line 3: binary data (byte 0x01)");
    QTest::newRow("not a dump") << QByteArray("server { listen 443 ssl; }\n")
                                << QStringLiteral("dump.txt: no \"# configuration file PATH:\" "
                                                  "line");
    QTest::newRow("empty") << QByteArray("\n \n") << QStringLiteral("dump.txt is empty");
    QTest::newRow("too deep") << dump(QByteArray("a {").repeated(40) + "\n")
                              << QStringLiteral("dump.txt line 2 (/etc/nginx/nginx.conf line 1): "
                                                "blocks nested deeper than 32");
    QTest::newRow("listen port out of range")
        << dump("http {\n  server { listen 70000 ssl; server_name a.example.test; }\n}\n")
        << QStringLiteral("dump.txt line 3 (/etc/nginx/nginx.conf line 2): listen 70000: port "
                          "70000 is out of range (1-65535)");
    QTest::newRow("listen port text")
        << dump("http {\n  server { listen 10.0.0.1:https ssl; server_name a.example.test; }\n}\n")
        << QStringLiteral("dump.txt line 3 (/etc/nginx/nginx.conf line 2): listen "
                          "\"10.0.0.1:https\": port \"https\" is not a number");
    QTest::newRow("listen IPv6 unclosed")
        << dump("http {\n  server { listen [::1:443 ssl; server_name a.example.test; }\n}\n")
        << QStringLiteral("dump.txt line 3 (/etc/nginx/nginx.conf line 2): listen \"[::1:443\": "
                          "the IPv6 address has no closing ']'");
    QTest::newRow("listen bad address")
        << dump("http {\n  server { listen bad!host:443 ssl; server_name a.example.test; }\n}\n")
        << QStringLiteral("dump.txt line 3 (/etc/nginx/nginx.conf line 2): listen "
                          "\"bad!host:443\": \"bad!host\" is not a valid host name");
    QTest::newRow("every bad listen named")
        << dump("http {\n  server { listen 0 ssl; }\n  server { listen 99999 ssl; }\n}\n")
        << QStringLiteral("dump.txt line 3 (/etc/nginx/nginx.conf line 2): listen 0: port 0 is "
                          "out of range (1-65535) (and 1 more problem(s))");
    QTest::newRow("stray semicolon") << dump("http {\n ;\n}\n")
                                     << QStringLiteral("dump.txt line 3 (/etc/nginx/nginx.conf "
                                                       "line 2): unexpected ';'");
}

void TestImportNginxDump::badInput()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, error);
    auto plan = NginxDumpImporter::parse(input, QStringLiteral("dump.txt"), {});
    QVERIFY(!plan.has_value());
    QVERIFY2(plan.error().message.startsWith(error), qPrintable(plan.error().message));
    QCOMPARE(plan.error().code, ErrorCode::InvalidInput);
}

void TestImportNginxDump::truncatedDumpIsRefused()
{
    // nginx prints only files it parsed: a dump that stops inside a block
    // was cut off, and importing the servers before the cut would pass a
    // part for the whole.
    const QByteArray text = dump("http {\n"
                                 "  server { listen 443 ssl; server_name a.example.test;\n"
                                 "    ssl_certificate /a.pem; ssl_certificate_key /a.key; }\n"
                                 "  server { listen 443 ssl; server_name b.example.test;\n"
                                 "    ssl_certificate /b.pem; ssl_certifi");
    auto plan = NginxDumpImporter::parse(text, QStringLiteral("dump.txt"), {});
    QVERIFY(!plan.has_value());
    QCOMPARE(plan.error().message,
             QStringLiteral("dump.txt line 6 (/etc/nginx/nginx.conf line 5): directive "
                            "\"ssl_certifi\" has no ';' before the end of the file: the dump is "
                            "cut off"));
    auto block = NginxDumpImporter::parse(dump("http {\n  server { listen 443 ssl;\n"),
                                          QStringLiteral("dump.txt"), {});
    QVERIFY(!block.has_value());
    QCOMPARE(block.error().message,
             QStringLiteral("dump.txt line 3 (/etc/nginx/nginx.conf line 2): block \"server\" is "
                            "not closed before the end of the file: the dump is cut off"));
}

void TestImportNginxDump::namesThatAreNoHostsAreNotProbed()
{
    // nginx takes any word as a server name; only host names become
    // endpoints, the rest is named in the notes.
    const QByteArray text = dump("http {\n"
                                 "  server { listen 443 ssl; server_name ok.example.test "
                                 "bad_name!.example.test example.test:8443;\n"
                                 "    ssl_certificate /a.pem; ssl_certificate_key /a.key; }\n"
                                 "}\n");
    auto plan = NginxDumpImporter::parse(text, QStringLiteral("dump.txt"), {});
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->endpoints.size(), 1);
    QCOMPARE(plan->endpoints[0].host, QStringLiteral("ok.example.test"));
    QVERIFY2(plan->endpoints[0].notes.endsWith(
                 QStringLiteral("also serves names not probed: bad_name!.example.test "
                                "example.test:8443")),
             qPrintable(plan->endpoints[0].notes));
}

void TestImportNginxDump::fiveMegabyteDump()
{
    QByteArray text = "# configuration file /etc/nginx/nginx.conf:\nhttp {\n"
                      "  include /etc/nginx/sites/*.conf;\n}\n";
    int servers = 0;
    while (text.size() < 5 * 1024 * 1024) {
        text += "# configuration file /etc/nginx/sites/s" + QByteArray::number(servers) +
                ".conf:\nserver {\n  listen 443 ssl;\n  server_name s" +
                QByteArray::number(servers) +
                ".example.test;\n  ssl_certificate /etc/ssl/s.pem;\n"
                "  ssl_certificate_key /etc/ssl/s.key;\n  location / { return 204; }\n}\n";
        ++servers;
    }
    auto plan = NginxDumpImporter::parse(text, QStringLiteral("big.txt"), {});
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->endpoints.size(), servers);
    QCOMPARE(plan->deployTargets.size(), 1);
    QVERIFY(plan->warnings.isEmpty());
}

void TestImportNginxDump::tooLargeIsRefused()
{
    const QByteArray text =
        dump(QByteArray(int(NginxDumpImporter::MaxBytes), '#')); // one huge comment
    auto plan = NginxDumpImporter::parse(text, QStringLiteral("huge.txt"), {});
    QVERIFY(!plan.has_value());
    QVERIFY2(plan.error().message.contains(QStringLiteral("over 16 MB is refused")),
             qPrintable(plan.error().message));
}

QTEST_GUILESS_MAIN(TestImportNginxDump)
#include "test_import_nginxdump.moc"
