// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl fleet add|list|show|edit|rm, run as a user would, on an SQLite
// store in a temporary folder.
#include "CtlRun.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "inventory/Store.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class TestFleetCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void addListShowRemove();
    void duplicateIsRefusedAndNamed();
    void badInputIsAUsageError_data();
    void badInputIsAUsageError();
    void listFiltersAndJson();
    void listAndShowTellExpiry();
    void sniIsShownTheSameEverywhere();
    void editUsesTheRevision();
    void ambiguousHostNeedsSni();
    void changesAreAuditedUnderTheOsUser();
    void damagedStoreIsReportedAndKept();
    void worksWhileTheConsoleHasTheStoreOpen();
    void dbOptionOverridesTheEnvironment();
    void helpNamesEveryAction();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(const QStringList& args);
    QJsonObject json(const QStringList& args);
    QString m_ctl;
    QTemporaryDir m_tmp;
    QString m_db;
    int m_counter = 0;
};

TestFleetCommand::Run TestFleetCommand::ctl(const QStringList& args)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"), m_db);
    env.insert(QStringLiteral("USER"), QStringLiteral("alice"));
    return certdeck::test::runCtl(QStringList{QStringLiteral("fleet")} + args, env, 30000);
}

QJsonObject TestFleetCommand::json(const QStringList& args)
{
    const Run r = ctl(args + QStringList{QStringLiteral("--json")});
    return QJsonDocument::fromJson(r.out).object();
}

void TestFleetCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(m_ctl), "CERTDECKCTL must name the built certdeckctl");
}

void TestFleetCommand::init()
{
    m_db = m_tmp.filePath(QStringLiteral("store%1/certdeck.sqlite").arg(++m_counter));
}

void TestFleetCommand::addListShowRemove()
{
    Run add = ctl({QStringLiteral("add"), QStringLiteral("API.example.test:8443"),
                   QStringLiteral("--group"), QStringLiteral("payments"), QStringLiteral("--tag"),
                   QStringLiteral("prod"), QStringLiteral("--tag"), QStringLiteral("eu"),
                   QStringLiteral("--kind"), QStringLiteral("haproxy"), QStringLiteral("--sni"),
                   QStringLiteral("pay.example.test"), QStringLiteral("--ip"),
                   QStringLiteral("192.0.2.10"), QStringLiteral("--notes"),
                   QStringLiteral("EU cluster")});
    QCOMPARE(add.code, 0);
    QCOMPARE(add.out, QByteArray("Added api.example.test:8443 (id 1)\n"));
    QVERIFY(add.err.isEmpty());
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("[2001:db8::1]")}).code, 0);

    const Run list = ctl({QStringLiteral("list")});
    QCOMPARE(list.code, 0);
    const QList<QByteArray> lines = list.out.split('\n');
    QVERIFY2(lines.size() >= 4, list.out.constData());
    QVERIFY(lines.at(0).startsWith("ID  ENDPOINT"));
    for (const char* column : {"GROUP", "KIND", "SNI", "TAGS"}) {
        QVERIFY(lines.at(0).contains(column));
    }
    // Ordered by group: the ungrouped IPv6 endpoint first.
    QVERIFY2(lines.at(1).contains("[2001:db8::1]:443"), lines.at(1).constData());
    QVERIFY(lines.at(2).contains("api.example.test:8443"));
    QVERIFY(lines.at(2).contains("payments"));
    QVERIFY(lines.at(2).contains("haproxy"));
    QVERIFY(lines.at(2).contains("pay.example.test"));
    QVERIFY(lines.at(2).contains("prod,eu"));
    QCOMPARE(lines.at(3), QByteArray("2 endpoints"));

    const Run show = ctl({QStringLiteral("show"), QStringLiteral("api.example.test:8443")});
    QCOMPARE(show.code, 0);
    QVERIFY(show.out.contains("Endpoint   api.example.test:8443  (id 1)"));
    QVERIFY(show.out.contains("SNI        pay.example.test (set)"));
    QVERIFY(show.out.contains("Connect to 192.0.2.10"));
    QVERIFY(show.out.contains("Notes      EU cluster"));
    QVERIFY2(show.out.contains("by alice"), show.out.constData());
    const QJsonObject byId = json({QStringLiteral("show"), QStringLiteral("1")});
    QCOMPARE(byId[QStringLiteral("endpoint")][QStringLiteral("host")].toString(),
             QStringLiteral("api.example.test"));
    QCOMPARE(byId[QStringLiteral("endpoint")][QStringLiteral("tags")].toArray().size(), 2);

    const Run rm = ctl({QStringLiteral("rm"), QStringLiteral("[2001:db8::1]:443")});
    QCOMPARE(rm.code, 0);
    QCOMPARE(rm.out, QByteArray("Removed [2001:db8::1]:443 (id 2)\n"));
    const Run gone = ctl({QStringLiteral("show"), QStringLiteral("[2001:db8::1]")});
    QCOMPARE(gone.code, 3);
    QVERIFY2(gone.err.contains("[2001:db8::1]:443 is not in the inventory"), gone.err.constData());
    QCOMPARE(json({QStringLiteral("list")})[QStringLiteral("endpoints")].toArray().size(), 1);
}

void TestFleetCommand::duplicateIsRefusedAndNamed()
{
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("api.example.test")}).code, 0);
    const Run dup = ctl({QStringLiteral("add"), QStringLiteral("api.example.test:443")});
    QCOMPARE(dup.code, 3);
    QVERIFY2(dup.err.contains("api.example.test:443 is already in the inventory"),
             dup.err.constData());
    const QJsonObject j = json({QStringLiteral("add"), QStringLiteral("api.example.test")});
    QCOMPARE(j[QStringLiteral("error")][QStringLiteral("code")].toString(),
             QStringLiteral("conflict"));
    // Same host with another SNI name is another endpoint.
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("api.example.test"),
                  QStringLiteral("--sni"), QStringLiteral("admin.example.test")})
                 .code,
             0);
}

void TestFleetCommand::badInputIsAUsageError_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no host") << QStringList{QStringLiteral("add")} << "needs one HOST[:PORT]";
    QTest::newRow("port too big") << QStringList{QStringLiteral("add"), QStringLiteral("a:70000")}
                                  << "\"a:70000\": port 70000 is out of range (1-65535)";
    QTest::newRow("port zero") << QStringList{QStringLiteral("add"), QStringLiteral("a:0")}
                               << "\"a:0\": port 0 is out of range (1-65535)";
    QTest::newRow("port text") << QStringList{QStringLiteral("add"), QStringLiteral("a:https")}
                               << "\"a:https\": port \"https\" is not a number";
    QTest::newRow("open bracket") << QStringList{QStringLiteral("add"), QStringLiteral("[::1:443")}
                                  << "closing ']'";
    QTest::newRow("empty host") << QStringList{QStringLiteral("add"), QStringLiteral(":443")}
                                << "\":443\": the host is empty";
    QTest::newRow("empty port") << QStringList{QStringLiteral("add"), QStringLiteral("a:")}
                                << "\"a:\": the port after ':' is empty";
    QTest::newRow("spaces") << QStringList{QStringLiteral("add"),
                                           QStringLiteral("this is : not : a host")}
                            << "a host and port hold no spaces";
    QTest::newRow("a:b:c") << QStringList{QStringLiteral("add"), QStringLiteral("a:b:c")}
                           << "neither HOST:PORT nor an IPv6 address";
    QTest::newRow("edit bad address")
        << QStringList{QStringLiteral("edit"), QStringLiteral("a:b:c"), QStringLiteral("--group"),
                       QStringLiteral("g")}
        << "neither HOST:PORT nor an IPv6 address";
    QTest::newRow("bad sni") << QStringList{QStringLiteral("add"), QStringLiteral("a.example"),
                                            QStringLiteral("--sni"), QStringLiteral("b c")}
                             << "--sni: \"b c\": a host and port hold no spaces";
    QTest::newRow("unknown kind") << QStringList{QStringLiteral("add"), QStringLiteral("a"),
                                                 QStringLiteral("--kind"), QStringLiteral("iis")}
                                  << "Unknown --kind 'iis'";
    QTest::newRow("unknown action")
        << QStringList{QStringLiteral("frobnicate")} << "needs an action";
    QTest::newRow("the actions are listed")
        << QStringList{QStringLiteral("teleport")}
        << "add, list, show, attach, edit, rm, import, export or trust";
    QTest::newRow("bad revision") << QStringList{QStringLiteral("edit"), QStringLiteral("1"),
                                                 QStringLiteral("--revision"), QStringLiteral("x")}
                                  << "--revision";
    QTest::newRow("list args") << QStringList{QStringLiteral("list"), QStringLiteral("api")}
                               << "--filter";
}

void TestFleetCommand::badInputIsAUsageError()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Run r = ctl(args);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(expected.toUtf8()), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void TestFleetCommand::listFiltersAndJson()
{
    for (const QStringList& a : {QStringList{QStringLiteral("pay1.example.test"),
                                             QStringLiteral("--group"), QStringLiteral("payments")},
                                 QStringList{QStringLiteral("pay2.example.test"),
                                             QStringLiteral("--group"), QStringLiteral("payments"),
                                             QStringLiteral("--tag"), QStringLiteral("canary")},
                                 QStringList{QStringLiteral("edge.example.test"),
                                             QStringLiteral("--group"), QStringLiteral("edge")}}) {
        QCOMPARE(ctl(QStringList{QStringLiteral("add")} + a).code, 0);
    }
    auto hosts = [&](const QStringList& args) {
        QStringList out;
        const QJsonArray a =
            json(QStringList{QStringLiteral("list")} + args)[QStringLiteral("endpoints")].toArray();
        for (const QJsonValue& v : a) {
            out << v[QStringLiteral("host")].toString();
        }
        return out;
    };
    QCOMPARE(hosts({}),
             (QStringList{QStringLiteral("edge.example.test"), QStringLiteral("pay1.example.test"),
                          QStringLiteral("pay2.example.test")}));
    QCOMPARE(
        hosts({QStringLiteral("--group"), QStringLiteral("payments")}),
        (QStringList{QStringLiteral("pay1.example.test"), QStringLiteral("pay2.example.test")}));
    QCOMPARE(hosts({QStringLiteral("--filter"), QStringLiteral("CANARY")}),
             QStringList{QStringLiteral("pay2.example.test")});
    QCOMPARE(hosts({QStringLiteral("--filter"), QStringLiteral("nothing-matches")}), QStringList());
    const Run empty = ctl({QStringLiteral("list"), QStringLiteral("--group"), QStringLiteral("x")});
    QCOMPARE(empty.code, 0);
    QVERIFY(empty.out.endsWith("0 endpoints\n"));
}

void TestFleetCommand::listAndShowTellExpiry()
{
    // Certificates with known ends, imported from a folder as an admin
    // would; half a day past whole days so "days left" cannot straddle a day.
    certdeck::test::FixtureDir pkiDir;
    certdeck::test::TestPki pki;
    QVERIFY2(pki.create(pkiDir.path(), {}), qPrintable(pki.errorString()));
    QDateTime now = QDateTime::currentDateTimeUtc();
    now = now.addMSecs(-now.time().msec());
    struct Want
    {
        QString host;
        QDateTime notAfter;
        int daysLeft;
        QString status;
    };
    const QList<Want> wants = {
        {QStringLiteral("ok.example.test"), now.addDays(200).addSecs(12 * 3600), 200,
         QStringLiteral("OK")},
        {QStringLiteral("soon.example.test"), now.addDays(10).addSecs(12 * 3600), 10,
         QStringLiteral("EXPIRING")},
        // Counted toward minus infinity, as the console counts.
        {QStringLiteral("gone.example.test"), now.addDays(-5).addSecs(-12 * 3600), -6,
         QStringLiteral("EXPIRED")},
    };
    certdeck::test::FixtureDir folder;
    for (const Want& w : wants) {
        certdeck::test::TestPki::LeafSpec spec;
        spec.name = w.host.section(u'.', 0, 0);
        spec.commonName = w.host;
        spec.sans = {QStringLiteral("DNS:") + w.host};
        spec.notBefore = now.addDays(-100);
        spec.notAfter = w.notAfter;
        const auto leaf = pki.issue(spec);
        QVERIFY2(!leaf.name.isEmpty(), qPrintable(pki.errorString()));
        QVERIFY(QFile::copy(leaf.cert, folder.filePath(spec.name + QStringLiteral(".pem"))));
    }
    const Run imported = ctl({QStringLiteral("import"), QStringLiteral("--format"),
                              QStringLiteral("pem"), folder.path()});
    QVERIFY2(imported.code == 0, imported.err.constData());
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("none.example.test")}).code, 0);

    const QJsonArray endpoints =
        json({QStringLiteral("list")})[QStringLiteral("endpoints")].toArray();
    QCOMPARE(endpoints.size(), 4);
    QHash<QString, QJsonObject> byHost;
    for (const QJsonValue& v : endpoints) {
        byHost.insert(v[QStringLiteral("host")].toString(), v.toObject());
    }
    for (const Want& w : wants) {
        const QJsonObject o = byHost.value(w.host);
        QCOMPARE(o[QStringLiteral("notAfter")].toString(), w.notAfter.toString(Qt::ISODate));
        QVERIFY(o[QStringLiteral("notAfter")].toString().endsWith(u'Z'));
        QCOMPARE(o[QStringLiteral("daysLeft")].toInt(-999), w.daysLeft);
        QCOMPARE(o[QStringLiteral("status")].toString(), w.status);
    }
    const QJsonObject none = byHost.value(QStringLiteral("none.example.test"));
    QVERIFY(none[QStringLiteral("notAfter")].isNull());
    QVERIFY(none[QStringLiteral("daysLeft")].isNull());
    QCOMPARE(none[QStringLiteral("status")].toString(), QStringLiteral("NO CERTIFICATE"));

    // The table says the same, in the Fleet page's words.
    const Run list = ctl({QStringLiteral("list")});
    QCOMPARE(list.code, 0);
    const QList<QByteArray> lines = list.out.split('\n');
    QVERIFY2(lines.first().contains("EXPIRES") && lines.first().contains("DAYS") &&
                 lines.first().contains("STATUS"),
             lines.first().constData());
    auto lineOf = [&](const char* host) {
        for (const QByteArray& l : lines) {
            if (l.contains(host)) {
                return l.simplified();
            }
        }
        return QByteArray();
    };
    QVERIFY2(lineOf("soon.example.test")
                 .contains(wants[1].notAfter.toString(QStringLiteral("yyyy-MM-dd")).toUtf8() +
                           " 10 EXPIRING"),
             lineOf("soon.example.test").constData());
    QVERIFY2(lineOf("gone.example.test").contains(" -6 EXPIRED"), list.out.constData());
    QVERIFY2(lineOf("ok.example.test").contains(" 200 OK"), list.out.constData());
    QVERIFY2(lineOf("none.example.test").contains("- - NO CERTIFICATE"), list.out.constData());

    // --warn-days moves the line, as the console's setting does.
    const QJsonArray relaxed = json({QStringLiteral("list"), QStringLiteral("--warn-days"),
                                     QStringLiteral("5")})[QStringLiteral("endpoints")]
                                   .toArray();
    for (const QJsonValue& v : relaxed) {
        if (v[QStringLiteral("host")].toString() == QLatin1String("soon.example.test")) {
            QCOMPARE(v[QStringLiteral("status")].toString(), QStringLiteral("OK"));
        }
    }
    QCOMPARE(ctl({QStringLiteral("list"), QStringLiteral("--warn-days"), QStringLiteral("x")}).code,
             3);

    // show gives the same for one endpoint.
    const Run show = ctl({QStringLiteral("show"), QStringLiteral("soon.example.test")});
    QCOMPARE(show.code, 0);
    QVERIFY2(show.out.contains("Expires    " +
                               wants[1].notAfter.toString(QStringLiteral("yyyy-MM-dd")).toUtf8() +
                               " (10 day(s) left), EXPIRING\n"),
             show.out.constData());
    const QJsonObject shown =
        json({QStringLiteral("show"),
              QStringLiteral("gone.example.test")})[QStringLiteral("endpoint")]
            .toObject();
    QCOMPARE(shown[QStringLiteral("daysLeft")].toInt(), -6);
    QCOMPARE(shown[QStringLiteral("status")].toString(), QStringLiteral("EXPIRED"));
    QVERIFY(ctl({QStringLiteral("show"), QStringLiteral("none.example.test")})
                .out.contains("Expires    NO CERTIFICATE\n"));
}

void TestFleetCommand::sniIsShownTheSameEverywhere()
{
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("plain.example.test")}).code, 0);
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("lb.example.test"), QStringLiteral("--sni"),
                  QStringLiteral("App.Example.Test")})
                 .code,
             0);
    // One rule everywhere: the name sent (the SNI name, else the host), and
    // whether one was set.
    const Run list = ctl({QStringLiteral("list")});
    for (const QByteArray& l : list.out.split('\n')) {
        if (l.contains("plain.example.test")) {
            QVERIFY2(
                l.simplified().contains("plain.example.test:443 - unknown plain.example.test "),
                l.constData());
        } else if (l.contains("lb.example.test")) {
            QVERIFY2(l.simplified().contains("lb.example.test:443 - unknown app.example.test "),
                     l.constData());
        }
    }
    QVERIFY(ctl({QStringLiteral("show"), QStringLiteral("plain.example.test")})
                .out.contains("SNI        plain.example.test (the host)\n"));
    QVERIFY(ctl({QStringLiteral("show"), QStringLiteral("lb.example.test")})
                .out.contains("SNI        app.example.test (set)\n"));
    // JSON: the same name, with sniSet, in list, show and the export alike.
    for (const QStringList& args :
         {QStringList{QStringLiteral("list")}, QStringList{QStringLiteral("export")}}) {
        const QJsonArray a =
            QJsonDocument::fromJson(ctl(args + QStringList{QStringLiteral("--json")}).out)
                .object()[QStringLiteral("endpoints")]
                .toArray();
        QCOMPARE(a.size(), 2);
        for (const QJsonValue& v : a) {
            const bool lb =
                v[QStringLiteral("host")].toString() == QLatin1String("lb.example.test");
            QCOMPARE(v[QStringLiteral("sni")].toString(),
                     lb ? QStringLiteral("app.example.test")
                        : QStringLiteral("plain.example.test"));
            QCOMPARE(v[QStringLiteral("sniSet")].toBool(), lb);
        }
    }
    const QJsonObject plain =
        json({QStringLiteral("show"),
              QStringLiteral("plain.example.test")})[QStringLiteral("endpoint")]
            .toObject();
    QCOMPARE(plain[QStringLiteral("sni")].toString(), QStringLiteral("plain.example.test"));
    QCOMPARE(plain[QStringLiteral("sniSet")].toBool(true), false);
}

void TestFleetCommand::editUsesTheRevision()
{
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("api.example.test"),
                  QStringLiteral("--tag"), QStringLiteral("old")})
                 .code,
             0);
    // Alice reads revision 1; meanwhile a colleague edits it.
    const QJsonObject read = json({QStringLiteral("show"), QStringLiteral("api.example.test")});
    const int revision = read[QStringLiteral("endpoint")][QStringLiteral("revision")].toInt();
    QCOMPARE(revision, 1);
    const Run first =
        ctl({QStringLiteral("edit"), QStringLiteral("api.example.test"), QStringLiteral("--group"),
             QStringLiteral("edge"), QStringLiteral("--tag"), QStringLiteral("new")});
    QCOMPARE(first.code, 0);
    QCOMPARE(first.out, QByteArray("Saved api.example.test:443 (id 1, revision 2)\n"));
    const Run stale =
        ctl({QStringLiteral("edit"), QStringLiteral("api.example.test"), QStringLiteral("--notes"),
             QStringLiteral("mine"), QStringLiteral("--revision"), QString::number(revision)});
    QCOMPARE(stale.code, 3);
    QVERIFY2(stale.err.contains("api.example.test:443 was changed by alice at "),
             stale.err.constData());
    QVERIFY(stale.err.contains("nothing was saved"));
    const QJsonObject now = json({QStringLiteral("show"), QStringLiteral("1")});
    const QJsonObject e = now[QStringLiteral("endpoint")].toObject();
    QCOMPARE(e[QStringLiteral("group")].toString(), QStringLiteral("edge"));
    QCOMPARE(e[QStringLiteral("notes")].toString(), QString());
    QCOMPARE(e[QStringLiteral("tags")].toArray(), QJsonArray{QStringLiteral("new")});
    QCOMPARE(e[QStringLiteral("revision")].toInt(), 2);
    // Fields not given are kept; --clear-tags empties the tags.
    QCOMPARE(
        ctl({QStringLiteral("edit"), QStringLiteral("1"), QStringLiteral("--clear-tags")}).code, 0);
    const QJsonObject cleared = json({QStringLiteral("show"), QStringLiteral("1")});
    QCOMPARE(cleared[QStringLiteral("endpoint")][QStringLiteral("tags")].toArray().size(), 0);
    QCOMPARE(cleared[QStringLiteral("endpoint")][QStringLiteral("group")].toString(),
             QStringLiteral("edge"));
}

void TestFleetCommand::ambiguousHostNeedsSni()
{
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("lb.example.test")}).code, 0);
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("lb.example.test"), QStringLiteral("--sni"),
                  QStringLiteral("b.example.test")})
                 .code,
             0);
    const Run amb = ctl({QStringLiteral("show"), QStringLiteral("lb.example.test")});
    QCOMPARE(amb.code, 3);
    QVERIFY2(amb.err.contains("lb.example.test:443 has 2 endpoints; name one by ID or --sni"),
             amb.err.constData());
    const Run pick = ctl({QStringLiteral("show"), QStringLiteral("lb.example.test"),
                          QStringLiteral("--sni"), QStringLiteral("b.example.test")});
    QCOMPARE(pick.code, 0);
    QVERIFY(pick.out.contains("(id 2)"));
    const Run rm = ctl({QStringLiteral("rm"), QStringLiteral("lb.example.test"),
                        QStringLiteral("--sni"), QStringLiteral("lb.example.test")});
    QCOMPARE(rm.code, 0);
    QVERIFY(rm.out.contains("(id 1)"));
}

void TestFleetCommand::changesAreAuditedUnderTheOsUser()
{
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("api.example.test")}).code, 0);
    QCOMPARE(ctl({QStringLiteral("edit"), QStringLiteral("1"), QStringLiteral("--group"),
                  QStringLiteral("g")})
                 .code,
             0);
    QCOMPARE(ctl({QStringLiteral("rm"), QStringLiteral("1")}).code, 0);
    QStringList rows;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("a"));
        db.setDatabaseName(m_db);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT actor, action, subject, result FROM audit_log "
                                      "ORDER BY id")));
        while (q.next()) {
            rows << QStringLiteral("%1 %2 %3 %4")
                        .arg(q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                             q.value(3).toString());
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("a"));
    QCOMPARE(rows, (QStringList{QStringLiteral("alice endpoint.add api.example.test:443 ok"),
                                QStringLiteral("alice endpoint.edit api.example.test:443 ok"),
                                QStringLiteral("alice endpoint.remove api.example.test:443 ok")}));
}

void TestFleetCommand::damagedStoreIsReportedAndKept()
{
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("api.example.test")}).code, 0);
    QFile f(m_db);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek(100);
    f.write(QByteArray(f.size() - 100, '\x5a'));
    f.close();
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray before = f.readAll();
    f.close();
    const Run r = ctl({QStringLiteral("add"), QStringLiteral("other.example.test")});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("left as it is"), r.err.constData());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), before);
}

void TestFleetCommand::worksWhileTheConsoleHasTheStoreOpen()
{
    auto console = certdeck::inventory::Store::openSqlite(m_db);
    QVERIFY(console.has_value());
    QCOMPARE((*console)->endpoints().list()->size(), 0);
    const Run add = ctl({QStringLiteral("add"), QStringLiteral("cli.example.test")});
    QCOMPARE(add.code, 0);
    // The console sees the CLI's row on its next read, and the CLI the console's.
    QCOMPARE((*console)->endpoints().list()->size(), 1);
    certdeck::inventory::Endpoint e;
    e.host = QStringLiteral("console.example.test");
    QVERIFY((*console)->endpoints().add(e).has_value());
    const Run list = ctl({QStringLiteral("list")});
    QCOMPARE(list.code, 0);
    QVERIFY(list.out.contains("console.example.test:443"));
    QVERIFY(list.out.contains("cli.example.test:443"));
}

void TestFleetCommand::dbOptionOverridesTheEnvironment()
{
    const QString other = m_tmp.filePath(QStringLiteral("other%1.sqlite").arg(m_counter));
    QCOMPARE(ctl({QStringLiteral("add"), QStringLiteral("a.example.test"), QStringLiteral("--db"),
                  other})
                 .code,
             0);
    QCOMPARE(json({QStringLiteral("list")})[QStringLiteral("endpoints")].toArray().size(), 0);
    QCOMPARE(
        json({QStringLiteral("list"), QStringLiteral("--db"), other})[QStringLiteral("endpoints")]
            .toArray()
            .size(),
        1);
    QVERIFY(QFile::exists(other));
}

void TestFleetCommand::helpNamesEveryAction()
{
    const Run h = ctl({QStringLiteral("--help")});
    QCOMPARE(h.code, 0);
    for (const char* action : {"add", "list", "show", "edit", "rm"}) {
        QVERIFY2(h.out.contains(action), action);
    }
    // Each subcommand's help says where the store can be (--db).
    QVERIFY(ctl({QStringLiteral("list"), QStringLiteral("--help")}).out.contains("postgresql://"));
    for (const char* action : {"add", "list", "show", "edit", "rm"}) {
        const Run a = ctl({QString::fromLatin1(action), QStringLiteral("--help")});
        QCOMPARE(a.code, 0);
        QVERIFY2(a.out.startsWith(QByteArray("Usage: certdeckctl fleet ") + action),
                 a.out.constData());
    }
}

QTEST_GUILESS_MAIN(TestFleetCommand)
#include "test_fleet_command.moc"
