// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl fleet import/export as an admin runs them: a host list, a JSON
// round trip, and an import refused half-way that keeps nothing.
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
    void jsonRoundTripKeepsExisting();
    void refusedHalfWayKeepsNothing();

private:
    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };
    Run ctl(const QStringList& args);
    QTemporaryDir m_tmp;
    QString m_ctl;
    QString m_db;
};

TestFleetImport::Run TestFleetImport::ctl(const QStringList& args)
{
    QProcess p;
    p.start(m_ctl, QStringList{QStringLiteral("--db"), m_db} + args);
    Run r;
    if (!p.waitForFinished(60000)) {
        return r;
    }
    r.code = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

void TestFleetImport::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY(QFile::exists(m_ctl));
    m_db = m_tmp.filePath(QStringLiteral("fleet.sqlite"));
    QFile hosts(m_tmp.filePath(QStringLiteral("hosts.txt")));
    QVERIFY(hosts.open(QIODevice::WriteOnly));
    hosts.write("# payments\napi.example.com\nshop.example.com:8443\n[2001:db8::1]:443\n"
                "bad.example.com:99999\napi.example.com\n");
}

void TestFleetImport::hostListDryRunThenImport()
{
    const QString hosts = m_tmp.filePath(QStringLiteral("hosts.txt"));
    const Run dry =
        ctl({QStringLiteral("fleet"), QStringLiteral("import"), QStringLiteral("--format"),
             QStringLiteral("hosts"), hosts, QStringLiteral("--dry-run")});
    // Warnings (a bad port, a duplicate) make it exit 1, and say where.
    QCOMPARE(dry.code, 1);
    QVERIFY2(dry.out.contains("Would add 3 endpoint(s)"), dry.out.constData());
    QVERIFY2(dry.out.contains("line 5"), dry.out.constData());
    const Run none =
        ctl({QStringLiteral("fleet"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(none.code, 0);
    QVERIFY(none.out.contains("[\n]") || none.out.contains("[]") || !none.out.contains("example"));

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
    QVERIFY(!list.out.contains("99999"));
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
    auto all = (*store)->listEndpoints();
    QVERIFY(all.has_value());
    QCOMPARE(all->size(), 3);
    QVERIFY(!(*store)->deployTarget(1).has_value());
}

QTEST_GUILESS_MAIN(TestFleetImport)
#include "test_fleet_import.moc"
