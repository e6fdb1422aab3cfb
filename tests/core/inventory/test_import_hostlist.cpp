// SPDX-License-Identifier: GPL-3.0-or-later
// HostListImporter: plain host lists and CSV, told apart by content; bad
// lines are skipped with a warning naming the line.
#include "inventory/import/HostListImporter.h"

#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

class TestImportHostList : public QObject
{
    Q_OBJECT
private slots:
    void plainList();
    void badLines_data();
    void badLines();
    void duplicatesAreMerged();
    void csvWithHeader();
    void csvQuotedFields();
    void csvErrors_data();
    void csvErrors();
    void binaryIsRefused();
    void readFileNamesTheFile();

private:
    static QString labels(const ImportPlan& plan)
    {
        QStringList out;
        for (const Endpoint& e : plan.endpoints) {
            out << endpointLabel(e.host, e.port) +
                       (e.sniName.isEmpty() ? QString() : u'/' + e.sniName);
        }
        return out.join(u' ');
    }
};

void TestImportHostList::plainList()
{
    const QByteArray text = "# payments fleet\n"
                            "\n"
                            "api.example.test\n"
                            "  Pay.Example.Test:8443   # staging\n"
                            "10.1.2.3:9443\n"
                            "[2001:db8::1]:4443\n"
                            "[2001:DB8::2]\n"
                            "2001:db8::3\n"
                            "https://web.example.test:10443/health\n"
                            "bücher.example.test\n"
                            "trailing.example.test.\r\n";
    QCOMPARE(HostListImporter::detect(text), HostListImporter::Format::Lines);
    HostListImporter::Options options;
    options.group = QStringLiteral("payments");
    options.tags = {QStringLiteral("imported")};
    auto plan = HostListImporter::parse(text, QStringLiteral("hosts.txt"), options);
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(labels(*plan),
             QStringLiteral("api.example.test:443 pay.example.test:8443 10.1.2.3:9443 "
                            "[2001:db8::1]:4443 [2001:db8::2]:443 [2001:db8::3]:443 "
                            "web.example.test:10443 xn--bcher-kva.example.test:443 "
                            "trailing.example.test:443"));
    QCOMPARE(plan->endpoints[0].group, QStringLiteral("payments"));
    QCOMPARE(plan->endpoints[0].tags, QStringList{QStringLiteral("imported")});
    QVERIFY2(plan->warnings.isEmpty(), qPrintable(plan->warnings.join(u'\n')));
}

void TestImportHostList::badLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("warning");
    QTest::newRow("port 0") << QByteArray("a.example.test:0")
                            << QStringLiteral("port 0 is out of range (1-65535)");
    QTest::newRow("port 70000") << QByteArray("a.example.test:70000")
                                << QStringLiteral("port 70000 is out of range (1-65535)");
    QTest::newRow("port abc") << QByteArray("a.example.test:abc")
                              << QStringLiteral("port \"abc\" is not a number");
    QTest::newRow("ipv6 unclosed") << QByteArray("[2001:db8::1:443")
                                   << QStringLiteral("IPv6 address \"[2001:db8::1:443\" has no "
                                                     "closing ']'");
    QTest::newRow("ipv6 bad") << QByteArray("[2001:db8::zz]:443")
                              << QStringLiteral("\"2001:db8::zz\" is not an IPv6 address");
    QTest::newRow("ipv6 bare with port")
        << QByteArray("2001:db8::1::443") << QStringLiteral("write [address]:port");
    QTest::newRow("ipv4 bad") << QByteArray("10.1.2.300")
                              << QStringLiteral("\"10.1.2.300\" is not an IPv4 address");
    QTest::newRow("bad name") << QByteArray("bad_name!.example.test")
                              << QStringLiteral("is not a valid host name");
    QTest::newRow("wildcard") << QByteArray("*.example.test")
                              << QStringLiteral("is a wildcard, not a host to probe");
    QTest::newRow("no host") << QByteArray(":443") << QStringLiteral("no host before the port");
    QTest::newRow("label too long")
        << QByteArray(70, 'a') + ".example.test" << QStringLiteral("is not a valid host name");
}

void TestImportHostList::badLines()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, warning);
    const QByteArray text = "ok1.example.test\n# comment\n" + line + "\nok2.example.test:8443\n";
    auto plan = HostListImporter::parse(text, QStringLiteral("hosts.txt"));
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(labels(*plan), QStringLiteral("ok1.example.test:443 ok2.example.test:8443"));
    QCOMPARE(plan->warnings.size(), 1);
    QVERIFY2(plan->warnings[0].startsWith(QStringLiteral("hosts.txt line 3: ")),
             qPrintable(plan->warnings[0]));
    QVERIFY2(plan->warnings[0].contains(warning), qPrintable(plan->warnings[0]));
    QVERIFY(plan->warnings[0].endsWith(QStringLiteral("; skipped")));
}

void TestImportHostList::duplicatesAreMerged()
{
    const QByteArray text = "a.example.test\n"
                            "b.example.test:8443\n"
                            "A.EXAMPLE.TEST:443\n"
                            "a.example.test:8443\n"
                            "[2001:db8:0::1]\n"
                            "[2001:db8::1]:443\n";
    auto plan = HostListImporter::parse(text, QStringLiteral("hosts.txt"));
    QVERIFY(plan.has_value());
    QCOMPARE(labels(*plan), QStringLiteral("a.example.test:443 b.example.test:8443 "
                                           "a.example.test:8443 [2001:db8::1]:443"));
    QCOMPARE(plan->warnings,
             QStringList({QStringLiteral("hosts.txt line 3: a.example.test:443 duplicates "
                                         "hosts.txt line 1; merged"),
                          QStringLiteral("hosts.txt line 6: [2001:db8::1]:443 duplicates "
                                         "hosts.txt line 5; merged")}));
}

void TestImportHostList::csvWithHeader()
{
    const QByteArray text = "# exported by hand\n"
                            "Host,Port,SNI,Group,tags,owner\n"
                            "api.example.test,443,,payments,prod;eu,alice\n"
                            "10.0.0.7,8443,internal.example.test,east-west,,bob\n"
                            "[2001:db8::9],,,,,\n"
                            "\n"
                            "bad.example.test,70000,,,,\n"
                            "api.example.test,443,,,canary,\n";
    QCOMPARE(HostListImporter::detect(text), HostListImporter::Format::Csv);
    HostListImporter::Options options;
    options.group = QStringLiteral("default-group");
    auto plan = HostListImporter::parse(text, QStringLiteral("fleet.csv"), options);
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(labels(*plan), QStringLiteral("api.example.test:443 "
                                           "10.0.0.7:8443/internal.example.test "
                                           "[2001:db8::9]:443"));
    QCOMPARE(plan->endpoints[0].group, QStringLiteral("payments"));
    QCOMPARE(plan->endpoints[0].tags,
             QStringList({QStringLiteral("prod"), QStringLiteral("eu"), QStringLiteral("canary")}));
    QCOMPARE(plan->endpoints[1].group, QStringLiteral("east-west"));
    QCOMPARE(plan->endpoints[2].group, QStringLiteral("default-group"));
    QCOMPARE(plan->warnings,
             QStringList({QStringLiteral("fleet.csv line 2: column(s) owner ignored"),
                          QStringLiteral("fleet.csv line 7: port 70000 is out of range "
                                         "(1-65535); skipped"),
                          QStringLiteral("fleet.csv line 8: api.example.test:443 duplicates "
                                         "fleet.csv line 3; merged")}));
}

void TestImportHostList::csvQuotedFields()
{
    const QByteArray text = "host,port,group,notes\r\n"
                            "a.example.test,443,\"Payments, EU\",\"said \"\"hi\"\"\r\n"
                            "second line\"\r\n"
                            "b.example.test,444,plain,\r\n";
    auto plan = HostListImporter::parse(text, QStringLiteral("fleet.csv"));
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->endpoints.size(), 2);
    QCOMPARE(plan->endpoints[0].group, QStringLiteral("Payments, EU"));
    QCOMPARE(plan->endpoints[0].notes, QStringLiteral("said \"hi\"\nsecond line"));
    QCOMPARE(plan->endpoints[1].port, quint16(444));
    QVERIFY(plan->warnings.isEmpty());
}

void TestImportHostList::csvErrors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");
    QTest::newRow("no header") << QByteArray("a.example.test,443\n")
                               << QStringLiteral("fleet.csv line 1: the CSV header has no "
                                                 "\"host\" column");
    QTest::newRow("unterminated quote")
        << QByteArray("host,notes\na.example.test,ok\nb.example.test,\"never closed\n")
        << QStringLiteral("fleet.csv line 3: quoted field is not closed");
}

void TestImportHostList::csvErrors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, error);
    auto plan = HostListImporter::parse(input, QStringLiteral("fleet.csv"));
    QVERIFY(!plan.has_value());
    QVERIFY2(plan.error().message.startsWith(error), qPrintable(plan.error().message));
}

void TestImportHostList::binaryIsRefused()
{
    auto plan = HostListImporter::parse(QByteArray("a.example.test\nb\0c", 17),
                                        QStringLiteral("hosts.bin"));
    QVERIFY(!plan.has_value());
    QCOMPARE(plan.error().message,
             QStringLiteral("hosts.bin line 2: binary data (byte 0x00): not a host list"));
    auto empty = HostListImporter::parse("# nothing\n\n", QStringLiteral("hosts.txt"));
    QVERIFY(empty.has_value());
    QCOMPARE(empty->warnings, QStringList{QStringLiteral("hosts.txt: no endpoints found")});
}

void TestImportHostList::readFileNamesTheFile()
{
    QTemporaryDir dir;
    auto missing = HostListImporter::readFile(dir.filePath(QStringLiteral("nope.txt")));
    QVERIFY(!missing.has_value());
    QVERIFY2(missing.error().message.contains(QStringLiteral("nope.txt")),
             qPrintable(missing.error().message));
}

QTEST_GUILESS_MAIN(TestImportHostList)
#include "test_import_hostlist.moc"
