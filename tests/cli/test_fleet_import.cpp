// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl fleet import/export as an admin runs them: a host list, one
// with malformed lines refused whole, a JSON round trip, and an import
// refused half-way that keeps nothing.
#include "CtlRun.h"
#include "inventory/Store.h"

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

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(const QStringList& args);
    QStringList listedEndpoints();
    QTemporaryDir m_tmp;
    QString m_ctl;
    QString m_db;
};

TestFleetImport::Run TestFleetImport::ctl(const QStringList& args)
{
    return certdeck::test::runCtl(QStringList{QStringLiteral("--db"), m_db} + args, {}, 60000);
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
    QVERIFY2(dry.out.contains("Would add 3 endpoint(s)"), dry.out.constData());
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
    QVERIFY2(r.err.contains("nothing of it was kept"), r.err.constData());
    QVERIFY2(r.err.contains("relative/key.pem") || r.err.contains("absolute"), r.err.constData());
    // Nothing of it is in the store: no new endpoint, no deploy target.
    auto store = inventory::Store::openUrl(m_db);
    QVERIFY(store.has_value());
    auto all = (*store)->endpoints().list();
    QVERIFY(all.has_value());
    QCOMPARE(all->size(), 3);
    QVERIFY(!(*store)->endpoints().deployTarget(1).has_value());
}

QTEST_GUILESS_MAIN(TestFleetImport)
#include "test_fleet_import.moc"
