// SPDX-License-Identifier: GPL-3.0-or-later
// Generated configurations against the real servers: `nginx -t`, `haproxy
// -c` and `apache2 -t` accept every policy; the server's own refusal comes
// back as the evidence; and nginx and HAProxy running the generated
// configuration (and Apache too) accept exactly the policy's protocols and
// suites, as sslscan (the independent oracle) sees them.
#include "PeerProcess.h"
#include "ScannerOracle.h"
#include "TestPki.h"
#include "config/ConfigValidator.h"

#include <QDir>
#include <QFile>
#include <QSet>
#include <QTest>
#include <unistd.h>

using namespace certdeck;
using namespace certdeck::config;
using namespace certdeck::test;

class TestConfigValidator : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void everyPolicyPasses_data();
    void everyPolicyPasses();
    void envoyIsSkippedWithoutItsBinary();
    void localCopiesStandInForRemotePaths();
    void missingFileIsNamed_data();
    void missingFileIsNamed();
    void serverRefusalIsTheEvidence_data();
    void serverRefusalIsTheEvidence();
    void keyMismatchIsRefusedBeforeTheServer_data();
    void keyMismatchIsRefusedBeforeTheServer();
    void missingBinaryIsUnsupported();
    void runningServerOffersExactlyThePolicy_data();
    void runningServerOffersExactlyThePolicy();

private:
    ServerTlsSettings settingsFor(TlsPolicyName policy, const TestPki::Leaf& leaf) const;
    /// Starts `server` on a free loopback port with the generated text of
    /// `s` (listen set here); returns the port, 0 on failure.
    quint16 startServer(ServerSoftware server, ServerTlsSettings s, PeerProcess* process,
                        const FixtureDir& dir, QString* error);

    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_ecdsa;
    TestPki::Leaf m_rsa;
    TestPki::Leaf m_otherEcdsa;
    QString m_dhparam;
    QString m_nginxTicket;
    QString m_apacheTicket;
    QString m_haproxyTicket;
};

void TestConfigValidator::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("pki"))));
    QVERIFY2(m_pki.create(m_dir.filePath(QStringLiteral("pki")), {}),
             qPrintable(m_pki.errorString()));
    TestPki::LeafSpec ec;
    ec.name = QStringLiteral("site-ec");
    m_ecdsa = m_pki.issue(ec);
    QVERIFY2(!m_ecdsa.name.isEmpty(), qPrintable(m_pki.errorString()));
    ec.name = QStringLiteral("other-ec");
    m_otherEcdsa = m_pki.issue(ec);
    QVERIFY2(!m_otherEcdsa.name.isEmpty(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec rsa;
    rsa.name = QStringLiteral("site-rsa");
    rsa.keyType = TestPki::KeyType::Rsa2048;
    m_rsa = m_pki.issue(rsa);
    QVERIFY2(!m_rsa.name.isEmpty(), qPrintable(m_pki.errorString()));
    // RFC 7919's ffdhe2048 as PKCS#3 parameters: no prime search needed.
    m_dhparam = m_dir.filePath(QStringLiteral("dhparam.pem"));
    QByteArray out;
    QVERIFY2(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("genpkey"), QStringLiteral("-genparam"),
                 QStringLiteral("-algorithm"), QStringLiteral("DH"), QStringLiteral("-pkeyopt"),
                 QStringLiteral("group:ffdhe2048"), QStringLiteral("-out"), m_dhparam},
                &out) == 0,
        out.constData());
    // Ticket keys in each server's format: raw 80 bytes (nginx), raw 48
    // bytes (Apache), base64 lines (HAProxy).
    QByteArray random;
    QVERIFY(runTool(QStringLiteral("openssl"), {QStringLiteral("rand"), QStringLiteral("240")},
                    &random) == 0);
    QCOMPARE(random.size(), 240);
    m_nginxTicket = m_dir.filePath(QStringLiteral("nginx-ticket.key"));
    m_apacheTicket = m_dir.filePath(QStringLiteral("apache-ticket.key"));
    m_haproxyTicket = m_dir.filePath(QStringLiteral("haproxy-ticket.keys"));
    QVERIFY(writePrivateFile(m_nginxTicket, random.left(80)));
    QVERIFY(writePrivateFile(m_apacheTicket, random.mid(80, 48)));
    QVERIFY(writePrivateFile(m_haproxyTicket, random.left(80).toBase64() + '\n' +
                                                  random.mid(80, 80).toBase64() + '\n' +
                                                  random.mid(160, 80).toBase64() + '\n'));
}

ServerTlsSettings TestConfigValidator::settingsFor(TlsPolicyName policy,
                                                   const TestPki::Leaf& leaf) const
{
    ServerTlsSettings s;
    s.policy = policy;
    s.serverNames = {QStringLiteral("localhost")};
    s.certificateFile = leaf.fullchain;
    s.keyFile = leaf.key;
    s.chainFile = leaf.chain;
    return s;
}

void TestConfigValidator::everyPolicyPasses_data()
{
    QTest::addColumn<int>("server");
    QTest::addColumn<int>("policy");
    QTest::addColumn<bool>("rsa");
    QTest::addColumn<bool>("extras"); // dhparam, ticket key, a listen address
    const std::pair<ServerSoftware, const char*> servers[] = {{ServerSoftware::Nginx, "nginx"},
                                                              {ServerSoftware::Haproxy, "haproxy"},
                                                              {ServerSoftware::Apache, "apache"}};
    const std::pair<TlsPolicyName, const char*> policies[] = {
        {TlsPolicyName::Modern, "modern"},
        {TlsPolicyName::Intermediate, "intermediate"},
        {TlsPolicyName::Old, "old"}};
    for (const auto& [server, sname] : servers) {
        for (const auto& [policy, pname] : policies) {
            QTest::addRow("%s/%s/ecdsa", sname, pname)
                << int(server) << int(policy) << false << false;
            QTest::addRow("%s/%s/rsa+dhparam+tickets", sname, pname)
                << int(server) << int(policy) << true << true;
        }
    }
}

void TestConfigValidator::everyPolicyPasses()
{
    QFETCH(int, server);
    QFETCH(int, policy);
    QFETCH(bool, rsa);
    QFETCH(bool, extras);
    const auto sw = ServerSoftware(server);
    ServerTlsSettings s = settingsFor(TlsPolicyName(policy), rsa ? m_rsa : m_ecdsa);
    if (extras) {
        s.dhparamFile = m_dhparam;
        s.ticketKeyFile = sw == ServerSoftware::Nginx    ? m_nginxTicket
                          : sw == ServerSoftware::Apache ? m_apacheTicket
                                                         : m_haproxyTicket;
        QVERIFY(parseListen(QStringLiteral("127.0.0.1:8443"), &s));
        s.serverNames << QStringLiteral("www.localhost");
    } else {
        s.hstsMaxAge = 300;
    }
    auto report = validateConfig(sw, s);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
    QVERIFY(report->ran);
    QVERIFY2(report->command.contains(serverSoftwareId(sw) == QLatin1String("apache")
                                          ? QStringLiteral("apache2")
                                          : serverSoftwareId(sw)),
             qPrintable(report->command));
    if (sw == ServerSoftware::Apache) {
        QVERIFY2(report->output.contains(QLatin1String("Syntax OK")), qPrintable(report->output));
    }
    if (sw == ServerSoftware::Nginx) {
        QVERIFY2(report->output.contains(QLatin1String("test is successful")),
                 qPrintable(report->output));
    }
    if (sw == ServerSoftware::Haproxy) {
        QVERIFY2(report->output.contains(QLatin1String("Configuration file is valid")),
                 qPrintable(report->output));
    }
}

void TestConfigValidator::envoyIsSkippedWithoutItsBinary()
{
    auto report =
        validateConfig(ServerSoftware::Envoy, settingsFor(TlsPolicyName::Intermediate, m_ecdsa));
    QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
    if (findServerBinary(ServerSoftware::Envoy).isEmpty()) {
        QVERIFY(!report->ran);
        QVERIFY(report->skippedReason.contains(QLatin1String("no envoy binary")));
        QVERIFY(report->skippedReason.contains(QLatin1String("Debian 12")));
    } else {
        QVERIFY(report->ran);
    }
}

void TestConfigValidator::localCopiesStandInForRemotePaths()
{
    // The configuration is for another host: its paths do not exist here,
    // the local files stand in for them.
    ServerTlsSettings s = settingsFor(TlsPolicyName::Intermediate, m_ecdsa);
    s.certificateFile = QStringLiteral("/srv/remote/fullchain.pem");
    s.keyFile = QStringLiteral("/srv/remote/privkey.pem");
    s.chainFile = QStringLiteral("/srv/remote/chain.pem");
    ValidationOptions o;
    o.files.certificateFile = m_ecdsa.fullchain;
    o.files.keyFile = m_ecdsa.key;
    o.files.chainFile = m_ecdsa.chain;
    auto report = validateConfig(ServerSoftware::Nginx, s, o);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
    QVERIFY(report->ran);
    // Without them it is the missing remote path that is named.
    auto missing = validateConfig(ServerSoftware::Nginx, s);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    QVERIFY2(missing.error().message.contains(
                 QLatin1String("the certificate file /srv/remote/fullchain.pem does not exist")),
             qPrintable(missing.error().message));
}

void TestConfigValidator::missingFileIsNamed_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");
    QTest::newRow("cert") << "cert"
                          << "the certificate file %1 does not exist";
    QTest::newRow("key") << "key"
                         << "the key file %1 does not exist";
    QTest::newRow("chain") << "chain"
                           << "the chain file %1 does not exist";
    QTest::newRow("dhparam") << "dhparam"
                             << "the dhparam file %1 does not exist";
    QTest::newRow("empty cert") << "empty"
                                << "the certificate file %1 is empty";
}

void TestConfigValidator::missingFileIsNamed()
{
    QFETCH(QString, field);
    QFETCH(QString, message);
    ServerTlsSettings s = settingsFor(TlsPolicyName::Intermediate, m_rsa);
    QString path = m_dir.filePath(QStringLiteral("nowhere/%1.pem").arg(field));
    if (field == QLatin1String("cert")) {
        s.certificateFile = path;
    } else if (field == QLatin1String("key")) {
        s.keyFile = path;
    } else if (field == QLatin1String("chain")) {
        s.chainFile = path;
    } else if (field == QLatin1String("dhparam")) {
        s.dhparamFile = path;
    } else {
        path = m_dir.filePath(QStringLiteral("empty.pem"));
        QVERIFY(m_dir.write(QStringLiteral("empty.pem"), {}));
        s.certificateFile = path;
    }
    for (ServerSoftware server :
         {ServerSoftware::Nginx, ServerSoftware::Haproxy, ServerSoftware::Apache}) {
        auto report = validateConfig(server, s);
        QVERIFY(!report);
        QVERIFY2(report.error().message == message.arg(path), qPrintable(report.error().message));
    }
}

void TestConfigValidator::serverRefusalIsTheEvidence_data()
{
    QTest::addColumn<int>("server");
    QTest::addColumn<QString>("evidence");
    // A dhparam file that is not one: the server's own words come back.
    QTest::newRow("nginx") << int(ServerSoftware::Nginx) << "PEM_read_bio_DHparams(\"%1\") failed";
    QTest::newRow("haproxy") << int(ServerSoftware::Haproxy)
                             << "unable to load DH parameters from file <%1>";
}

void TestConfigValidator::serverRefusalIsTheEvidence()
{
    QFETCH(int, server);
    QFETCH(QString, evidence);
    ServerTlsSettings s = settingsFor(TlsPolicyName::Intermediate, m_rsa);
    QVERIFY(m_dir.write(QStringLiteral("bad-dh.pem"), "not DH parameters\n"));
    s.dhparamFile = m_dir.filePath(QStringLiteral("bad-dh.pem"));
    auto report = validateConfig(ServerSoftware(server), s);
    QVERIFY(!report);
    QCOMPARE(report.error().code, ErrorCode::InvalidInput);
    QVERIFY2(report.error().message.contains(QLatin1String("refused the generated intermediate")),
             qPrintable(report.error().message));
    // The server read the copy in the validation folder.
    const QString detail = report.error().detail;
    const QString before = evidence.section(QStringLiteral("%1"), 0, 0);
    const QString after = evidence.section(QStringLiteral("%1"), 1);
    QVERIFY2(detail.contains(before + QDir::tempPath()), qPrintable(detail));
    QVERIFY2(detail.contains(QStringLiteral("/dhparam.pem") + after), qPrintable(detail));
}

void TestConfigValidator::keyMismatchIsRefusedBeforeTheServer_data()
{
    QTest::addColumn<int>("server");
    QTest::addColumn<bool>("sameType");
    for (ServerSoftware server :
         {ServerSoftware::Nginx, ServerSoftware::Haproxy, ServerSoftware::Apache}) {
        // nginx -t passes an RSA key beside an ECDSA certificate, and
        // apache2 -t reads no key at all: the check is CertDeck's.
        QTest::addRow("%s/rsa key", qPrintable(serverSoftwareId(server))) << int(server) << false;
        QTest::addRow("%s/other ecdsa key", qPrintable(serverSoftwareId(server)))
            << int(server) << true;
    }
}

void TestConfigValidator::keyMismatchIsRefusedBeforeTheServer()
{
    QFETCH(int, server);
    QFETCH(bool, sameType);
    ServerTlsSettings s = settingsFor(TlsPolicyName::Intermediate, m_ecdsa);
    s.keyFile = sameType ? m_otherEcdsa.key : m_rsa.key;
    auto report = validateConfig(ServerSoftware(server), s);
    QVERIFY(!report);
    QCOMPARE(report.error().code, ErrorCode::Crypto);
    const QString message = report.error().message;
    QVERIFY2(message.startsWith(
                 QStringLiteral("the key file %1 does not belong to the certificate in %2 (")
                     .arg(s.keyFile, s.certificateFile)),
             qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("localhost")), qPrintable(message));
}

void TestConfigValidator::missingBinaryIsUnsupported()
{
    ValidationOptions o;
    o.binary = m_dir.filePath(QStringLiteral("no-such-nginx"));
    auto report =
        validateConfig(ServerSoftware::Nginx, settingsFor(TlsPolicyName::Modern, m_ecdsa), o);
    QVERIFY(!report);
    QCOMPARE(report.error().code, ErrorCode::Unsupported);
    QVERIFY(report.error().message.contains(o.binary));
}

quint16 TestConfigValidator::startServer(ServerSoftware server, ServerTlsSettings s,
                                         PeerProcess* process, const FixtureDir& dir,
                                         QString* error)
{
    const QString d = dir.path();
    QDir(d).mkpath(QStringLiteral("tmp"));
    for (int attempt = 0; attempt < 5; ++attempt) {
        const quint16 port = freeLoopbackPort();
        s.listenAddress = QStringLiteral("127.0.0.1");
        s.listenPort = port;
        s.combinedPemFile = dir.filePath(QStringLiteral("combined.pem"));
        s.apacheRuntimeDir = d; // Apache's stapling cache
        auto generated = generateConfig(server, s);
        if (!generated) {
            *error = generated.error().toString();
            return 0;
        }
        QString conf;
        QStringList args;
        if (server == ServerSoftware::Nginx) {
            // One process, stopped by its PID: as NginxFixture runs it.
            conf = QStringLiteral("daemon off;\nmaster_process off;\nworker_processes 1;\n"
                                  "pid %1/nginx.pid;\nerror_log %1/error.log info;\n"
                                  "events { worker_connections 64; }\n"
                                  "http {\n  access_log off;\n"
                                  "  client_body_temp_path %1/tmp/body;\n"
                                  "  proxy_temp_path %1/tmp/proxy;\n"
                                  "  fastcgi_temp_path %1/tmp/fastcgi;\n"
                                  "  uwsgi_temp_path %1/tmp/uwsgi;\n"
                                  "  scgi_temp_path %1/tmp/scgi;\n%2}\n")
                       .arg(d, generated->text);
            dir.write(QStringLiteral("nginx.conf"), conf.toUtf8());
            args = {QStringLiteral("-p"), d,
                    QStringLiteral("-e"), d + QStringLiteral("/error.log"),
                    QStringLiteral("-c"), dir.filePath(QStringLiteral("nginx.conf"))};
        } else if (server == ServerSoftware::Apache) {
            // As PEERS.md runs it: a private ServerRoot, nobody/nogroup when root.
            conf = QStringLiteral("ServerRoot %1\nPidFile %1/apache2.pid\nMutex file:%1 default\n"
                                  "ErrorLog %1/error.log\nServerName localhost\n")
                       .arg(d);
            for (const char* m : {"mpm_event", "authz_core", "ssl", "socache_shmcb", "headers"}) {
                conf += QStringLiteral("LoadModule %1_module /usr/lib/apache2/modules/mod_%1.so\n")
                            .arg(QString::fromLatin1(m));
            }
            if (::geteuid() == 0) {
                conf += QStringLiteral("User nobody\nGroup nogroup\n");
            }
            conf += QStringLiteral("SSLSessionCache shmcb:%1/ssl_scache(512000)\nListen %2\n")
                        .arg(d, s.listenText()) +
                    generated->text;
            dir.write(QStringLiteral("apache2.conf"), conf.toUtf8());
            args = {QStringLiteral("-d"), d, QStringLiteral("-f"),
                    dir.filePath(QStringLiteral("apache2.conf")), QStringLiteral("-DFOREGROUND")};
        } else {
            QFile key(s.keyFile);
            QFile chain(s.certificateFile);
            if (!key.open(QIODevice::ReadOnly) || !chain.open(QIODevice::ReadOnly) ||
                !writePrivateFile(s.combinedPemFile, key.readAll() + chain.readAll())) {
                *error = QStringLiteral("cannot assemble the combined PEM");
                return 0;
            }
            conf = QStringLiteral("global\n    nbthread 1\n    log stderr format raw local0 info\n"
                                  "defaults\n    mode http\n    timeout connect 5s\n"
                                  "    timeout client 30s\n    timeout server 30s\n") +
                   generated->text;
            dir.write(QStringLiteral("haproxy.cfg"), conf.toUtf8());
            args = {QStringLiteral("-db"), QStringLiteral("-f"),
                    dir.filePath(QStringLiteral("haproxy.cfg"))};
        }
        const QString binary = findServerBinary(server);
        if (!process->start(binary, args)) {
            *error = process->errorString();
            return 0;
        }
        if (process->waitForPort(port)) {
            return port;
        }
        *error = process->errorString() + u'\n' +
                 QString::fromUtf8(fileTail(d + QStringLiteral("/error.log")));
        process->stop();
        if (!error->contains(QLatin1String("in use"))) {
            return 0;
        }
    }
    return 0;
}

void TestConfigValidator::runningServerOffersExactlyThePolicy_data()
{
    QTest::addColumn<int>("server");
    QTest::addColumn<int>("policy");
    QTest::addColumn<bool>("rsa");
    QTest::addColumn<bool>("dhparam");
    QTest::newRow("nginx/intermediate/ecdsa")
        << int(ServerSoftware::Nginx) << int(TlsPolicyName::Intermediate) << false << false;
    QTest::newRow("nginx/intermediate/rsa")
        << int(ServerSoftware::Nginx) << int(TlsPolicyName::Intermediate) << true << false;
    QTest::newRow("nginx/intermediate/rsa+dhparam")
        << int(ServerSoftware::Nginx) << int(TlsPolicyName::Intermediate) << true << true;
    QTest::newRow("nginx/modern/rsa+dhparam")
        << int(ServerSoftware::Nginx) << int(TlsPolicyName::Modern) << true << true;
    QTest::newRow("haproxy/intermediate/ecdsa")
        << int(ServerSoftware::Haproxy) << int(TlsPolicyName::Intermediate) << false << false;
    QTest::newRow("haproxy/intermediate/rsa+dhparam")
        << int(ServerSoftware::Haproxy) << int(TlsPolicyName::Intermediate) << true << true;
    QTest::newRow("apache/intermediate/ecdsa")
        << int(ServerSoftware::Apache) << int(TlsPolicyName::Intermediate) << false << false;
    QTest::newRow("apache/intermediate/rsa+dhparam")
        << int(ServerSoftware::Apache) << int(TlsPolicyName::Intermediate) << true << true;
    QTest::newRow("apache/modern/rsa")
        << int(ServerSoftware::Apache) << int(TlsPolicyName::Modern) << true << false;
    QTest::newRow("haproxy/modern/ecdsa")
        << int(ServerSoftware::Haproxy) << int(TlsPolicyName::Modern) << false << false;
}

void TestConfigValidator::runningServerOffersExactlyThePolicy()
{
    QFETCH(int, server);
    QFETCH(int, policy);
    QFETCH(bool, rsa);
    QFETCH(bool, dhparam);
    const auto sw = ServerSoftware(server);
    ServerTlsSettings s = settingsFor(TlsPolicyName(policy), rsa ? m_rsa : m_ecdsa);
    s.ocspStapling = false; // the test PKI's leaves name no responder
    if (dhparam) {
        s.dhparamFile = m_dhparam;
    }
    // What was validated is what runs.
    auto report = validateConfig(sw, s);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));

    FixtureDir dir;
    PeerProcess process(serverSoftwareId(sw), dir.filePath(QStringLiteral("server.log")));
    QString error;
    const quint16 port = startServer(sw, s, &process, dir, &error);
    QVERIFY2(port != 0, qPrintable(error));
    const auto suites =
        ScannerOracle::sslscan(port, QStringLiteral("localhost"), dir.path(), &error);
    process.stop();
    QVERIFY2(suites, qPrintable(error));

    // The policy's suites that this key can serve: ECDSA suites need an
    // ECDSA key, the RSA ones (ECDHE-RSA, DHE-RSA) an RSA key.
    const TlsPolicy p = tlsPolicy(TlsPolicyName(policy));
    QSet<QString> expected;
    for (const QString& suite : p.tls13Suites) {
        expected.insert(QStringLiteral("TLSv1.3 ") + suite);
    }
    if (p.allows(QStringLiteral("TLSv1.2"))) {
        const QStringList tls12 = p.ciphers + (dhparam ? p.dheCiphers : QStringList());
        for (const QString& c : tls12) {
            if (c.contains(QLatin1String("ECDSA")) != rsa) {
                expected.insert(QStringLiteral("TLSv1.2 ") + c);
            }
        }
    }
    QSet<QString> found;
    for (const OracleSuite& o : *suites) {
        found.insert(o.version + u' ' + o.name);
    }
    QCOMPARE(found, expected);
}

QTEST_GUILESS_MAIN(TestConfigValidator)
#include "test_configvalidator.moc"
