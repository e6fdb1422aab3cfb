// SPDX-License-Identifier: GPL-3.0-or-later
// InventoryJson (export -> import round trip, damaged files) and FleetCsv
// (quoting checked by Python's csv module as an independent reader, and
// read back by the host list importer).
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/Certificate.h"
#include "inventory/import/FleetCsv.h"
#include "inventory/import/HostListImporter.h"
#include "inventory/import/InventoryJson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using namespace certdeck::test;

class TestImportExport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void jsonRoundTrip();
    void jsonReadsTheOlderAddressField();
    void jsonHasNoPrivateKeyMaterial();
    void jsonErrors_data();
    void jsonErrors();
    void csvQuotingReadByPython();
    void csvReadsBackAsHostList();

private:
    QList<Endpoint> m_endpoints;
    QList<DeployTarget> m_targets;
    QList<CertificateRecord> m_certs;
    FixtureDir m_pkiDir;
};

namespace {

CertificateRecord recordOf(const crypto::Certificate& c, qint64 id)
{
    CertificateRecord r;
    r.id = id;
    r.der = c.toDer();
    r.subject = c.subject();
    r.issuer = c.issuer();
    r.sans = c.dnsNames();
    r.serialHex = c.serialHex();
    r.sha256Hex = QString::fromLatin1(c.fingerprint(QCryptographicHash::Sha256).toHex());
    r.notBeforeUtc = c.notBefore();
    r.notAfterUtc = c.notAfter();
    r.keyId = 7;
    return r;
}

void compareEndpoints(const Endpoint& a, const Endpoint& b)
{
    QCOMPARE(a.id, b.id);
    QCOMPARE(a.host, b.host);
    QCOMPARE(a.port, b.port);
    QCOMPARE(a.sniName, b.sniName);
    QCOMPARE(a.addressOverride, b.addressOverride);
    QCOMPARE(a.group, b.group);
    QCOMPARE(a.tags, b.tags);
    QCOMPARE(a.serverKind, b.serverKind);
    QCOMPARE(a.notes, b.notes);
    QCOMPARE(a.deployTargetId, b.deployTargetId);
    QCOMPARE(a.revision, b.revision);
    QCOMPARE(a.createdUtc, b.createdUtc);
    QCOMPARE(a.updatedUtc, b.updatedUtc);
}

} // namespace

void TestImportExport::initTestCase()
{
    TestPki pki;
    QVERIFY2(pki.create(m_pkiDir.path(), {}), qPrintable(pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("api");
    spec.commonName = QStringLiteral("api.example.test");
    spec.sans = {QStringLiteral("DNS:api.example.test")};
    spec.notAfter = QDateTime(QDate(2031, 3, 4), QTime(5, 6, 7), Qt::UTC);
    const auto leaf = pki.issue(spec);
    QVERIFY2(!leaf.name.isEmpty(), qPrintable(pki.errorString()));
    QFile f(leaf.cert);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray pem = f.readAll();
    pem = pem.mid(pem.indexOf("-----BEGIN"));
    const QByteArray body =
        pem.mid(pem.indexOf('\n') + 1, pem.indexOf("-----END") - pem.indexOf('\n') - 1);
    auto cert = crypto::Certificate::fromDer(QByteArray::fromBase64(body));
    QVERIFY2(cert.has_value(), qPrintable(cert ? QString() : cert.error().toString()));
    m_certs << recordOf(*cert, 11);

    DeployTarget t;
    t.id = 5;
    t.sshHost = QStringLiteral("web1.example.test");
    t.sshPort = 2222;
    t.sshUser = QStringLiteral("deploy");
    t.keyPath = QStringLiteral("/etc/ssl/private/api.key");
    t.fullchainPath = QStringLiteral("/etc/ssl/api fullchain.pem");
    t.owner = QStringLiteral("root");
    t.group = QStringLiteral("ssl-cert");
    t.keyMode = 0640;
    t.validateCommand = QStringLiteral("nginx -t");
    t.reloadCommand = QStringLiteral("systemctl reload nginx");
    t.revision = 3;
    m_targets << t;
    // One that says little: files on this machine, no port, no commands.
    DeployTarget local;
    local.id = 6;
    local.local = true;
    local.keyPath = QStringLiteral("/etc/nginx/tls/b.key");
    local.fullchainPath = QStringLiteral("/etc/nginx/tls/b.pem");
    m_targets << local;

    Endpoint a;
    a.id = 1;
    a.host = QStringLiteral("api.example.test");
    a.port = 8443;
    a.sniName = QStringLiteral("api-internal.example.test");
    a.addressOverride = QStringLiteral("10.0.0.5");
    a.group = QStringLiteral("Payments, EU");
    a.tags = {QStringLiteral("prod"), QStringLiteral("pci \"scope\"")};
    a.serverKind = ServerKind::Nginx;
    a.notes = QStringLiteral("owner: \"ops\", pager 555\nsecond line; ünïcode");
    a.deployTargetId = 5;
    a.revision = 4;
    a.createdUtc = QDateTime(QDate(2025, 1, 2), QTime(3, 4, 5, 678), Qt::UTC);
    a.updatedUtc = QDateTime(QDate(2026, 2, 3), QTime(4, 5, 6), Qt::UTC);
    Endpoint b;
    b.id = 2;
    b.host = QStringLiteral("2001:db8::5");
    b.port = 443;
    b.serverKind = ServerKind::Haproxy;
    m_endpoints << a << b;
}

void TestImportExport::jsonRoundTrip()
{
    const QDateTime when(QDate(2026, 11, 25), QTime(12, 0), Qt::UTC);
    const QByteArray json = InventoryJson::write(m_endpoints, m_targets, m_certs, when);
    auto doc = InventoryJson::read(json, QStringLiteral("fleet.json"));
    QVERIFY2(doc.has_value(), qPrintable(doc ? QString() : doc.error().toString()));
    QCOMPARE(doc->exportedUtc, when);
    QCOMPARE(doc->endpoints.size(), 2);
    for (int i = 0; i < 2; ++i) {
        compareEndpoints(doc->endpoints[i], m_endpoints[i]);
    }
    QCOMPARE(doc->deployTargets.size(), 2);
    const DeployTarget& t = doc->deployTargets[0];
    QCOMPARE(t.id, 5);
    QCOMPARE(t.sshPort, std::optional<quint16>(2222));
    QVERIFY(!t.local);
    // What was not said stays unsaid on the way back: no port 22 appears.
    const DeployTarget& local = doc->deployTargets[1];
    QVERIFY(local.local);
    QVERIFY(!local.sshPort.has_value());
    QVERIFY(local.sshHost.isEmpty() && local.reloadCommand.isEmpty());
    QCOMPARE(t.fullchainPath, m_targets[0].fullchainPath);
    QCOMPARE(t.keyMode, 0640);
    QCOMPARE(t.certMode, 0644);
    QCOMPARE(t.owner, QStringLiteral("root"));
    QCOMPARE(t.reloadCommand, m_targets[0].reloadCommand);
    QCOMPARE(t.revision, 3);
    QCOMPARE(doc->certificates.size(), 1);
    const CertificateRecord& c = doc->certificates[0];
    QCOMPARE(c.der, m_certs[0].der);
    QCOMPARE(c.subject, m_certs[0].subject);
    QCOMPARE(c.sha256Hex, m_certs[0].sha256Hex);
    QCOMPARE(c.notAfterUtc, QDateTime(QDate(2031, 3, 4), QTime(5, 6, 7), Qt::UTC));
    QVERIFY(!c.keyId.has_value());

    // Writing what was read gives the same bytes.
    QCOMPARE(InventoryJson::write(doc->endpoints, doc->deployTargets, doc->certificates, when),
             json);

    // As a plan: ids gone, the link kept as an index, the DER decoded.
    auto plan = InventoryJson::toPlan(*doc, QStringLiteral("fleet.json"));
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->endpoints.size(), 2);
    QCOMPARE(plan->endpoints[0].id, 0);
    QVERIFY(!plan->endpoints[0].deployTargetId.has_value());
    QCOMPARE(plan->deployTargetOf(0)->sshHost, QStringLiteral("web1.example.test"));
    QCOMPARE(plan->deployTargetOf(1), nullptr);
    QCOMPARE(plan->certificates.size(), 1);
    QCOMPARE(plan->certificates[0].certificate.commonName(), QStringLiteral("api.example.test"));
    QVERIFY(plan->warnings.isEmpty());

    // A link to a deploy target the file does not hold refuses it all.
    InventoryDocument dangling = *doc;
    dangling.endpoints[1].deployTargetId = 99;
    auto refused = InventoryJson::toPlan(dangling, QStringLiteral("fleet.json"));
    QVERIFY(!refused.has_value());
    QCOMPARE(refused.error().message,
             QStringLiteral("fleet.json: endpoints[1].deployTargetId: deploy target 99 is not in "
                            "the file"));
}

void TestImportExport::jsonReadsTheOlderAddressField()
{
    // Before connectTo, "address" held the address to connect to and "sni"
    // was empty for the host; both still read as they meant.
    const QByteArray older = QStringLiteral(
                                 R"({"format": "%1", "version": %2, "endpoints": [
        {"host": "a.example.test", "port": 443, "sni": "", "address": "10.0.0.9"},
        {"host": "b.example.test", "port": 8443, "sni": "B.example.test",
         "address": "b.example.test:8443", "connectTo": ""}]})")
                                 .arg(QStringLiteral("certdeck-inventory"))
                                 .arg(InventoryJson::FormatVersion)
                                 .toUtf8();
    auto doc = InventoryJson::read(older, QStringLiteral("old.json"));
    QVERIFY2(doc.has_value(), qPrintable(doc ? QString() : doc.error().toString()));
    QCOMPARE(doc->endpoints.size(), 2);
    QCOMPARE(doc->endpoints[0].addressOverride, QStringLiteral("10.0.0.9"));
    QVERIFY(doc->endpoints[0].sniName.isEmpty());
    QVERIFY(doc->endpoints[1].addressOverride.isEmpty());
    QVERIFY(doc->endpoints[1].sniName.isEmpty());
}

void TestImportExport::jsonHasNoPrivateKeyMaterial()
{
    const QByteArray json = InventoryJson::write(m_endpoints, m_targets, m_certs, {});
    QVERIFY(!json.contains("PRIVATE"));
    QVERIFY(!json.contains("keyId"));
    // The key's path is where to deploy it, not the key.
    QVERIFY(json.contains("/etc/ssl/private/api.key"));
}

void TestImportExport::jsonErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("syntax") << QByteArray("{\n\"format\": \"certdeck-inventory\",\n\"version\": 1\n"
                                          "\"endpoints\": []}")
                            << QStringLiteral("fleet.json line 4: JSON syntax error");
    QTest::newRow("other json") << QByteArray("{\"endpoints\": []}")
                                << QStringLiteral("fleet.json is not a CertDeck inventory export");
    QTest::newRow("newer version")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 2}")
        << QStringLiteral("fleet.json is format version 2; this CertDeck reads version 1");
    QTest::newRow("bad port")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"endpoints\": ["
                      "{\"host\": \"a.example.test\"}, {\"host\": \"b\", \"port\": 70000}]}")
        << QStringLiteral("fleet.json: endpoints[1].port: 70000 is not a whole number from 1 to "
                          "65535");
    QTest::newRow("no host") << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, "
                                           "\"endpoints\": [{\"port\": 443}]}")
                             << QStringLiteral("fleet.json: endpoints[0].host: is missing");
    QTest::newRow("host with spaces")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"endpoints\": "
                      "[{\"host\": \"this is : not : a host\"}]}")
        << QStringLiteral("fleet.json: endpoints[0].host: \"this is : not : a host\": a host and "
                          "port hold no spaces");
    QTest::newRow("host with port")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"endpoints\": "
                      "[{\"host\": \"a.example.test:443\"}]}")
        << QStringLiteral("fleet.json: endpoints[0].host: \"a.example.test:443\": a host name "
                          "holds no ':'");
    QTest::newRow("bad sni")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"endpoints\": "
                      "[{\"host\": \"a\", \"sni\": \"*.example.test\"}]}")
        << QStringLiteral("fleet.json: endpoints[0].sni: \"*.example.test\": \"*.example.test\" "
                          "is a wildcard, not a host");
    QTest::newRow("bad address")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"endpoints\": "
                      "[{\"host\": \"a\", \"address\": \"somewhere\"}]}")
        << QStringLiteral("fleet.json: endpoints[0].address: \"somewhere\" is not an IP address");
    QTest::newRow("tags not a list")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"endpoints\": "
                      "[{\"host\": \"a\", \"tags\": \"prod\"}]}")
        << QStringLiteral("fleet.json: endpoints[0].tags: is not a list");
    QTest::newRow("bad kind") << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, "
                                            "\"endpoints\": [{\"host\": \"a\", \"serverKind\": "
                                            "\"iis\"}]}")
                              << QStringLiteral("fleet.json: endpoints[0].serverKind: \"iis\" is "
                                                "not a server kind");
    QTest::newRow("bad mode")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"deployTargets\": "
                      "[{\"keyMode\": \"0698\"}]}")
        << QStringLiteral("fleet.json: deployTargets[0].keyMode: \"0698\" is not an octal file "
                          "mode");
    QTest::newRow("local not a boolean")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"deployTargets\": "
                      "[{\"local\": \"yes\"}]}")
        << QStringLiteral("fleet.json: deployTargets[0].local: is not true or false");
    QTest::newRow("bad base64")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"certificates\": "
                      "[{\"der\": \"not*base64\"}]}")
        << QStringLiteral("fleet.json: certificates[0].der: is not base64 DER");
    QTest::newRow("list not object")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"endpoints\": [3]}")
        << QStringLiteral("fleet.json: endpoints[0] is not an object");
}

void TestImportExport::jsonErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    auto doc = InventoryJson::read(json, QStringLiteral("fleet.json"));
    QVERIFY(!doc.has_value());
    QVERIFY2(doc.error().message.startsWith(error), qPrintable(doc.error().message));
}

void TestImportExport::csvQuotingReadByPython()
{
    QList<FleetCsvRow> rows;
    rows << FleetCsvRow{m_endpoints[0], m_certs[0]} << FleetCsvRow{m_endpoints[1], std::nullopt};
    const QDateTime now(QDate(2031, 3, 1), QTime(5, 6, 7), Qt::UTC);
    const QByteArray csv = FleetCsv::write(rows, now);
    FixtureDir dir;
    QVERIFY(dir.write(QStringLiteral("fleet.csv"), csv));
    QByteArray out;
    const int rc = runTool(QStringLiteral("python3"),
                           {QStringLiteral("-c"),
                            QStringLiteral("import csv, json, sys\n"
                                           "with open(sys.argv[1], newline='', encoding='utf-8') "
                                           "as f:\n"
                                           "    print(json.dumps(list(csv.reader(f))))\n"),
                            dir.filePath(QStringLiteral("fleet.csv"))},
                           &out);
    QVERIFY2(rc == 0, out.constData());
    const QJsonArray table = QJsonDocument::fromJson(out).array();
    QCOMPARE(table.size(), 3);
    QStringList header;
    for (const auto& v : table[0].toArray()) {
        header << v.toString();
    }
    QCOMPARE(header, FleetCsv::header());
    const QJsonArray a = table[1].toArray();
    QCOMPARE(a.size(), header.size());
    QCOMPARE(a[0].toString(), QStringLiteral("api.example.test"));
    QCOMPARE(a[1].toString(), QStringLiteral("8443"));
    QCOMPARE(a[2].toString(), QStringLiteral("api-internal.example.test"));
    QCOMPARE(a[3].toString(), QStringLiteral("yes"));
    QCOMPARE(a[4].toString(), QStringLiteral("Payments, EU"));
    QCOMPARE(a[5].toString(), QStringLiteral("prod;pci \"scope\""));
    QCOMPARE(a[6].toString(), QStringLiteral("nginx"));
    QCOMPARE(a[7].toString(), m_certs[0].issuer);
    QVERIFY(m_certs[0].issuer.contains(u',')); // the DN itself needs quoting
    QCOMPARE(a[8].toString(), QStringLiteral("2031-03-04T05:06:07Z"));
    QCOMPARE(a[9].toString(), QStringLiteral("3"));
    QCOMPARE(a[10].toString(), QStringLiteral("EXPIRING"));
    QCOMPARE(a[11].toString(), m_endpoints[0].notes);
    QCOMPARE(a[12].toString(), QStringLiteral("10.0.0.5"));
    QCOMPARE(a[13].toString(), QStringLiteral("api.example.test:8443"));
    const QJsonArray b = table[2].toArray();
    QCOMPARE(b[0].toString(), QStringLiteral("2001:db8::5"));
    // The name sent is the host when no SNI name is set.
    QCOMPARE(b[2].toString(), QStringLiteral("2001:db8::5"));
    QCOMPARE(b[3].toString(), QStringLiteral("no"));
    QCOMPARE(b[6].toString(), QStringLiteral("haproxy"));
    QVERIFY(b[7].toString().isEmpty() && b[9].toString().isEmpty());
    QCOMPARE(b[10].toString(), QStringLiteral("NO CERTIFICATE"));
    QCOMPARE(b[13].toString(), QStringLiteral("[2001:db8::5]:443"));

    // Expired: one second past notAfter is day -1.
    const QByteArray expired = FleetCsv::write({FleetCsvRow{m_endpoints[1], m_certs[0]}},
                                               m_certs[0].notAfterUtc.addSecs(1));
    QVERIFY2(expired.contains(",2031-03-04T05:06:07Z,-1,EXPIRED,"), expired.constData());
}

void TestImportExport::csvReadsBackAsHostList()
{
    QList<FleetCsvRow> rows;
    rows << FleetCsvRow{m_endpoints[0], m_certs[0]} << FleetCsvRow{m_endpoints[1], std::nullopt};
    const QByteArray csv = FleetCsv::write(rows, QDateTime::currentDateTimeUtc());
    auto plan = HostListImporter::parse(csv, QStringLiteral("fleet.csv"));
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QVERIFY2(plan->warnings.isEmpty(), qPrintable(plan->warnings.join(u'\n')));
    QCOMPARE(plan->endpoints.size(), 2);
    const Endpoint& a = plan->endpoints[0];
    QCOMPARE(a.host, m_endpoints[0].host);
    QCOMPARE(a.port, m_endpoints[0].port);
    QCOMPARE(a.sniName, m_endpoints[0].sniName);
    QCOMPARE(a.group, m_endpoints[0].group);
    QCOMPARE(a.tags, m_endpoints[0].tags);
    QCOMPARE(a.notes, m_endpoints[0].notes);
    QCOMPARE(a.addressOverride, m_endpoints[0].addressOverride);
    QCOMPARE(plan->endpoints[1].host, QStringLiteral("2001:db8::5"));
}

QTEST_GUILESS_MAIN(TestImportExport)
#include "test_import_export.moc"
