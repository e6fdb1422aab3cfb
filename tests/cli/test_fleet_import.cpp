// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl fleet import/export as an admin runs them: a host list, one
// with malformed lines refused whole, a JSON round trip, and an import
// refused half-way that keeps nothing. Then the real `nginx -T` of a local
// nginx: imported without an SSH host and with nothing made up, imported
// again (and again after a reissue) without duplicates, and a dry run that
// refuses exactly what the import refuses.
#include "CtlRun.h"
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;

class TestFleetImport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void hostListDryRunThenImport();
    void malformedLinesRefuseTheImport();
    void jsonRoundTripKeepsExisting();
    void refusedHalfWayKeepsNothing();
    void localNginxDumpImportsWithoutSsh();
    void reimportChangesNothing();
    void reimportAfterReissueRecordsIssuedNotDeployed();
    void localAndSshHostExcludeEachOther();
    void dryRunRefusesWhatTheImportRefuses_data();
    void dryRunRefusesWhatTheImportRefuses();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(const QStringList& args);
    Run ctlOn(const QString& db, const QStringList& args);
    QStringList listedEndpoints();
    /// The nginx -T output of m_nginxConf, as `nginx -T 2>&1` gives it.
    QByteArray nginxDump();
    QTemporaryDir m_tmp;
    certdeck::test::FixtureDir m_pkiDir;
    certdeck::test::TestPki m_pki;
    certdeck::test::TestPki::Leaf m_api;
    certdeck::test::TestPki::Leaf m_admin;
    certdeck::test::FixtureDir m_nginxConf;
    QString m_dump;    ///< nginx-T.txt
    QString m_nginxDb; ///< the store the nginx tests share, in order
    QString m_ctl;
    QString m_db;
};

TestFleetImport::Run TestFleetImport::ctl(const QStringList& args)
{
    return ctlOn(m_db, args);
}

TestFleetImport::Run TestFleetImport::ctlOn(const QString& db, const QStringList& args)
{
    return certdeck::test::runCtl(QStringList{QStringLiteral("--db"), db} + args, {}, 60000);
}

QByteArray TestFleetImport::nginxDump()
{
    const QString d = m_nginxConf.path();
    QByteArray out;
    const int rc = certdeck::test::runTool(
        certdeck::test::NginxFixture::binary(),
        {QStringLiteral("-T"), QStringLiteral("-p"), d, QStringLiteral("-e"),
         d + QStringLiteral("/error.log"), QStringLiteral("-c"), d + QStringLiteral("/nginx.conf")},
        &out);
    return rc == 0 ? out : QByteArray();
}

QStringList TestFleetImport::listedEndpoints()
{
    const Run list =
        ctl({QStringLiteral("fleet"), QStringLiteral("list"), QStringLiteral("--json")});
    if (list.code != 0) {
        return {QStringLiteral("fleet list failed: ") + QString::fromUtf8(list.err)};
    }
    QStringList out;
    const QJsonValue endpoints =
        QJsonDocument::fromJson(list.out).object().value(QStringLiteral("endpoints"));
    if (!endpoints.isArray()) {
        return {QStringLiteral("no endpoints array")};
    }
    for (const QJsonValue& e : endpoints.toArray()) {
        out << e.toObject().value(QStringLiteral("address")).toString();
    }
    out.sort();
    return out;
}

void TestFleetImport::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY(QFile::exists(m_ctl));
    m_db = m_tmp.filePath(QStringLiteral("fleet.sqlite"));
    QFile hosts(m_tmp.filePath(QStringLiteral("hosts.txt")));
    QVERIFY(hosts.open(QIODevice::WriteOnly));
    hosts.write("# payments\napi.example.com\nshop.example.com:8443\n[2001:db8::1]:443\n"
                "\napi.example.com   # again\n");

    // A local nginx's configuration: two TLS servers, one of them naming its
    // certificate by a path relative to the configuration (nginx reads it
    // from there), and a plain-HTTP server.
    using certdeck::test::TestPki;
    QVERIFY2(m_pki.create(m_pkiDir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec api;
    api.name = QStringLiteral("api");
    api.commonName = QStringLiteral("api.example.test");
    api.sans = {QStringLiteral("DNS:api.example.test")};
    m_api = m_pki.issue(api);
    QVERIFY2(!m_api.name.isEmpty(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec admin;
    admin.name = QStringLiteral("admin");
    admin.commonName = QStringLiteral("admin.example.test");
    admin.sans = {QStringLiteral("DNS:admin.example.test")};
    m_admin = m_pki.issue(admin);
    QVERIFY2(!m_admin.name.isEmpty(), qPrintable(m_pki.errorString()));
    const QString d = m_nginxConf.path();
    QVERIFY(QDir(d).mkpath(QStringLiteral("tls")));
    QVERIFY(QFile::copy(m_api.fullchain, d + QStringLiteral("/tls/api.pem")));
    QVERIFY(QFile::copy(m_api.key, d + QStringLiteral("/tls/api.key")));
    QVERIFY(m_nginxConf.write(
        QStringLiteral("nginx.conf"),
        QStringLiteral("pid %1/nginx.pid;\n"
                       "error_log %1/error.log;\n"
                       "events { worker_connections 16; }\n"
                       "http {\n"
                       "  access_log off;\n"
                       "  server {\n"
                       "    listen 127.0.0.1:8443 ssl;\n"
                       "    server_name api.example.test;\n"
                       "    ssl_certificate tls/api.pem;\n"
                       "    ssl_certificate_key tls/api.key;\n"
                       "  }\n"
                       "  server {\n"
                       "    listen 9443 ssl;\n"
                       "    server_name admin.example.test;\n"
                       "    ssl_certificate %2;\n"
                       "    ssl_certificate_key %3;\n"
                       "  }\n"
                       "  server { listen 127.0.0.1:8080; server_name plain.example.test; }\n"
                       "}\n")
            .arg(d, m_admin.fullchain, m_admin.key)
            .toUtf8()));
    const QByteArray dump = nginxDump();
    QVERIFY2(dump.contains("# configuration file " + d.toUtf8() + "/nginx.conf:"),
             dump.constData());
    m_dump = m_tmp.filePath(QStringLiteral("nginx-T.txt"));
    QFile f(m_dump);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(dump);
    m_nginxDb = m_tmp.filePath(QStringLiteral("nginx.sqlite"));
}

void TestFleetImport::hostListDryRunThenImport()
{
    const QString hosts = m_tmp.filePath(QStringLiteral("hosts.txt"));
    const Run dry =
        ctl({QStringLiteral("fleet"), QStringLiteral("import"), QStringLiteral("--format"),
             QStringLiteral("hosts"), hosts, QStringLiteral("--dry-run")});
    // A warning (the duplicate) makes it exit 1, and says where; the comment
    // and the blank line are nothing to warn about.
    QCOMPARE(dry.code, 1);
    QVERIFY2(dry.out.startsWith("Would add 3 new endpoint(s) (0 already known)"),
             dry.out.constData());
    QVERIFY2(dry.out.contains("WARNING: hosts.txt line 6: api.example.com:443 duplicates "
                              "hosts.txt line 2; merged"),
             dry.out.constData());
    QCOMPARE(dry.out.count("WARNING"), 1);
    // The dry run added nothing.
    QCOMPARE(listedEndpoints(), QStringList());

    const Run real = ctl({QStringLiteral("fleet"), QStringLiteral("import"),
                          QStringLiteral("--format"), QStringLiteral("hosts"), hosts,
                          QStringLiteral("--group"), QStringLiteral("payments")});
    QCOMPARE(real.code, 1);
    QVERIFY2(real.out.startsWith("Imported 3 new endpoint(s)"), real.out.constData());
    const Run list = ctl({QStringLiteral("fleet"), QStringLiteral("list"),
                          QStringLiteral("--group"), QStringLiteral("payments")});
    QCOMPARE(list.code, 0);
    QVERIFY(list.out.contains("shop.example.com:8443"));
    QVERIFY(list.out.contains("[2001:db8::1]:443"));
    QCOMPARE(listedEndpoints(), QStringList({QStringLiteral("[2001:db8::1]:443"),
                                             QStringLiteral("api.example.com:443"),
                                             QStringLiteral("shop.example.com:8443")}));
}

void TestFleetImport::malformedLinesRefuseTheImport()
{
    const QString bad = m_tmp.filePath(QStringLiteral("bad-hosts.txt"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("# a comment and a blank line are fine\n\nnew.example.com\nthis is : not : a host\n"
            "other.example.com:99999\n");
    f.close();
    const QStringList before = listedEndpoints();
    for (const bool dryRun : {true, false}) {
        QStringList args{QStringLiteral("fleet"), QStringLiteral("import"),
                         QStringLiteral("--format"), QStringLiteral("hosts"), bad};
        if (dryRun) {
            args << QStringLiteral("--dry-run");
        }
        const Run r = ctl(args);
        QCOMPARE(r.code, 3);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(QString::fromUtf8(r.err),
                 QStringLiteral("certdeckctl: nothing imported: bad-hosts.txt line 4: \"this is : "
                                "not : a host\": a host and port hold no spaces (and 1 more "
                                "problem(s))\n"
                                "  bad-hosts.txt line 4: \"this is : not : a host\": a host and "
                                "port hold no spaces\n"
                                "  bad-hosts.txt line 5: \"other.example.com:99999\": port 99999 "
                                "is out of range (1-65535)\n"));
    }
    const Run json =
        ctl({QStringLiteral("--json"), QStringLiteral("fleet"), QStringLiteral("import"),
             QStringLiteral("--format"), QStringLiteral("hosts"), bad});
    QCOMPARE(json.code, 3);
    const QJsonObject error =
        QJsonDocument::fromJson(json.out).object().value(QStringLiteral("error")).toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("invalid-input"));
    const QJsonArray problems = error.value(QStringLiteral("problems")).toArray();
    QCOMPARE(problems.size(), 2);
    QVERIFY(problems.at(0).toString().startsWith(QStringLiteral("bad-hosts.txt line 4: ")));
    QVERIFY(problems.at(1).toString().startsWith(QStringLiteral("bad-hosts.txt line 5: ")));
    // Not even the good line was kept, and nothing was made of the bad ones.
    QCOMPARE(listedEndpoints(), before);
}

void TestFleetImport::jsonRoundTripKeepsExisting()
{
    const QString json = m_tmp.filePath(QStringLiteral("export.json"));
    const Run exp =
        ctl({QStringLiteral("fleet"), QStringLiteral("export"), QStringLiteral("--out"), json});
    QCOMPARE(exp.code, 0);
    const QJsonObject doc = QJsonDocument::fromJson([&] {
                                QFile f(json);
                                f.open(QIODevice::ReadOnly);
                                return f.readAll();
                            }())
                                .object();
    QCOMPARE(doc.value(QStringLiteral("endpoints")).toArray().size(), 3);
    // No key material in an export.
    QVERIFY(!QJsonDocument(doc).toJson().contains("PRIVATE KEY"));
    const Run again =
        ctl({QStringLiteral("fleet"), QStringLiteral("import"), QStringLiteral("--format"),
             QStringLiteral("json"), json, QStringLiteral("--json")});
    QCOMPARE(again.code, 0);
    const QJsonObject s = QJsonDocument::fromJson(again.out).object();
    QCOMPARE(s.value(QStringLiteral("endpointsAdded")).toInt(), 0);
    QCOMPARE(s.value(QStringLiteral("endpointsExisting")).toInt(), 3);
    // Writing over an existing file needs --force.
    const Run clobber =
        ctl({QStringLiteral("fleet"), QStringLiteral("export"), QStringLiteral("--out"), json});
    QCOMPARE(clobber.code, 3);
    QVERIFY(clobber.err.contains("already exists"));
}

void TestFleetImport::refusedHalfWayKeepsNothing()
{
    QJsonObject doc;
    {
        QFile f(m_tmp.filePath(QStringLiteral("export.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        doc = QJsonDocument::fromJson(f.readAll()).object();
    }
    auto target = [](int id, const QString& keyPath) {
        return QJsonObject{
            {QStringLiteral("id"), id},
            {QStringLiteral("sshHost"), QStringLiteral("web%1").arg(id)},
            {QStringLiteral("sshPort"), 22},
            {QStringLiteral("sshUser"), QStringLiteral("deploy")},
            {QStringLiteral("keyPath"), keyPath},
            {QStringLiteral("certPath"), QString()},
            {QStringLiteral("fullchainPath"), QStringLiteral("/etc/ssl/full.pem")},
            {QStringLiteral("combinedPemPath"), QString()},
            {QStringLiteral("owner"), QString()},
            {QStringLiteral("group"), QString()},
            {QStringLiteral("keyMode"), QStringLiteral("600")},
            {QStringLiteral("certMode"), QStringLiteral("644")},
            {QStringLiteral("validateCommand"), QStringLiteral("nginx -t")},
            {QStringLiteral("reloadCommand"), QStringLiteral("systemctl reload nginx")},
            {QStringLiteral("revision"), 1}};
    };
    // New endpoints, a good deploy target, then one with a relative key path.
    QJsonArray endpoints;
    for (QJsonValue v : doc.value(QStringLiteral("endpoints")).toArray()) {
        QJsonObject e = v.toObject();
        e.insert(QStringLiteral("host"),
                 QStringLiteral("new-") + e.value(QStringLiteral("host")).toString().remove(u':'));
        e.insert(QStringLiteral("deployTargetId"), 1);
        endpoints << e;
    }
    doc.insert(QStringLiteral("endpoints"), endpoints);
    doc.insert(QStringLiteral("deployTargets"),
               QJsonArray{target(1, QStringLiteral("/etc/ssl/key.pem")),
                          target(2, QStringLiteral("relative/key.pem"))});
    const QString bad = m_tmp.filePath(QStringLiteral("bad.json"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(doc).toJson());
    f.close();
    const Run r = ctl({QStringLiteral("fleet"), QStringLiteral("import"),
                       QStringLiteral("--format"), QStringLiteral("json"), bad});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.startsWith("certdeckctl: nothing imported: "), r.err.constData());
    QVERIFY2(r.err.contains("relative/key.pem") || r.err.contains("absolute"), r.err.constData());
    // Nothing of it is in the store: no new endpoint, no deploy target.
    auto store = inventory::Store::openUrl(m_db);
    QVERIFY(store.has_value());
    auto all = (*store)->endpoints().list();
    QVERIFY(all.has_value());
    QCOMPARE(all->size(), 3);
    QVERIFY(!(*store)->endpoints().deployTarget(1).has_value());
}

namespace {

using namespace certdeck::inventory;

/// Every version of every endpoint of the store at `db`, as "host:port
/// serial state", and its deploy targets as deployTargetWhere() shows them.
struct StoreView
{
    QStringList endpoints;
    QStringList versions;
    QList<DeployTarget> targets;
    qsizetype auditEntries = 0;
    AuditEntry lastAudit;
    QString error;
};

StoreView viewStore(const QString& db)
{
    StoreView v;
    auto store = Store::openUrl(db);
    if (!store) {
        v.error = store.error().toString();
        return v;
    }
    auto endpoints = (*store)->endpoints().list();
    auto targets = (*store)->endpoints().deployTargets();
    auto audit = (*store)->activity().auditLog();
    if (!endpoints || !targets || !audit) {
        v.error = QStringLiteral("cannot read the store");
        return v;
    }
    for (const Endpoint& e : std::as_const(*endpoints)) {
        v.endpoints << endpointAddress(e.host, e.port) +
                           (e.deployTargetId ? QStringLiteral(" target") : QString());
        const auto versions = (*store)->certificates().versions(e.id);
        if (!versions) {
            v.error = versions.error().toString();
            return v;
        }
        for (const CertificateVersion& cv : *versions) {
            v.versions << QStringLiteral("%1 %2 %3")
                              .arg(endpointAddress(e.host, e.port),
                                   (*store)->certificates().get(cv.certificateId)->serialHex,
                                   versionStateName(cv.state));
        }
    }
    v.targets = targets->values();
    std::sort(v.targets.begin(), v.targets.end(),
              [](const DeployTarget& a, const DeployTarget& b) { return a.id < b.id; });
    v.auditEntries = audit->size();
    for (const AuditEntry& a : std::as_const(*audit)) {
        if (a.id > v.lastAudit.id) {
            v.lastAudit = a;
        }
    }
    return v;
}

QString serialOf(const QString& pemFile)
{
    QByteArray out;
    if (certdeck::test::runTool(QStringLiteral("openssl"),
                                {QStringLiteral("x509"), QStringLiteral("-in"), pemFile,
                                 QStringLiteral("-noout"), QStringLiteral("-serial")},
                                &out) != 0) {
        return {};
    }
    // "serial=0A1B..." -> "0A:1B:..." as the store keeps it.
    const QByteArray hex = out.trimmed().mid(out.indexOf('=') + 1);
    QStringList pairs;
    for (qsizetype i = 0; i < hex.size(); i += 2) {
        pairs << QString::fromLatin1(hex.mid(i, 2));
    }
    return pairs.join(u':');
}

} // namespace

void TestFleetImport::localNginxDumpImportsWithoutSsh()
{
    const QStringList args{QStringLiteral("fleet"), QStringLiteral("import"),
                           QStringLiteral("--format"), QStringLiteral("nginx"), m_dump};
    const QString d = m_nginxConf.path();
    // No SSH host given: the dry run and the import say the same, and
    // neither is refused.
    const Run dry = ctlOn(m_nginxDb, args + QStringList{QStringLiteral("--dry-run")});
    QCOMPARE(dry.err, QByteArray());
    QCOMPARE(dry.code, 1); // the plain-HTTP server is a warning
    const QByteArray counts = "2 new endpoint(s) (0 already known), 2 new deploy target(s), 3 "
                              "new certificate(s) (0 already known), 2 new current "
                              "certificate(s) recorded as issued";
    QVERIFY2(dry.out.startsWith("Would add " + counts + "; nothing was kept (dry run)\n"),
             dry.out.constData());
    QVERIFY2(dry.out.contains("  new    api.example.test:8443\n") &&
                 dry.out.contains("  new    admin.example.test:9443\n"),
             dry.out.constData());
    QCOMPARE(dry.out.count("WARNING: "), 1);
    QVERIFY(dry.out.contains("server plain.example.test has no ssl listen; skipped"));
    QVERIFY(viewStore(m_nginxDb).endpoints.isEmpty());

    const Run real = ctlOn(m_nginxDb, args);
    QCOMPARE(real.err, QByteArray());
    QCOMPARE(real.code, 1);
    QVERIFY2(real.out.startsWith("Imported " + counts + "\n"), real.out.constData());

    const StoreView v = viewStore(m_nginxDb);
    QVERIFY2(v.error.isEmpty(), qPrintable(v.error));
    QCOMPARE(v.endpoints, QStringList({QStringLiteral("admin.example.test:9443 target"),
                                       QStringLiteral("api.example.test:8443 target")}));
    // The deploy targets hold what the dump says: the files (the relative
    // one where nginx reads it), no host, no SSH port, no commands.
    QCOMPARE(v.targets.size(), 2);
    for (const DeployTarget& t : v.targets) {
        QVERIFY(t.sshHost.isEmpty() && t.sshUser.isEmpty() && !t.local);
        QVERIFY(!t.sshPort.has_value());
        QVERIFY(t.validateCommand.isEmpty() && t.reloadCommand.isEmpty());
    }
    QStringList files;
    for (const DeployTarget& t : v.targets) {
        files << t.fullchainPath + u' ' + t.keyPath;
    }
    files.sort();
    QStringList expected{d + QStringLiteral("/tls/api.pem ") + d + QStringLiteral("/tls/api.key"),
                         m_admin.fullchain + u' ' + m_admin.key};
    expected.sort();
    QCOMPARE(files, expected);
    // Named by the configuration, not seen served: issued, never deployed.
    QCOMPARE(v.versions,
             QStringList(
                 {QStringLiteral("admin.example.test:9443 %1 issued").arg(serialOf(m_admin.cert)),
                  QStringLiteral("api.example.test:8443 %1 issued").arg(serialOf(m_api.cert))}));

    // What the admin sees in the export: no port 22, no reload command.
    const Run exp = ctlOn(m_nginxDb, {QStringLiteral("fleet"), QStringLiteral("export")});
    QCOMPARE(exp.code, 0);
    const QJsonArray targets =
        QJsonDocument::fromJson(exp.out).object().value(QStringLiteral("deployTargets")).toArray();
    QCOMPARE(targets.size(), 2);
    for (const QJsonValue& t : targets) {
        const QJsonObject o = t.toObject();
        QVERIFY(o.value(QStringLiteral("sshPort")).isNull());
        QCOMPARE(o.value(QStringLiteral("sshHost")).toString(), QString());
        QCOMPARE(o.value(QStringLiteral("reloadCommand")).toString(), QString());
        QCOMPARE(o.value(QStringLiteral("validateCommand")).toString(), QString());
        QCOMPARE(o.value(QStringLiteral("local")).toBool(true), false);
    }
}

void TestFleetImport::reimportChangesNothing()
{
    const QStringList args{QStringLiteral("fleet"), QStringLiteral("import"),
                           QStringLiteral("--format"), QStringLiteral("nginx"), m_dump};
    const StoreView before = viewStore(m_nginxDb);
    QCOMPARE(before.endpoints.size(), 2);

    const Run dry = ctlOn(m_nginxDb, args + QStringList{QStringLiteral("--dry-run")});
    QCOMPARE(dry.code, 1);
    QVERIFY2(dry.out.startsWith("Would add 0 new endpoint(s) (2 already known), 0 new deploy "
                                "target(s), 0 new certificate(s) (3 already known); nothing was "
                                "kept (dry run)\n"),
             dry.out.constData());
    QVERIFY2(dry.out.contains("  known  api.example.test:8443\n"), dry.out.constData());

    const Run again = ctlOn(m_nginxDb, args + QStringList{QStringLiteral("--json")});
    QCOMPARE(again.code, 1);
    const QJsonObject s = again.json();
    QCOMPARE(s.value(QStringLiteral("dryRun")).toBool(true), false);
    QCOMPARE(s.value(QStringLiteral("endpointsAdded")).toInt(-1), 0);
    QCOMPARE(s.value(QStringLiteral("endpointsExisting")).toInt(), 2);
    QCOMPARE(s.value(QStringLiteral("deployTargets")).toInt(-1), 0);
    QCOMPARE(s.value(QStringLiteral("certificates")).toInt(-1), 0);
    QCOMPARE(s.value(QStringLiteral("certificatesExisting")).toInt(), 3);
    QCOMPARE(s.value(QStringLiteral("certificateVersions")).toInt(-1), 0);
    for (const QJsonValue& e : s.value(QStringLiteral("endpoints")).toArray()) {
        QVERIFY(e.toObject().value(QStringLiteral("alreadyKnown")).toBool());
    }

    // The store holds exactly what it held, plus the import's audit line.
    const StoreView after = viewStore(m_nginxDb);
    QCOMPARE(after.endpoints, before.endpoints);
    QCOMPARE(after.versions, before.versions);
    QCOMPARE(after.targets.size(), before.targets.size());
    QCOMPARE(after.auditEntries, before.auditEntries + 1);
    QCOMPARE(after.lastAudit.action, QStringLiteral("fleet.import"));
    QCOMPARE(after.lastAudit.detail,
             QStringLiteral("0 endpoints added, 2 already known; 0 deploy targets added; 0 "
                            "certificates added, 3 already known; 0 new certificate versions"));
}

void TestFleetImport::reimportAfterReissueRecordsIssuedNotDeployed()
{
    // certbot (or an admin) replaced the file nginx names; nginx -T prints
    // the same configuration, and nginx keeps serving the old certificate
    // until it is reloaded.
    certdeck::test::TestPki::LeafSpec spec;
    spec.name = QStringLiteral("api-reissued");
    spec.commonName = QStringLiteral("api.example.test");
    spec.sans = {QStringLiteral("DNS:api.example.test")};
    const certdeck::test::TestPki::Leaf reissued = m_pki.issue(spec);
    QVERIFY2(!reissued.name.isEmpty(), qPrintable(m_pki.errorString()));
    const QString file = m_nginxConf.filePath(QStringLiteral("tls/api.pem"));
    const QString key = m_nginxConf.filePath(QStringLiteral("tls/api.key"));
    QVERIFY(QFile::remove(file) && QFile::remove(key));
    QVERIFY(QFile::copy(reissued.fullchain, file) && QFile::copy(reissued.key, key));
    QCOMPARE(nginxDump(), [&] {
        QFile f(m_dump);
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }());
    const StoreView before = viewStore(m_nginxDb);

    const Run r = ctlOn(m_nginxDb, {QStringLiteral("fleet"), QStringLiteral("import"),
                                    QStringLiteral("--format"), QStringLiteral("nginx"), m_dump});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.out.startsWith("Imported 0 new endpoint(s) (2 already known), 0 new deploy "
                              "target(s), 1 new certificate(s) (2 already known), 1 new current "
                              "certificate(s) recorded as issued\n"),
             r.out.constData());
    const QString newSerial = serialOf(reissued.cert);
    QVERIFY2(r.out.contains(QStringLiteral("NOTE: api.example.test:8443: certificate %1 from %2 "
                                           "recorded as its current one (issued; deployed once a "
                                           "probe sees it served)\n")
                                .arg(newSerial, file)
                                .toUtf8()),
             r.out.constData());

    const StoreView after = viewStore(m_nginxDb);
    QCOMPARE(after.endpoints, before.endpoints);
    QCOMPARE(after.targets.size(), before.targets.size()); // no duplicate targets
    QCOMPARE(after.versions,
             before.versions +
                 QStringList{QStringLiteral("api.example.test:8443 %1 issued").arg(newSerial)});
    QVERIFY(!after.versions.join(u'\n').contains(QLatin1String("deployed")));

    // And once more: nothing new.
    const Run again = ctlOn(m_nginxDb, {QStringLiteral("--json"), QStringLiteral("fleet"),
                                        QStringLiteral("import"), QStringLiteral("--format"),
                                        QStringLiteral("nginx"), m_dump});
    QCOMPARE(again.json().value(QStringLiteral("certificateVersions")).toInt(-1), 0);
    QCOMPARE(again.json().value(QStringLiteral("certificates")).toInt(-1), 0);
    QCOMPARE(viewStore(m_nginxDb).versions, after.versions);
}

void TestFleetImport::localAndSshHostExcludeEachOther()
{
    const QStringList args{QStringLiteral("fleet"), QStringLiteral("import"),
                           QStringLiteral("--format"), QStringLiteral("nginx"), m_dump};
    const QString both = m_tmp.filePath(QStringLiteral("both.sqlite"));
    const Run refused =
        ctlOn(both, args + QStringList{QStringLiteral("--local"), QStringLiteral("--ssh-host"),
                                       QStringLiteral("web1.example.test")});
    QCOMPARE(refused.code, 3);
    QVERIFY2(refused.err.contains("--local (the files are on this machine) and "
                                  "--ssh-host/--ssh-user exclude each other"),
             refused.err.constData());
    QVERIFY(refused.out.isEmpty());

    // --local: the files are this machine's; nothing about SSH.
    const QString localDb = m_tmp.filePath(QStringLiteral("local.sqlite"));
    QCOMPARE(ctlOn(localDb, args + QStringList{QStringLiteral("--local")}).code, 1);
    StoreView v = viewStore(localDb);
    QCOMPARE(v.targets.size(), 2);
    for (const DeployTarget& t : v.targets) {
        QVERIFY(t.local);
        QCOMPARE(deployTargetWhere(t), QStringLiteral("this machine"));
    }

    // The host the admin names, and nothing more: no port 22, no commands.
    const QString sshDb = m_tmp.filePath(QStringLiteral("ssh.sqlite"));
    QCOMPARE(
        ctlOn(sshDb,
              args + QStringList{QStringLiteral("--ssh-host"), QStringLiteral("web1.example.test"),
                                 QStringLiteral("--ssh-user"), QStringLiteral("deploy")})
            .code,
        1);
    v = viewStore(sshDb);
    QCOMPARE(v.targets.size(), 2);
    for (const DeployTarget& t : v.targets) {
        QCOMPARE(deployTargetWhere(t), QStringLiteral("deploy@web1.example.test"));
        QVERIFY(!t.sshPort.has_value());
        QVERIFY(t.reloadCommand.isEmpty() && t.validateCommand.isEmpty());
    }
}

void TestFleetImport::dryRunRefusesWhatTheImportRefuses_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QByteArray>("says");
    // The store refuses it: found only by trying, which the dry run does.
    QTest::newRow("relative key path")
        << QStringLiteral("json") << QStringLiteral("relative.json")
        << QByteArray("{\"format\": \"certdeck-inventory\", \"version\": 1, \"endpoints\": "
                      "[{\"id\": 1, \"host\": \"new.example.test\", \"port\": 443, "
                      "\"deployTargetId\": 1}], \"deployTargets\": [{\"id\": 1, \"sshHost\": "
                      "\"web2.example.test\", \"keyPath\": \"relative/key.pem\", "
                      "\"fullchainPath\": \"/etc/ssl/full.pem\"}]}")
        << QByteArray("certdeckctl: nothing imported: Deploy target on web2.example.test "
                      "(/etc/ssl/full.pem): Deploy target paths must be absolute: "
                      "'relative/key.pem'\n");
    // The importer refuses it: a dump cut off inside a server block.
    QTest::newRow("cut nginx -T") << QStringLiteral("nginx") << QStringLiteral("cut-nginx-T.txt")
                                  << QByteArray() << QByteArray("certdeckctl: nothing imported: ");
    // An http URL names no TLS port: 443 would be a guess.
    QTest::newRow("http URL")
        << QStringLiteral("hosts") << QStringLiteral("urls.txt")
        << QByteArray("https://ok.example.test/\nhttp://plain.example.test/\n")
        << QByteArray("certdeckctl: nothing imported: urls.txt line 2: "
                      "\"http://plain.example.test/\" names no port, and http is not TLS; write "
                      "https://plain.example.test/ or plain.example.test:PORT\n");
}

void TestFleetImport::dryRunRefusesWhatTheImportRefuses()
{
    QFETCH(QString, format);
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(QByteArray, says);
    if (content.isEmpty()) {
        QFile f(m_dump);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray dump = f.readAll();
        content = dump.left(dump.indexOf("ssl_certificate_key"));
        QVERIFY(!content.isEmpty());
    }
    const QString path = m_tmp.filePath(file);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(content);
    f.close();
    const QString db = m_tmp.filePath(QStringLiteral("refused-%1.sqlite").arg(format));
    const QStringList args{QStringLiteral("fleet"), QStringLiteral("import"),
                           QStringLiteral("--format"), format, path};
    for (const bool json : {false, true}) {
        const QStringList base = json ? QStringList{QStringLiteral("--json")} + args : args;
        const Run dry = ctlOn(db, base + QStringList{QStringLiteral("--dry-run")});
        const Run real = ctlOn(db, base);
        QCOMPARE(dry.code, 3);
        QCOMPARE(real.code, 3);
        QVERIFY2(dry.err.startsWith(says), dry.err.constData());
        QCOMPARE(dry.err, real.err);
        QCOMPARE(dry.out, real.out);
        if (json) {
            QCOMPARE(real.json()
                         .value(QStringLiteral("error"))
                         .toObject()
                         .value(QStringLiteral("code"))
                         .toString(),
                     QStringLiteral("invalid-input"));
        } else {
            QVERIFY(real.out.isEmpty());
        }
    }
    const StoreView v = viewStore(db);
    QVERIFY(v.endpoints.isEmpty() && v.targets.isEmpty());
}

QTEST_GUILESS_MAIN(TestFleetImport)
#include "test_fleet_import.moc"
