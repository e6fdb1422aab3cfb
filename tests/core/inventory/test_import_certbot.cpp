// SPDX-License-Identifier: GPL-3.0-or-later
// CertbotImporter on a certbot-like tree built from TestPki files: live/
// symlinks into archive/ as certbot makes them, realistic renewal confs, and
// a lineage whose files are gone, and malformed files that refuse it all.
#include "PeerProcess.h"
#include "TestPki.h"
#include "inventory/import/CertbotImporter.h"
#include "inventory/import/CertbotRenewalConf.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using namespace certdeck::test;

class TestImportCertbot : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void importsLineages();
    void brokenLineageIsWarnedAbout();
    void keyTypeNotOursGetsNoPolicy();
    void malformedInputRefusesTheImport_data();
    void malformedInputRefusesTheImport();
    void notACertbotFolder();
    void renewalConfKeyTypes_data();
    void renewalConfKeyTypes();
    void renewalIntervals_data();
    void renewalIntervals();

private:
    bool lineage(const QString& name, const TestPki::Leaf& leaf, const QByteArray& conf);
    static bool hasWarning(const ImportPlan& plan, const QString& part)
    {
        for (const QString& w : plan.warnings) {
            if (w.contains(part)) {
                return true;
            }
        }
        return false;
    }

    FixtureDir m_pkiDir;
    TestPki m_pki;
    FixtureDir m_le; ///< the certbot config folder (/etc/letsencrypt)
};

bool TestImportCertbot::lineage(const QString& name, const TestPki::Leaf& leaf,
                                const QByteArray& conf)
{
    QDir le(m_le.path());
    if (!le.mkpath(QStringLiteral("archive/") + name) ||
        !le.mkpath(QStringLiteral("live/") + name) || !le.mkpath(QStringLiteral("renewal"))) {
        return false;
    }
    const QList<QPair<QString, QString>> files = {{QStringLiteral("cert"), leaf.cert},
                                                  {QStringLiteral("chain"), leaf.chain},
                                                  {QStringLiteral("fullchain"), leaf.fullchain},
                                                  {QStringLiteral("privkey"), leaf.key}};
    for (const auto& f : files) {
        // certbot numbers archived versions: cert1.pem, cert2.pem...
        const QString archived =
            QStringLiteral("archive/") + name + u'/' + f.first + QStringLiteral("1.pem");
        if (!QFile::copy(f.second, le.filePath(archived)) ||
            !QFile::link(QStringLiteral("../../") + archived,
                         le.filePath(QStringLiteral("live/%1/%2.pem").arg(name, f.first)))) {
            return false;
        }
    }
    return conf.isEmpty() || m_le.write(QStringLiteral("renewal/%1.conf").arg(name), conf);
}

void TestImportCertbot::initTestCase()
{
    QVERIFY2(m_pki.create(m_pkiDir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec api;
    api.name = QStringLiteral("api");
    api.commonName = QStringLiteral("api.example.test");
    api.sans = {QStringLiteral("DNS:api.example.test"), QStringLiteral("DNS:www.example.test")};
    const TestPki::Leaf apiLeaf = m_pki.issue(api);
    QVERIFY2(!apiLeaf.name.isEmpty(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec wild;
    wild.name = QStringLiteral("wild");
    wild.commonName = QStringLiteral("example.test");
    wild.sans = {QStringLiteral("DNS:*.example.test"), QStringLiteral("DNS:example.test")};
    wild.keyType = TestPki::KeyType::Rsa2048;
    const TestPki::Leaf wildLeaf = m_pki.issue(wild);
    QVERIFY2(!wildLeaf.name.isEmpty(), qPrintable(m_pki.errorString()));

    QVERIFY(lineage(QStringLiteral("api.example.test"), apiLeaf,
                    "# renew_before_expiry = 30 days\n"
                    "version = 2.1.0\n"
                    "archive_dir = /etc/letsencrypt/archive/api.example.test\n"
                    "cert = /etc/letsencrypt/live/api.example.test/cert.pem\n"
                    "privkey = /etc/letsencrypt/live/api.example.test/privkey.pem\n"
                    "chain = /etc/letsencrypt/live/api.example.test/chain.pem\n"
                    "fullchain = /etc/letsencrypt/live/api.example.test/fullchain.pem\n"
                    "renew_before_expiry = 20 days\n"
                    "\n"
                    "# Options used in the renewal process\n"
                    "[renewalparams]\n"
                    "account = 4b3c1e2f9a8d7c6b5a4f3e2d1c0b9a88\n"
                    "authenticator = webroot\n"
                    "webroot_path = /var/www/api,\n"
                    "server = https://acme-v02.api.letsencrypt.org/directory\n"
                    "key_type = ecdsa\n"
                    "elliptic_curve = secp384r1\n"
                    "installer = nginx\n"
                    "[[webroot_map]]\n"
                    "api.example.test = /var/www/api\n"
                    "www.example.test = /var/www/api\n"));
    QVERIFY(lineage(QStringLiteral("example.test"), wildLeaf,
                    "version = 1.21.0\n"
                    "archive_dir = /etc/letsencrypt/archive/example.test\n"
                    "\n"
                    "[renewalparams]\n"
                    "account = 99aa\n"
                    "authenticator = dns-cloudflare\n"
                    "dns_cloudflare_credentials = /root/.secrets/cloudflare.ini\n"
                    "server = https://acme-v02.api.letsencrypt.org/directory\n"
                    "rsa_key_size = 4096\n"));
    // fullchain.pem's archive file was lost: the importer falls back to
    // cert.pem + chain.pem.
    QVERIFY(QFile::remove(m_le.filePath(QStringLiteral("archive/example.test/fullchain1.pem"))));
}

void TestImportCertbot::importsLineages()
{
    CertbotImporter::Options options;
    options.sshHost = QStringLiteral("web1.example.test");
    auto plan = CertbotImporter::importFolder(m_le.path(), options);
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));

    QStringList hosts;
    for (const Endpoint& e : plan->endpoints) {
        hosts << e.host + u':' + QString::number(e.port);
        QCOMPARE(e.tags, QStringList{QStringLiteral("certbot")});
    }
    QCOMPARE(hosts, QStringList({QStringLiteral("api.example.test:443"),
                                 QStringLiteral("www.example.test:443"),
                                 QStringLiteral("example.test:443")}));
    QCOMPARE(plan->endpoints[0].serverKind, ServerKind::Nginx);
    QCOMPARE(plan->endpoints[2].serverKind, ServerKind::Unknown);
    QVERIFY(plan->endpoints[2].notes.contains(QStringLiteral("also covers *.example.test")));

    // Deploy targets use the server's paths from the conf.
    const DeployTarget* api = plan->deployTargetOf(0);
    QVERIFY(api != nullptr);
    QCOMPARE(plan->deployTargetOf(1), api);
    QCOMPARE(api->sshHost, QStringLiteral("web1.example.test"));
    QCOMPARE(api->fullchainPath,
             QStringLiteral("/etc/letsencrypt/live/api.example.test/fullchain.pem"));
    QCOMPARE(api->keyPath, QStringLiteral("/etc/letsencrypt/live/api.example.test/privkey.pem"));
    QCOMPARE(api->certPath, QStringLiteral("/etc/letsencrypt/live/api.example.test/cert.pem"));
    // certbot says the files are nginx's, not how this host checks and
    // reloads nginx, nor an SSH port: none is made up.
    QVERIFY(api->validateCommand.isEmpty());
    QVERIFY(api->reloadCommand.isEmpty());
    QVERIFY(!api->sshPort.has_value());
    QVERIFY(!api->local);
    // A certificate names no port: 443 is an assumption, and says so.
    QVERIFY2(plan->endpoints[0].notes.contains(QStringLiteral("port 443 assumed")),
             qPrintable(plan->endpoints[0].notes));
    // No paths in the second conf: the folder's own paths.
    const DeployTarget* wild = plan->deployTargetOf(2);
    QCOMPARE(wild->keyPath,
             QDir(m_le.path()).absoluteFilePath(QStringLiteral("live/example.test/privkey.pem")));
    QVERIFY(wild->validateCommand.isEmpty());
    QCOMPARE(plan->privateKeyPaths,
             QStringList({QStringLiteral("/etc/letsencrypt/live/api.example.test/privkey.pem"),
                          wild->keyPath}));

    // Two leaves and the shared intermediate.
    QCOMPARE(plan->certificates.size(), 3);
    QCOMPARE(plan->certificates[0].certificate.commonName(), QStringLiteral("api.example.test"));
    QCOMPARE(plan->certificates[0].endpointIndexes, QList<int>({0, 1}));
    QCOMPARE(
        plan->certificates[0].sourcePath,
        QDir(m_le.path()).absoluteFilePath(QStringLiteral("live/api.example.test/fullchain.pem")));
    QVERIFY(!plan->certificates[1].isLeaf);
    QCOMPARE(plan->certificates[2].certificate.commonName(), QStringLiteral("example.test"));
    QCOMPARE(plan->certificates[2].endpointIndexes, QList<int>({2}));

    QCOMPARE(plan->renewals.size(), 2);
    const PlannedRenewal& r = plan->renewals[0];
    QCOMPARE(r.lineage, QStringLiteral("api.example.test"));
    QCOMPARE(r.policy.keyType, QStringLiteral("p384"));
    QCOMPARE(r.policy.renewBeforeDays, 20);
    QCOMPARE(r.policy.challenge, QStringLiteral("http-01"));
    QCOMPARE(r.authenticator, QStringLiteral("webroot"));
    QCOMPARE(r.webrootPaths, QStringList{QStringLiteral("/var/www/api")});
    QCOMPARE(r.endpointIndexes, QList<int>({0, 1}));
    const PlannedRenewal& w = plan->renewals[1];
    QCOMPARE(w.policy.keyType, QStringLiteral("rsa4096"));
    QCOMPARE(w.policy.challenge, QStringLiteral("dns-01"));
    QCOMPARE(w.policy.renewBeforeDays, 30);
    QCOMPARE(w.domains,
             QStringList({QStringLiteral("*.example.test"), QStringLiteral("example.test")}));
    QCOMPARE(plan->issuers.size(), 1);
    QCOMPARE(r.issuerIndex, 0);
    QCOMPARE(plan->issuers[0].directoryUrl,
             QStringLiteral("https://acme-v02.api.letsencrypt.org/directory"));

    QCOMPARE(plan->warnings,
             QStringList({QStringLiteral("live/example.test/fullchain.pem points to a missing "
                                         "file (is archive/ there?)"),
                          QStringLiteral("lineage example.test: *.example.test not probed "
                                         "(wildcard); add the hosts it covers by hand")}));
}

void TestImportCertbot::brokenLineageIsWarnedAbout()
{
    FixtureDir le;
    QDir d(le.path());
    QVERIFY(d.mkpath(QStringLiteral("live/gone.example.test")));
    QVERIFY(d.mkpath(QStringLiteral("renewal")));
    QVERIFY(QFile::link(QStringLiteral("../../archive/gone.example.test/fullchain3.pem"),
                        d.filePath(QStringLiteral("live/gone.example.test/fullchain.pem"))));
    QVERIFY(le.write(QStringLiteral("renewal/conf-only.example.test.conf"),
                     "[renewalparams]\nauthenticator = standalone\n"
                     "[[webroot_map]]\nconf-only.example.test = /var/www\n"));
    auto plan = CertbotImporter::importFolder(le.path());
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    // The conf alone still names the host.
    QCOMPARE(plan->endpoints.size(), 1);
    QCOMPARE(plan->endpoints[0].host, QStringLiteral("conf-only.example.test"));
    const QString all = plan->warnings.join(u'\n');
    QVERIFY2(hasWarning(*plan, QStringLiteral("live/conf-only.example.test/fullchain.pem is "
                                              "missing")),
             qPrintable(all));
    QVERIFY2(hasWarning(*plan, QStringLiteral("renewal/gone.example.test.conf is missing")),
             qPrintable(all));
    QVERIFY2(hasWarning(*plan, QStringLiteral("live/gone.example.test/fullchain.pem points to a "
                                              "missing file")),
             qPrintable(all));
    QVERIFY2(hasWarning(*plan, QStringLiteral("live/gone.example.test/cert.pem is missing")),
             qPrintable(all));
    QVERIFY2(hasWarning(*plan, QStringLiteral("live/gone.example.test/privkey.pem is missing")),
             qPrintable(all));
    QVERIFY2(hasWarning(*plan, QStringLiteral("lineage gone.example.test: no names")),
             qPrintable(all));
}

void TestImportCertbot::keyTypeNotOursGetsNoPolicy()
{
    // certbot renews this lineage with a P-521 key, which CertDeck does not
    // make: a policy with another key type would be made up, so none is
    // imported; the endpoint and the issuer are.
    FixtureDir le;
    QVERIFY(QDir(le.path()).mkpath(QStringLiteral("renewal")));
    QVERIFY(le.write(QStringLiteral("renewal/p521.example.test.conf"),
                     "[renewalparams]\nauthenticator = webroot\n"
                     "server = https://acme.example.test/directory\n"
                     "key_type = ecdsa\nelliptic_curve = secp521r1\n"
                     "[[webroot_map]]\np521.example.test = /var/www\n"));
    auto plan = CertbotImporter::importFolder(le.path());
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->endpoints.size(), 1);
    QCOMPARE(plan->issuers.size(), 1);
    QVERIFY(plan->renewals.isEmpty());
    QVERIFY2(hasWarning(*plan, QStringLiteral("renewal/p521.example.test.conf: key type ecdsa "
                                              "secp521r1 is not one CertDeck makes; no renewal "
                                              "policy imported for this lineage")),
             qPrintable(plan->warnings.join(u'\n')));
}

void TestImportCertbot::malformedInputRefusesTheImport_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("error");
    const QByteArray good = "[renewalparams]\nauthenticator = standalone\n"
                            "[[webroot_map]]\nok.example.test = /var/www\n";
    QTest::newRow("cut-off certificate")
        << "live/ok.example.test/cert.pem" << QByteArray("-----BEGIN CERTIFICATE-----\nMIIB\n")
        << "live/ok.example.test/cert.pem: cert.pem line 1 (block 1): BEGIN CERTIFICATE has no "
           "END line (the file is truncated)";
    QTest::newRow("not key = value")
        << "renewal/ok.example.test.conf" << QByteArray("this line is broken\n") + good
        << "renewal/ok.example.test.conf line 1: \"this line is broken\" is not \"key = "
           "value\"";
    QTest::newRow("section header")
        << "renewal/ok.example.test.conf" << QByteArray("[renewalparams\n") + good
        << "renewal/ok.example.test.conf line 1: malformed section header \"[renewalparams\"";
    QTest::newRow("domain with spaces")
        << "renewal/ok.example.test.conf" << good + "this is : not : a host = /var/www\n"
        << "renewal/ok.example.test.conf line 5: domain \"this is : not : a host\": a host and "
           "port hold no spaces";
    QTest::newRow("domains entry")
        << "renewal/ok.example.test.conf"
        << QByteArray("[renewalparams]\ndomains = ok.example.test, bad!name\n")
        << "renewal/ok.example.test.conf line 2: domain \"bad!name\": \"bad!name\" is not a "
           "valid host name";
    QTest::newRow("rsa_key_size")
        << "renewal/ok.example.test.conf" << good + "[renewalparams]\nrsa_key_size = big\n"
        << "renewal/ok.example.test.conf line 6: rsa_key_size \"big\" is not a number";
    QTest::newRow("renew_before_expiry")
        << "renewal/ok.example.test.conf"
        << "renew_before_expiry = soon\n" + good
        << "renewal/ok.example.test.conf line 1: renew_before_expiry \"soon\" is not a time "
           "interval";
}

void TestImportCertbot::malformedInputRefusesTheImport()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(QString, error);
    FixtureDir le;
    QDir d(le.path());
    QVERIFY(d.mkpath(QStringLiteral("live/ok.example.test")));
    QVERIFY(d.mkpath(QStringLiteral("renewal")));
    if (!file.startsWith(QLatin1String("renewal/"))) {
        QVERIFY(le.write(QStringLiteral("renewal/ok.example.test.conf"),
                         "[renewalparams]\nauthenticator = standalone\n"));
    }
    QVERIFY(le.write(file, content));
    auto plan = CertbotImporter::importFolder(le.path());
    QVERIFY2(!plan.has_value(), "a malformed file must refuse the import");
    QCOMPARE(plan.error().code, ErrorCode::InvalidInput);
    QVERIFY2(plan.error().message.startsWith(error), qPrintable(plan.error().message));
}

void TestImportCertbot::notACertbotFolder()
{
    FixtureDir empty;
    auto plan = CertbotImporter::importFolder(empty.path());
    QVERIFY(!plan.has_value());
    QVERIFY2(plan.error().message.contains(QStringLiteral("not a certbot folder")),
             qPrintable(plan.error().message));
    auto missing = CertbotImporter::importFolder(empty.filePath(QStringLiteral("nope")));
    QVERIFY(!missing.has_value());
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
}

void TestImportCertbot::renewalConfKeyTypes_data()
{
    QTest::addColumn<QByteArray>("params");
    QTest::addColumn<QString>("keyType");
    QTest::addColumn<QString>("challenge");
    QTest::newRow("old certbot: rsa 2048")
        << QByteArray("") << QStringLiteral("rsa2048") << QStringLiteral("http-01");
    QTest::newRow("ecdsa default curve")
        << QByteArray("key_type = ecdsa\n") << QStringLiteral("p256") << QStringLiteral("http-01");
    QTest::newRow("rsa 3072 manual dns")
        << QByteArray("key_type = rsa\nrsa_key_size = 3072\nauthenticator = manual\n"
                      "pref_challs = dns-01,\n")
        << QStringLiteral("rsa3072") << QStringLiteral("dns-01");
    QTest::newRow("secp521r1 is not ours")
        << QByteArray("key_type = ecdsa\nelliptic_curve = secp521r1\n") << QString()
        << QStringLiteral("http-01");
    QTest::newRow("rsa 1024 is not ours")
        << QByteArray("rsa_key_size = 1024\n") << QString() << QStringLiteral("http-01");
}

void TestImportCertbot::renewalConfKeyTypes()
{
    QFETCH(QByteArray, params);
    QFETCH(QString, keyType);
    QFETCH(QString, challenge);
    const auto conf = CertbotRenewalConf::parse("[renewalparams]\n" + params, QStringLiteral("x"));
    QCOMPARE(conf.certdeckKeyType(), keyType);
    QCOMPARE(conf.challenge(), challenge);
    QVERIFY(conf.errors.isEmpty());
}

void TestImportCertbot::renewalIntervals_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("days"); // -1: not an interval
    QTest::newRow("days") << "20 days" << 20;
    QTest::newRow("bare number") << "14" << 14;
    QTest::newRow("weeks") << "2 weeks" << 14;
    QTest::newRow("sum") << "1 week 3 days" << 10;
    QTest::newRow("hours round up") << "12 hours" << 1;
    QTest::newRow("month") << "1 month" << 30;
    QTest::newRow("short units") << "1w 2d" << 9;
    QTest::newRow("word") << "soon" << -1;
    QTest::newRow("unknown unit") << "3 fortnights" << -1;
    QTest::newRow("empty") << "" << -1;
    QTest::newRow("trailing junk") << "30 days!" << -1;
}

void TestImportCertbot::renewalIntervals()
{
    QFETCH(QString, text);
    QFETCH(int, days);
    QCOMPARE(CertbotRenewalConf::intervalDays(text).value_or(-1), days);
    const auto conf = CertbotRenewalConf::parse("renew_before_expiry = " + text.toUtf8() + "\n",
                                                QStringLiteral("x.conf"));
    QCOMPARE(conf.errors.isEmpty(), days >= 0 || text.isEmpty());
    QCOMPARE(conf.renewBeforeDays(), days >= 0 ? days : 30);
}

QTEST_GUILESS_MAIN(TestImportCertbot)
#include "test_import_certbot.moc"
