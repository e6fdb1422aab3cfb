// SPDX-License-Identifier: GPL-3.0-or-later
// What an admin sees of the fleet's certificates through certdeckctl: list
// (text, JSON, --check exit codes), show (certificate, chain, issuer, key,
// history, last probe), attach (by id, fingerprint, PEM and DER file; the
// refusals write nothing) and export CSV agreeing with list. Certificates
// come from the test PKI (made by the openssl CLI); the served-versus-
// recorded part scans a real nginx; dates and serials are checked against
// `openssl x509`.
#include "CtlRun.h"
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "inventory/CertificateRepository.h"
#include "inventory/Store.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace certdeck;
using certdeck::test::CtlRun;
using certdeck::test::FixtureDir;
using certdeck::test::TestPki;

class TestFleetCertificates : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void listTextJsonAndCsvAgree();
    void checkExitsByTheWorstStatus_data();
    void checkExitsByTheWorstStatus();
    void showTellsTheCertificateAndWhereItCameFrom();
    void showMatchesOpenssl();
    void attachByIdFingerprintAndFile();
    void refusedAttachWritesNothing_data();
    void refusedAttachWritesNothing();
    void expiredAttachesWithForce();
    void servedVersusRecordedAgainstNginx();
    void sniAndAddressFollowOneRule();
    void helpOfTheNewSubcommands();

private:
    CtlRun ctl(const QStringList& args);
    QJsonObject json(const QStringList& args);
    TestPki::Leaf leaf(const QString& name, const QString& dns, const QDateTime& notAfter);
    /// Adds an endpoint in its own group; its id.
    qint64 addEndpoint(const QString& host, const QString& group, quint16 port = 443,
                       const QString& sni = {}, bool trustPki = false);
    /// Records `fullchain` (leaf first) with an ACME issuer and a vault key
    /// and makes it the endpoint's current certificate; the leaf's id.
    qint64 recordIssued(qint64 endpointId, const QString& fullchain);
    /// What attach must not change when it refuses.
    QString storeState();
    /// The standard fleet: valid, soon, gone, revoked, none.
    void makeFleet();
    static QString opensslField(const QString& file, const QString& option);

    FixtureDir m_dir;
    TestPki m_pki;
    QDateTime m_now;
    TestPki::Leaf m_valid, m_soon, m_gone, m_revoked, m_other, m_served, m_recorded;
    QString m_db;
    int m_counter = 0;
    qint64 m_issuerId = 0;
    qint64 m_keyId = 0;
};

CtlRun TestFleetCertificates::ctl(const QStringList& args)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"), m_db);
    env.insert(QStringLiteral("USER"), QStringLiteral("alice"));
    return test::runCtl(args, env, 60000);
}

QJsonObject TestFleetCertificates::json(const QStringList& args)
{
    const CtlRun r = ctl(args + QStringList{QStringLiteral("--json")});
    return QJsonDocument::fromJson(r.out).object();
}

TestPki::Leaf TestFleetCertificates::leaf(const QString& name, const QString& dns,
                                          const QDateTime& notAfter)
{
    TestPki::LeafSpec spec;
    spec.name = name;
    spec.commonName = dns;
    spec.sans = {QStringLiteral("DNS:") + dns};
    spec.notBefore = m_now.addDays(-100);
    spec.notAfter = notAfter;
    return m_pki.issue(spec);
}

QString TestFleetCertificates::opensslField(const QString& file, const QString& option)
{
    QByteArray out;
    if (test::runTool(
            QStringLiteral("openssl"),
            {QStringLiteral("x509"), QStringLiteral("-in"), file, QStringLiteral("-noout"), option},
            &out) != 0) {
        return {};
    }
    return QString::fromUtf8(out).trimmed().section(u'=', 1);
}

void TestFleetCertificates::initTestCase()
{
    QVERIFY2(QFile::exists(test::certdeckctlPath()), "CERTDECKCTL must name certdeckctl");
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    m_now = QDateTime::currentDateTimeUtc();
    m_now = m_now.addMSecs(-m_now.time().msec());
    // Half a day past whole days, so "days left" cannot straddle a day.
    const qint64 half = 12 * 3600;
    m_valid = leaf(QStringLiteral("valid"), QStringLiteral("valid.fleet.test"),
                   m_now.addDays(200).addSecs(half));
    m_soon = leaf(QStringLiteral("soon"), QStringLiteral("soon.fleet.test"),
                  m_now.addDays(10).addSecs(half));
    m_gone = leaf(QStringLiteral("gone"), QStringLiteral("gone.fleet.test"),
                  m_now.addDays(-5).addSecs(-half));
    m_revoked = leaf(QStringLiteral("revoked"), QStringLiteral("revoked.fleet.test"),
                     m_now.addDays(200).addSecs(half));
    m_other = leaf(QStringLiteral("other"), QStringLiteral("other.fleet.test"),
                   m_now.addDays(200).addSecs(half));
    for (const TestPki::Leaf* l : {&m_valid, &m_soon, &m_gone, &m_revoked, &m_other}) {
        QVERIFY2(!l->name.isEmpty(), qPrintable(m_pki.errorString()));
    }
    for (TestPki::Leaf* l : {&m_served, &m_recorded}) {
        TestPki::LeafSpec spec;
        spec.name = l == &m_served ? QStringLiteral("served") : QStringLiteral("recorded");
        *l = m_pki.issue(spec);
        QVERIFY2(!l->name.isEmpty(), qPrintable(m_pki.errorString()));
    }
}

void TestFleetCertificates::init()
{
    m_db = m_dir.filePath(QStringLiteral("store%1/certdeck.sqlite").arg(++m_counter));
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    inventory::IssuerRecord issuer;
    issuer.name = QStringLiteral("prod-account");
    issuer.directoryUrl = QStringLiteral("https://acme.example.test/dir");
    auto issuerId = (*store)->issuers().add(issuer);
    QVERIFY(issuerId.has_value());
    m_issuerId = *issuerId;
    inventory::KeyRecord key;
    key.description = QStringLiteral("ECDSA P-256 of valid.fleet.test");
    key.protection = inventory::KeyProtection::OsKeyring;
    key.keyringId = QStringLiteral("certdeck-test-key");
    auto keyId = (*store)->keys().add(key);
    QVERIFY(keyId.has_value());
    m_keyId = *keyId;
}

qint64 TestFleetCertificates::addEndpoint(const QString& host, const QString& group, quint16 port,
                                          const QString& sni, bool trustPki)
{
    auto store = inventory::Store::openSqlite(m_db);
    if (!store) {
        return 0;
    }
    inventory::Endpoint e;
    if (trustPki) {
        // The test PKI's root, as an internal CA's would be.
        QFile root(m_pki.rootCert);
        if (!root.open(QIODevice::ReadOnly)) {
            return 0;
        }
        auto bundle = (*store)->trustBundles().add(QStringLiteral("test-pki"), root.readAll());
        if (!bundle) {
            return 0;
        }
        e.trustBundleId = bundle->id;
    }
    e.host = host;
    e.port = port;
    e.sniName = sni;
    e.group = group;
    auto added = (*store)->endpoints().add(e);
    return added ? added->id : 0;
}

qint64 TestFleetCertificates::recordIssued(qint64 endpointId, const QString& fullchain)
{
    auto bundle = crypto::CertificateReader::readFile(fullchain);
    auto store = inventory::Store::openSqlite(m_db);
    if (!bundle || !store) {
        return 0;
    }
    inventory::CertificateOrigin origin;
    origin.source = inventory::CertificateSource::Acme;
    origin.issuerId = m_issuerId;
    origin.keyId = m_keyId;
    auto id = (*store)->certificates().record(bundle->certificates, origin);
    if (!id ||
        !(*store)->certificates().addVersion(endpointId, *id, inventory::VersionState::Issued)) {
        return 0;
    }
    return *id;
}

void TestFleetCertificates::makeFleet()
{
    struct Row
    {
        QString host;
        const TestPki::Leaf* leaf;
    };
    const QList<Row> rows = {{QStringLiteral("valid.fleet.test"), &m_valid},
                             {QStringLiteral("soon.fleet.test"), &m_soon},
                             {QStringLiteral("gone.fleet.test"), &m_gone},
                             {QStringLiteral("revoked.fleet.test"), &m_revoked},
                             {QStringLiteral("none.fleet.test"), nullptr}};
    for (const Row& r : rows) {
        const qint64 id = addEndpoint(r.host, r.host.section(u'.', 0, 0));
        QVERIFY(id > 0);
        if (r.leaf) {
            const qint64 cert = recordIssued(id, r.leaf->fullchain);
            QVERIFY(cert > 0);
            if (r.leaf == &m_revoked) {
                auto store = inventory::Store::openSqlite(m_db);
                QVERIFY(store.has_value());
                inventory::CertificateRevocation rev;
                rev.atUtc = m_now.addSecs(-3600);
                rev.reason = QStringLiteral("keyCompromise");
                rev.foundBy = QStringLiteral("acme");
                QVERIFY((*store)->certificates().markRevoked(cert, rev).has_value());
            }
        }
    }
}

QString TestFleetCertificates::storeState()
{
    auto store = inventory::Store::openSqlite(m_db);
    if (!store) {
        return QStringLiteral("no store");
    }
    QStringList state;
    state << QString::number((*store)->certificates().list()->size());
    const auto endpoints = (*store)->endpoints().list();
    for (const inventory::Endpoint& e : endpoints.value_or(QList<inventory::Endpoint>())) {
        state << QString::number((*store)->certificates().versions(e.id)->size());
    }
    int attaches = 0;
    const auto log = (*store)->activity().auditLog(1000);
    for (const inventory::AuditEntry& a : log.value_or(QList<inventory::AuditEntry>())) {
        attaches += a.action == QLatin1String("certificate.attach") ? 1 : 0;
    }
    state << QString::number(attaches);
    return state.join(u',');
}

void TestFleetCertificates::listTextJsonAndCsvAgree()
{
    makeFleet();
    struct Want
    {
        QString host;
        const TestPki::Leaf* leaf;
        int days;
        QString status;
    };
    const QList<Want> wants = {
        {QStringLiteral("valid.fleet.test"), &m_valid, 200, QStringLiteral("OK")},
        {QStringLiteral("soon.fleet.test"), &m_soon, 10, QStringLiteral("EXPIRING")},
        {QStringLiteral("gone.fleet.test"), &m_gone, -6, QStringLiteral("EXPIRED")},
        {QStringLiteral("revoked.fleet.test"), &m_revoked, 200, QStringLiteral("REVOKED")},
        {QStringLiteral("none.fleet.test"), nullptr, 0, QStringLiteral("NO CERTIFICATE")}};

    const CtlRun text = ctl({QStringLiteral("fleet"), QStringLiteral("list")});
    QCOMPARE(text.code, 0);
    const QJsonArray endpoints =
        json({QStringLiteral("fleet"), QStringLiteral("list")})[QStringLiteral("endpoints")]
            .toArray();
    QCOMPARE(endpoints.size(), wants.size());
    QHash<QString, QJsonObject> byHost;
    for (const QJsonValue& v : endpoints) {
        byHost.insert(v[QStringLiteral("host")].toString(), v.toObject());
    }

    // The CSV export, read by Python's csv module.
    const CtlRun csv = ctl({QStringLiteral("fleet"), QStringLiteral("export"),
                            QStringLiteral("--format"), QStringLiteral("csv")});
    QCOMPARE(csv.code, 0);
    QVERIFY(m_dir.write(QStringLiteral("fleet%1.csv").arg(m_counter), csv.out));
    QByteArray parsed;
    QCOMPARE(test::runTool(QStringLiteral("python3"),
                           {QStringLiteral("-c"),
                            QStringLiteral("import csv, json, sys\n"
                                           "with open(sys.argv[1], newline='') as f:\n"
                                           "    print(json.dumps(list(csv.DictReader(f))))\n"),
                            m_dir.filePath(QStringLiteral("fleet%1.csv").arg(m_counter))},
                           &parsed),
             0);
    QHash<QString, QJsonObject> csvByHost;
    for (const QJsonValue& v : QJsonDocument::fromJson(parsed).array()) {
        csvByHost.insert(v[QStringLiteral("host")].toString(), v.toObject());
    }
    QCOMPARE(csvByHost.size(), wants.size());

    for (const Want& w : wants) {
        const QJsonObject o = byHost.value(w.host);
        const QJsonObject c = csvByHost.value(w.host);
        QCOMPARE(o[QStringLiteral("status")].toString(), w.status);
        QCOMPARE(c[QStringLiteral("status")].toString(), w.status);
        QCOMPARE(o[QStringLiteral("address")].toString(), w.host + QStringLiteral(":443"));
        QCOMPARE(c[QStringLiteral("address")].toString(), o[QStringLiteral("address")].toString());
        QCOMPARE(o[QStringLiteral("sni")].toString(), w.host);
        QCOMPARE(c[QStringLiteral("sni")].toString(), w.host);
        QCOMPARE(o[QStringLiteral("sniSet")].toBool(true), false);
        QCOMPARE(c[QStringLiteral("sni_set")].toString(), QStringLiteral("no"));
        // The table's line holds the same values.
        QByteArray line;
        for (const QByteArray& l : text.out.split('\n')) {
            if (l.contains(w.host.toUtf8() + ":443")) {
                line = l.simplified();
            }
        }
        QVERIFY2(!line.isEmpty(), text.out.constData());
        if (!w.leaf) {
            QVERIFY(o[QStringLiteral("notAfter")].isNull());
            QVERIFY(o[QStringLiteral("daysLeft")].isNull());
            QVERIFY(c[QStringLiteral("not_after")].toString().isEmpty());
            QVERIFY2(line.contains(w.host.toUtf8() + " - - NO CERTIFICATE"), line.constData());
            continue;
        }
        // notAfter as openssl reads it from the file (the oracle).
        const QDateTime end = QLocale::c().toDateTime(
            opensslField(w.leaf->cert, QStringLiteral("-enddate")).simplified(),
            QStringLiteral("MMM d HH:mm:ss yyyy 'GMT'"));
        QVERIFY2(end.isValid(), qPrintable(opensslField(w.leaf->cert, QStringLiteral("-enddate"))));
        const QDateTime endUtc(end.date(), end.time(), Qt::UTC);
        QCOMPARE(o[QStringLiteral("notAfter")].toString(), endUtc.toString(Qt::ISODate));
        QCOMPARE(c[QStringLiteral("not_after")].toString(), endUtc.toString(Qt::ISODate));
        QCOMPARE(o[QStringLiteral("daysLeft")].toInt(-999), w.days);
        QCOMPARE(c[QStringLiteral("days_left")].toString(), QString::number(w.days));
        const QByteArray cells = QStringLiteral("%1 %2 %3 %4")
                                     .arg(w.host, endUtc.toString(QStringLiteral("yyyy-MM-dd")))
                                     .arg(w.days)
                                     .arg(w.status)
                                     .toUtf8();
        QVERIFY2(line.contains(cells), line.constData());
    }
}

void TestFleetCertificates::checkExitsByTheWorstStatus_data()
{
    QTest::addColumn<QStringList>("filter");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("summary");
    QTest::addColumn<QString>("line");
    auto group = [](const char* g) {
        return QStringList{QStringLiteral("--group"), QString(g)};
    };
    QTest::newRow("ok") << group("valid") << 0 << "FLEET OK - 1 endpoint(s): 1 OK | "
                        << "";
    QTest::newRow("expiring") << group("soon") << 1
                              << "FLEET WARNING - 1 endpoint(s): 1 EXPIRING | "
                              << "EXPIRING soon.fleet.test:443 sni soon.fleet.test not after ";
    QTest::newRow("no certificate")
        << group("none") << 1 << "FLEET WARNING - 1 endpoint(s): 1 NO CERTIFICATE | "
        << "NO CERTIFICATE none.fleet.test:443 sni none.fleet.test";
    QTest::newRow("expired") << group("gone") << 2 << "FLEET CRITICAL - 1 endpoint(s): 1 EXPIRED | "
                             << "EXPIRED gone.fleet.test:443 sni gone.fleet.test not after ";
    QTest::newRow("revoked") << group("revoked") << 2
                             << "FLEET CRITICAL - 1 endpoint(s): 1 REVOKED | "
                             << "REVOKED revoked.fleet.test:443";
    QTest::newRow("all")
        << QStringList() << 2
        << "FLEET CRITICAL - 5 endpoint(s): 1 REVOKED, 1 EXPIRED, 1 EXPIRING, 1 "
           "NO CERTIFICATE, 1 OK | revoked=1 expired=1 expiring=1 no_certificate=1 "
           "ok=1"
        << "REVOKED revoked.fleet.test:443";
    QTest::newRow("nothing matches") << group("nobody") << 3 << ""
                                     << "";
}

void TestFleetCertificates::checkExitsByTheWorstStatus()
{
    QFETCH(QStringList, filter);
    QFETCH(int, code);
    QFETCH(QString, summary);
    QFETCH(QString, line);
    makeFleet();
    const QStringList args =
        QStringList{QStringLiteral("fleet"), QStringLiteral("list"), QStringLiteral("--check")} +
        filter;
    const CtlRun r = ctl(args);
    QCOMPARE(r.code, code);
    if (code == 3) {
        QVERIFY2(r.err.contains("no endpoint matches; nothing to check"), r.err.constData());
        return;
    }
    const QStringList lines = QString::fromUtf8(r.out).split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.value(0).startsWith(summary), r.out.constData());
    if (line.isEmpty()) {
        QCOMPARE(lines.size(), 1);
    } else {
        QVERIFY2(lines.value(1).startsWith(line), r.out.constData());
    }
    const QJsonObject j = json(args)[QStringLiteral("check")].toObject();
    QCOMPARE(j[QStringLiteral("exitCode")].toInt(), code);
    QVERIFY(lines.value(0).startsWith(j[QStringLiteral("summary")].toString()));
    QCOMPARE(ctl(args + QStringList{QStringLiteral("--json")}).code, code);
}

void TestFleetCertificates::showTellsTheCertificateAndWhereItCameFrom()
{
    makeFleet();
    const CtlRun show =
        ctl({QStringLiteral("fleet"), QStringLiteral("show"), QStringLiteral("valid.fleet.test")});
    QCOMPARE(show.code, 0);
    const QByteArray& out = show.out;
    QVERIFY2(out.contains("Subject     CN=valid.fleet.test\n"), out.constData());
    QVERIFY2(out.contains("SANs        valid.fleet.test\n"), out.constData());
    QVERIFY2(out.contains("Status      OK\n"), out.constData());
    QVERIFY2(out.contains("Issued by   ACME account \"prod-account\" "
                          "(https://acme.example.test/dir)\n"),
             out.constData());
    QVERIFY2(out.contains(QStringLiteral("Key         vault key #%1 (ECDSA P-256 of "
                                         "valid.fleet.test)\n")
                              .arg(m_keyId)
                              .toUtf8()),
             out.constData());
    QVERIFY2(out.contains("Source      acme\n"), out.constData());
    QVERIFY(!out.contains("Revoked"));
    // The chain as recorded: the leaf, then the intermediate of the file.
    const QJsonObject j =
        json({QStringLiteral("fleet"), QStringLiteral("show"), QStringLiteral("valid.fleet.test")});
    const QJsonObject cert = j[QStringLiteral("certificate")].toObject();
    const QJsonArray jchain = cert[QStringLiteral("chain")].toArray();
    QCOMPARE(jchain.size(), 2);
    const int chainAt = out.indexOf("Chain (as recorded, leaf first)\n");
    QVERIFY2(chainAt > 0, out.constData());
    const QList<QByteArray> chain = out.mid(chainAt).split('\n');
    QVERIFY2(chain.value(1).contains("  CN=valid.fleet.test  (serial "), out.constData());
    QVERIFY2(chain.value(2).contains(
                 "  " + jchain[1][QStringLiteral("subject")].toString().toUtf8() + "  (serial "),
             out.constData());
    // The intermediate as openssl names it (its CN).
    const QString intermediateCn = opensslField(m_pki.intermediateCert, QStringLiteral("-subject"))
                                       .section(QStringLiteral("CN = "), 1)
                                       .section(u',', 0, 0)
                                       .trimmed();
    QVERIFY2(!intermediateCn.isEmpty(), "openssl cannot read the intermediate");
    QVERIFY2(chain.value(2).contains("CN=" + intermediateCn.toUtf8()), out.constData());
    QVERIFY2(out.contains("\nDeploy target  none\n"), out.constData());
    QVERIFY2(
        QRegularExpression(QStringLiteral("History \\(oldest first\\)\n  \\S+Z  issued    #\\d+"
                                          "  serial [0-9A-F:]+  CN=valid.fleet.test\n"))
            .match(QString::fromUtf8(out))
            .hasMatch(),
        out.constData());
    QVERIFY2(out.contains("Last probe  never\n"), out.constData());

    QCOMPARE(cert[QStringLiteral("subject")].toString(), QStringLiteral("CN=valid.fleet.test"));
    QCOMPARE(cert[QStringLiteral("status")].toString(), QStringLiteral("OK"));
    QCOMPARE(cert[QStringLiteral("source")].toString(), QStringLiteral("acme"));
    QCOMPARE(cert[QStringLiteral("issuedBy")][QStringLiteral("name")].toString(),
             QStringLiteral("prod-account"));
    QCOMPARE(cert[QStringLiteral("issuedBy")][QStringLiteral("kind")].toString(),
             QStringLiteral("acme-account"));
    QCOMPARE(cert[QStringLiteral("key")][QStringLiteral("id")].toInteger(), m_keyId);
    QVERIFY(cert[QStringLiteral("revocation")].isNull());
    QCOMPARE(jchain[0][QStringLiteral("id")].toInteger(), cert[QStringLiteral("id")].toInteger());
    QCOMPARE(jchain[1][QStringLiteral("subject")].toString(),
             jchain[0][QStringLiteral("issuer")].toString());
    const QJsonArray history = j[QStringLiteral("history")].toArray();
    QCOMPARE(history.size(), 1);
    QCOMPARE(history[0][QStringLiteral("state")].toString(), QStringLiteral("issued"));
    QVERIFY(j[QStringLiteral("lastProbe")].isNull());
    QVERIFY(j[QStringLiteral("deployTarget")].isNull());
    QCOMPARE(j[QStringLiteral("endpoint")][QStringLiteral("status")].toString(),
             QStringLiteral("OK"));

    // Revoked: when, why and who found it, in both forms.
    const CtlRun revoked = ctl(
        {QStringLiteral("fleet"), QStringLiteral("show"), QStringLiteral("revoked.fleet.test")});
    const QByteArray when = m_now.addSecs(-3600).toString(Qt::ISODate).toUtf8();
    QVERIFY2(
        revoked.out.contains("Revoked     " + when + ", reason keyCompromise, found by acme\n"),
        revoked.out.constData());
    QVERIFY2(revoked.out.contains("Status      REVOKED\n"), revoked.out.constData());
    QVERIFY2(revoked.out.contains("), REVOKED\n"), revoked.out.constData());
    const QJsonObject rj = json(
        {QStringLiteral("fleet"), QStringLiteral("show"), QStringLiteral("revoked.fleet.test")});
    const QJsonObject rev =
        rj[QStringLiteral("certificate")][QStringLiteral("revocation")].toObject();
    QCOMPARE(rev[QStringLiteral("reason")].toString(), QStringLiteral("keyCompromise"));
    QCOMPARE(rev[QStringLiteral("foundBy")].toString(), QStringLiteral("acme"));
    QCOMPARE(rev[QStringLiteral("at")].toString(), QString::fromUtf8(when));

    // No certificate: said so, with the way to attach one.
    const CtlRun none =
        ctl({QStringLiteral("fleet"), QStringLiteral("show"), QStringLiteral("none.fleet.test")});
    QVERIFY2(none.out.contains("Certificate  none recorded (attach one: certdeckctl fleet attach "
                               "none.fleet.test:443 CERT)\n"),
             none.out.constData());
    QVERIFY(json({QStringLiteral("fleet"), QStringLiteral("show"),
                  QStringLiteral("none.fleet.test")})[QStringLiteral("certificate")]
                .isNull());
}

void TestFleetCertificates::showMatchesOpenssl()
{
    makeFleet();
    const CtlRun show =
        ctl({QStringLiteral("fleet"), QStringLiteral("show"), QStringLiteral("soon.fleet.test")});
    QCOMPARE(show.code, 0);
    const QString serial = opensslField(m_soon.cert, QStringLiteral("-serial"));
    QVERIFY(!serial.isEmpty());
    QRegularExpressionMatch m = QRegularExpression(QStringLiteral("Serial      ([0-9A-F:]+)\n"))
                                    .match(QString::fromUtf8(show.out));
    QVERIFY2(m.hasMatch(), show.out.constData());
    QCOMPARE(m.captured(1).remove(u':'), serial.toUpper());
    const QDateTime end =
        QLocale::c().toDateTime(opensslField(m_soon.cert, QStringLiteral("-enddate")).simplified(),
                                QStringLiteral("MMM d HH:mm:ss yyyy 'GMT'"));
    const QByteArray endText =
        QDateTime(end.date(), end.time(), Qt::UTC).toString(Qt::ISODate).toUtf8();
    QVERIFY2(show.out.contains("Not after   " + endText + " (10 day(s) left)\n"),
             show.out.constData());
    QByteArray sha;
    QCOMPARE(test::runTool(QStringLiteral("openssl"),
                           {QStringLiteral("x509"), QStringLiteral("-in"), m_soon.cert,
                            QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                            QStringLiteral("-sha256")},
                           &sha),
             0);
    const QString hex = QString::fromUtf8(sha).trimmed().section(u'=', 1).remove(u':').toLower();
    QVERIFY2(show.out.contains("SHA-256     " + hex.toUtf8() + "\n"), show.out.constData());
}

void TestFleetCertificates::attachByIdFingerprintAndFile()
{
    const qint64 ep = addEndpoint(QStringLiteral("valid.fleet.test"), QStringLiteral("valid"));
    QVERIFY(ep > 0);
    // By id: a certificate known to the inventory, not yet on any endpoint.
    qint64 knownId = 0;
    {
        auto bundle = crypto::CertificateReader::readFile(m_valid.fullchain);
        auto store = inventory::Store::openSqlite(m_db);
        QVERIFY(bundle && store);
        auto id = (*store)->certificates().record(bundle->certificates, {});
        QVERIFY(id.has_value());
        knownId = *id;
    }
    CtlRun r = ctl({QStringLiteral("fleet"), QStringLiteral("attach"),
                    QStringLiteral("valid.fleet.test"), QString::number(knownId)});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(
        r.out.startsWith(QStringLiteral("Attached certificate #%1 (CN=valid.fleet.test, serial ")
                             .arg(knownId)
                             .toUtf8()),
        r.out.constData());
    QVERIFY2(r.out.contains("to valid.fleet.test:443 as issued"), r.out.constData());
    // Again: nothing to do, nothing written.
    const QString before = storeState();
    r = ctl({QStringLiteral("fleet"), QStringLiteral("attach"), QStringLiteral("valid.fleet.test"),
             QString::number(knownId)});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("is already the current certificate of valid.fleet.test:443"),
             r.out.constData());
    QCOMPARE(storeState(), before);

    // By file (PEM, leaf + chain): recorded as imported, then attached.
    const TestPki::Leaf second =
        leaf(QStringLiteral("valid2"), QStringLiteral("valid.fleet.test"), m_now.addDays(300));
    QVERIFY(!second.name.isEmpty());
    const QJsonObject byFile = json({QStringLiteral("fleet"), QStringLiteral("attach"),
                                     QStringLiteral("valid.fleet.test"), second.fullchain});
    const QJsonObject a = byFile[QStringLiteral("attached")].toObject();
    QCOMPARE(a[QStringLiteral("recorded")].toBool(), true);
    QCOMPARE(a[QStringLiteral("state")].toString(), QStringLiteral("issued"));
    QCOMPARE(a[QStringLiteral("serial")].toString().remove(u':'),
             opensslField(second.cert, QStringLiteral("-serial")).toUpper());
    const qint64 secondId = a[QStringLiteral("certificateId")].toInteger();
    QVERIFY(secondId > 0 && secondId != knownId);

    // By fingerprint, as `openssl x509 -fingerprint` prints it (colons, upper case).
    QByteArray sha;
    QCOMPARE(test::runTool(QStringLiteral("openssl"),
                           {QStringLiteral("x509"), QStringLiteral("-in"), m_valid.cert,
                            QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                            QStringLiteral("-sha256")},
                           &sha),
             0);
    r = ctl({QStringLiteral("fleet"), QStringLiteral("attach"), QStringLiteral("valid.fleet.test"),
             QString::fromUtf8(sha).trimmed().section(u'=', 1)});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.startsWith(QStringLiteral("Attached certificate #%1 ").arg(knownId).toUtf8()),
             r.out.constData());

    // By DER file.
    const QString der = m_dir.filePath(QStringLiteral("valid2.der"));
    QCOMPARE(test::runTool(QStringLiteral("openssl"),
                           {QStringLiteral("x509"), QStringLiteral("-in"), second.cert,
                            QStringLiteral("-outform"), QStringLiteral("DER"),
                            QStringLiteral("-out"), der}),
             0);
    r = ctl({QStringLiteral("fleet"), QStringLiteral("attach"), QStringLiteral("valid.fleet.test"),
             der});
    QVERIFY2(r.code == 0, r.err.constData());
    // Known already (the PEM above): attached, not recorded again.
    QVERIFY2(!r.out.contains("Recorded"), r.out.constData());
    QVERIFY2(r.out.startsWith(QStringLiteral("Attached certificate #%1 ").arg(secondId).toUtf8()),
             r.out.constData());

    // The history says issued each time, never deployed; each is audited.
    const QJsonArray history = json({QStringLiteral("fleet"), QStringLiteral("show"),
                                     QStringLiteral("valid.fleet.test")})[QStringLiteral("history")]
                                   .toArray();
    QCOMPARE(history.size(), 4);
    const QList<qint64> ids = {knownId, secondId, knownId, secondId};
    for (int i = 0; i < history.size(); ++i) {
        QCOMPARE(history[i][QStringLiteral("state")].toString(), QStringLiteral("issued"));
        QCOMPARE(history[i][QStringLiteral("certificateId")].toInteger(), ids[i]);
    }
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store.has_value());
    QStringList attaches;
    const auto log = (*store)->activity().auditLog(100);
    QVERIFY(log.has_value());
    for (const inventory::AuditEntry& e : *log) {
        if (e.action == QLatin1String("certificate.attach")) {
            QCOMPARE(e.actor, QStringLiteral("alice"));
            attaches << e.subject + u' ' + e.detail;
        }
    }
    QCOMPARE(attaches.size(), 4);
    QVERIFY2(attaches.first().contains(
                 QStringLiteral("valid.fleet.test:443 certificate %1 serial ").arg(secondId)),
             qPrintable(attaches.first()));
    QVERIFY2(attaches.first().contains(QStringLiteral("file ") + der),
             qPrintable(attaches.first()));
}

void TestFleetCertificates::refusedAttachWritesNothing_data()
{
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("error");
    QTest::newRow("wrong name (file)")
        << "other"
        << "was not attached to valid.fleet.test:443: it is not valid for "
           "valid.fleet.test, the name clients of valid.fleet.test:443 ask for (it "
           "names other.fleet.test)";
    QTest::newRow("expired (file)") << "gone"
                                    << "it expired on ";
    QTest::newRow("revoked (id)") << "revoked-id"
                                  << "it is revoked (";
    QTest::newRow("unknown id") << "9999"
                                << "certificate #9999 is not in the inventory";
    QTest::newRow("unknown fingerprint")
        << QString(64, u'a') << "no certificate with SHA-256 fingerprint " + QString(64, u'a');
    QTest::newRow("neither") << "no-such-file.pem"
                             << "\"no-such-file.pem\" is neither a certificate id, a SHA-256 "
                                "fingerprint nor a file";
    QTest::newRow("truncated PEM") << "truncated"
                                   << "truncated.pem";
    QTest::newRow("CA first") << "intermediate"
                              << "starts with a CA certificate";
}

void TestFleetCertificates::refusedAttachWritesNothing()
{
    QFETCH(QString, cert);
    QFETCH(QString, error);
    makeFleet();
    // The gone and other certificates name other hosts too: attach them to
    // an endpoint they are valid for, so only the tested reason refuses.
    QString endpoint = QStringLiteral("valid.fleet.test");
    if (cert == QLatin1String("other")) {
        cert = m_other.fullchain;
    } else if (cert == QLatin1String("gone")) {
        cert = m_gone.fullchain;
        endpoint = QStringLiteral("gone.fleet.test");
    } else if (cert == QLatin1String("revoked-id")) {
        const QJsonObject j = json({QStringLiteral("fleet"), QStringLiteral("show"),
                                    QStringLiteral("revoked.fleet.test")});
        cert = QString::number(j[QStringLiteral("certificate")][QStringLiteral("id")].toInteger());
        // Its current certificate is this one: take another endpoint of the name.
        QVERIFY(addEndpoint(QStringLiteral("revoked.fleet.test"), QStringLiteral("x"), 8443) > 0);
        endpoint = QStringLiteral("revoked.fleet.test:8443");
    } else if (cert == QLatin1String("truncated")) {
        QFile f(m_valid.cert);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray pem = f.readAll();
        QVERIFY(m_dir.write(QStringLiteral("truncated.pem"), pem.left(pem.size() / 2)));
        cert = m_dir.filePath(QStringLiteral("truncated.pem"));
    } else if (cert == QLatin1String("intermediate")) {
        // The chain upside down: the intermediate, then the leaf.
        QFile ca(m_pki.intermediateCert);
        QFile leaf(m_valid.cert);
        QVERIFY(ca.open(QIODevice::ReadOnly) && leaf.open(QIODevice::ReadOnly));
        QVERIFY(m_dir.write(QStringLiteral("upside-down.pem"), ca.readAll() + leaf.readAll()));
        cert = m_dir.filePath(QStringLiteral("upside-down.pem"));
    } else if (cert == QLatin1String("intermediate alone")) {
        cert = m_pki.intermediateCert;
    }
    const QString before = storeState();
    for (bool asJson : {false, true}) {
        QStringList args{QStringLiteral("fleet"), QStringLiteral("attach"), endpoint, cert};
        if (asJson) {
            args << QStringLiteral("--json");
        }
        const CtlRun r = ctl(args);
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains(error.toUtf8()), r.err.constData());
        QVERIFY(!r.out.contains("Attached"));
    }
    QCOMPARE(storeState(), before);
}

void TestFleetCertificates::expiredAttachesWithForce()
{
    makeFleet();
    const qint64 ep = addEndpoint(QStringLiteral("gone.fleet.test"), QStringLiteral("g"), 8443);
    QVERIFY(ep > 0);
    const CtlRun r =
        ctl({QStringLiteral("fleet"), QStringLiteral("attach"),
             QStringLiteral("gone.fleet.test:8443"), m_gone.fullchain, QStringLiteral("--force")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("NOTE: attached although it expired on "), r.out.constData());
    // --force never lets a wrong name through.
    const CtlRun wrong =
        ctl({QStringLiteral("fleet"), QStringLiteral("attach"),
             QStringLiteral("gone.fleet.test:8443"), m_other.fullchain, QStringLiteral("--force")});
    QCOMPARE(wrong.code, 3);
    QVERIFY2(wrong.err.contains("it is not valid for gone.fleet.test"), wrong.err.constData());
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store.has_value());
    bool forced = false;
    const auto log = (*store)->activity().auditLog(100);
    QVERIFY(log.has_value());
    for (const inventory::AuditEntry& e : *log) {
        forced = forced || (e.action == QLatin1String("certificate.attach") &&
                            e.detail.contains(QLatin1String("--force: it expired on")));
    }
    QVERIFY(forced);
}

void TestFleetCertificates::servedVersusRecordedAgainstNginx()
{
    test::NginxFixture nginx;
    QVERIFY2(nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n")
                             .arg(m_served.fullchain, m_served.key)),
             qPrintable(nginx.errorString()));
    const qint64 ep = addEndpoint(QStringLiteral("127.0.0.1"), QStringLiteral("nginx"),
                                  nginx.port(), QStringLiteral("localhost"), true);
    QVERIFY(ep > 0);
    const QString where = QStringLiteral("127.0.0.1:%1").arg(nginx.port());
    // The inventory records another certificate than nginx serves.
    CtlRun r =
        ctl({QStringLiteral("fleet"), QStringLiteral("attach"), where, m_recorded.fullchain});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({QStringLiteral("scan"), QStringLiteral("--group"), QStringLiteral("nginx"),
             QStringLiteral("--timeout"), QStringLiteral("5000")});
    QVERIFY2(r.code >= 0 && r.code < 3, r.all().constData());

    const QString servedSerial = opensslField(m_served.cert, QStringLiteral("-serial")).toUpper();
    const QString recordedSerial =
        opensslField(m_recorded.cert, QStringLiteral("-serial")).toUpper();
    CtlRun show = ctl({QStringLiteral("fleet"), QStringLiteral("show"), where});
    QCOMPARE(show.code, 0);
    const int at = show.out.indexOf("Last probe  ");
    QVERIFY2(at > 0, show.out.constData());
    const QString probe = QString::fromUtf8(show.out.mid(at));
    QVERIFY2(probe.contains(QRegularExpression(QStringLiteral(
                 "^Last probe  \\S+Z  verdict (ok|warning|critical), grade \\S+\n"))),
             qPrintable(probe));
    QVERIFY2(probe.contains(QStringLiteral("served.differs: ")), qPrintable(probe));
    QVERIFY2(QString(probe).remove(u':').contains(servedSerial), qPrintable(probe));
    QVERIFY2(QString(probe).remove(u':').contains(recordedSerial), qPrintable(probe));
    QJsonObject j = json({QStringLiteral("fleet"), QStringLiteral("show"), where});
    QCOMPARE(j[QStringLiteral("lastProbe")][QStringLiteral("served")][0][QStringLiteral("code")]
                 .toString(),
             QStringLiteral("served.differs"));
    // Not served: still issued only.
    QJsonArray history = j[QStringLiteral("history")].toArray();
    QCOMPARE(history.size(), 1);
    QCOMPARE(history[0][QStringLiteral("state")].toString(), QStringLiteral("issued"));

    // Attach what nginx serves: issued, then deployed once the scan sees it.
    r = ctl({QStringLiteral("fleet"), QStringLiteral("attach"), where, m_served.fullchain});
    QVERIFY2(r.code == 0, r.err.constData());
    history =
        json({QStringLiteral("fleet"), QStringLiteral("show"), where})[QStringLiteral("history")]
            .toArray();
    QCOMPARE(history.last()[QStringLiteral("state")].toString(), QStringLiteral("issued"));
    r = ctl({QStringLiteral("scan"), QStringLiteral("--group"), QStringLiteral("nginx"),
             QStringLiteral("--timeout"), QStringLiteral("5000")});
    QVERIFY2(r.code >= 0 && r.code < 3, r.all().constData());
    j = json({QStringLiteral("fleet"), QStringLiteral("show"), where});
    history = j[QStringLiteral("history")].toArray();
    QCOMPARE(history.last()[QStringLiteral("state")].toString(), QStringLiteral("deployed"));
    QCOMPARE(history.last()[QStringLiteral("serial")].toString().remove(u':'), servedSerial);
    QVERIFY(j[QStringLiteral("lastProbe")][QStringLiteral("served")].toArray().isEmpty());
    show = ctl({QStringLiteral("fleet"), QStringLiteral("show"), where});
    QVERIFY2(!show.out.contains("served.differs"), show.out.constData());
    nginx.stop();
}

void TestFleetCertificates::sniAndAddressFollowOneRule()
{
    QVERIFY(addEndpoint(QStringLiteral("lb.fleet.test"), QStringLiteral("a"), 443,
                        QStringLiteral("app.fleet.test")) > 0);
    QVERIFY(addEndpoint(QStringLiteral("2001:db8::7"), QStringLiteral("b"), 8443) > 0);
    QVERIFY(addEndpoint(QStringLiteral("plain.fleet.test"), QStringLiteral("c")) > 0);
    struct Want
    {
        QString host, address, sni;
        bool set;
    };
    const QList<Want> wants = {
        {QStringLiteral("lb.fleet.test"), QStringLiteral("lb.fleet.test:443"),
         QStringLiteral("app.fleet.test"), true},
        {QStringLiteral("2001:db8::7"), QStringLiteral("[2001:db8::7]:8443"),
         QStringLiteral("2001:db8::7"), false},
        {QStringLiteral("plain.fleet.test"), QStringLiteral("plain.fleet.test:443"),
         QStringLiteral("plain.fleet.test"), false}};
    const QJsonArray list =
        json({QStringLiteral("fleet"), QStringLiteral("list")})[QStringLiteral("endpoints")]
            .toArray();
    const CtlRun text = ctl({QStringLiteral("fleet"), QStringLiteral("list")});
    const CtlRun csv = ctl({QStringLiteral("fleet"), QStringLiteral("export"),
                            QStringLiteral("--format"), QStringLiteral("csv")});
    const QJsonArray exported =
        json({QStringLiteral("fleet"), QStringLiteral("export")})[QStringLiteral("endpoints")]
            .toArray();
    QCOMPARE(list.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const Want& w = wants[i];
        const QJsonObject o = list[i].toObject();
        QCOMPARE(o[QStringLiteral("address")].toString(), w.address);
        QCOMPARE(o[QStringLiteral("sni")].toString(), w.sni);
        QCOMPARE(o[QStringLiteral("sniSet")].toBool(), w.set);
        QCOMPARE(o[QStringLiteral("status")].toString(), QStringLiteral("NO CERTIFICATE"));
        // Text: the same address and SNI on the endpoint's line.
        bool found = false;
        for (const QByteArray& l : text.out.split('\n')) {
            if (l.contains(w.address.toUtf8())) {
                found = true;
                QVERIFY2(l.simplified().contains(w.sni.toUtf8() + " - - NO CERTIFICATE"),
                         l.constData());
            }
        }
        QVERIFY2(found, text.out.constData());
        // CSV: sni, sni_set, address, status alike.
        bool csvFound = false;
        for (const QByteArray& l : csv.out.split('\n')) {
            if (l.startsWith(w.host.toUtf8() + ',')) {
                csvFound = true;
                const QList<QByteArray> cells = l.trimmed().split(',');
                QCOMPARE(QString::fromUtf8(cells.value(2)), w.sni);
                QCOMPARE(QString::fromUtf8(cells.value(3)),
                         w.set ? QStringLiteral("yes") : QStringLiteral("no"));
                QCOMPARE(QString::fromUtf8(cells.value(10)), QStringLiteral("NO CERTIFICATE"));
                QCOMPARE(QString::fromUtf8(cells.last()), w.address);
            }
        }
        QVERIFY2(csvFound, csv.out.constData());
        // The JSON export says the same.
        for (const QJsonValue& v : exported) {
            if (v[QStringLiteral("host")].toString() == w.host) {
                QCOMPARE(v[QStringLiteral("sni")].toString(), w.sni);
                QCOMPARE(v[QStringLiteral("sniSet")].toBool(), w.set);
                QCOMPARE(v[QStringLiteral("address")].toString(), w.address);
            }
        }
        // show, text and JSON.
        const CtlRun show = ctl({QStringLiteral("fleet"), QStringLiteral("show"), w.address});
        QVERIFY2(show.out.contains(
                     QStringLiteral("SNI        %1 (%2)\n")
                         .arg(w.sni, w.set ? QStringLiteral("set") : QStringLiteral("the host"))
                         .toUtf8()),
                 show.out.constData());
        QVERIFY2(show.out.startsWith("Endpoint   " + w.address.toUtf8()), show.out.constData());
        const QJsonObject shown = json({QStringLiteral("fleet"), QStringLiteral("show"),
                                        w.address})[QStringLiteral("endpoint")]
                                      .toObject();
        QCOMPARE(shown[QStringLiteral("sni")].toString(), w.sni);
        QCOMPARE(shown[QStringLiteral("address")].toString(), w.address);
    }
    // The CSV reads back as a host list: the same endpoints, nothing warned.
    const QString path = m_dir.filePath(QStringLiteral("back%1.csv").arg(m_counter));
    QVERIFY(m_dir.write(QFileInfo(path).fileName(), csv.out));
    m_db = m_dir.filePath(QStringLiteral("back%1/certdeck.sqlite").arg(m_counter));
    const CtlRun back = ctl({QStringLiteral("fleet"), QStringLiteral("import"),
                             QStringLiteral("--format"), QStringLiteral("hosts"), path});
    QVERIFY2(back.code == 0, back.all().constData());
    const QJsonArray again =
        json({QStringLiteral("fleet"), QStringLiteral("list")})[QStringLiteral("endpoints")]
            .toArray();
    QCOMPARE(again.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(again[i][QStringLiteral("sni")].toString(), wants[i].sni);
        QCOMPARE(again[i][QStringLiteral("sniSet")].toBool(), wants[i].set);
        QCOMPARE(again[i][QStringLiteral("address")].toString(), wants[i].address);
    }
}

void TestFleetCertificates::helpOfTheNewSubcommands()
{
    const CtlRun attach =
        ctl({QStringLiteral("fleet"), QStringLiteral("attach"), QStringLiteral("--help")});
    QCOMPARE(attach.code, 0);
    QVERIFY2(attach.out.startsWith("Usage: certdeckctl fleet attach"), attach.out.constData());
    QVERIFY(attach.out.contains("--force"));
    const CtlRun list =
        ctl({QStringLiteral("fleet"), QStringLiteral("list"), QStringLiteral("--help")});
    QVERIFY(list.out.contains("--check"));
    QVERIFY(list.out.contains("REVOKED"));
    // A usage mistake is refused before the store is touched.
    const CtlRun one =
        ctl({QStringLiteral("fleet"), QStringLiteral("attach"), QStringLiteral("x")});
    QCOMPARE(one.code, 3);
    QVERIFY2(one.err.contains("'fleet attach' needs an endpoint"), one.err.constData());
}

QTEST_GUILESS_MAIN(TestFleetCertificates)
#include "test_fleet_certificates.moc"
