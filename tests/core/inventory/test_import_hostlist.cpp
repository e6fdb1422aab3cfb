// SPDX-License-Identifier: GPL-3.0-or-later
// HostListImporter: plain host lists and CSV, told apart by content; a
// malformed line refuses the whole list with an error naming the line.
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
    void everyBadLineIsNamed();
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
    QTest::addColumn<QString>("error"); // after "hosts.txt line 3: "
    QTest::newRow("words") << QByteArray("this is : not : a host")
                           << QStringLiteral("\"this is : not : a host\": a host and port hold "
                                             "no spaces");
    QTest::newRow("two words") << QByteArray("a.example.test 8443")
                               << QStringLiteral("\"a.example.test 8443\": a host and port hold "
                                                 "no spaces");
    QTest::newRow("port 0") << QByteArray("a.example.test:0")
                            << QStringLiteral("\"a.example.test:0\": port 0 is out of range "
                                              "(1-65535)");
    QTest::newRow("port 70000") << QByteArray("a.example.test:70000")
                                << QStringLiteral("\"a.example.test:70000\": port 70000 is out of "
                                                  "range (1-65535)");
    QTest::newRow("port abc") << QByteArray("a.example.test:abc")
                              << QStringLiteral("\"a.example.test:abc\": port \"abc\" is not a "
                                                "number");
    QTest::newRow("empty port") << QByteArray("a.example.test:")
                                << QStringLiteral("\"a.example.test:\": the port after ':' is "
                                                  "empty");
    QTest::newRow("ipv6 unclosed") << QByteArray("[2001:db8::1:443")
                                   << QStringLiteral("\"[2001:db8::1:443\": the IPv6 address has "
                                                     "no closing ']'");
    QTest::newRow("ipv6 bad") << QByteArray("[2001:db8::zz]:443")
                              << QStringLiteral("\"[2001:db8::zz]:443\": \"2001:db8::zz\" is not "
                                                "an IPv6 address");
    QTest::newRow("ipv6 bare with port")
        << QByteArray("2001:db8::1::443")
        << QStringLiteral("\"2001:db8::1::443\": neither HOST:PORT nor an IPv6 address (write "
                          "[ADDRESS]:PORT for IPv6 with a port)");
    QTest::newRow("ipv4 bad") << QByteArray("10.1.2.300")
                              << QStringLiteral("\"10.1.2.300\": \"10.1.2.300\" is not an IPv4 "
                                                "address");
    QTest::newRow("bad name") << QByteArray("bad_name!.example.test")
                              << QStringLiteral("\"bad_name!.example.test\": "
                                                "\"bad_name!.example.test\" is not a valid host "
                                                "name");
    QTest::newRow("wildcard") << QByteArray("*.example.test")
                              << QStringLiteral("\"*.example.test\": \"*.example.test\" is a "
                                                "wildcard, not a host");
    QTest::newRow("no host") << QByteArray(":443") << QStringLiteral("\":443\": the host is empty");
    QTest::newRow("label too long") << QByteArray(70, 'a') + ".example.test"
                                    << QStringLiteral("\"%1.example.test\": \"%1.example.test\" "
                                                      "is not a valid host name")
                                           .arg(QString(70, u'a'));
    QTest::newRow("bad URL port") << QByteArray("https://a.example.test:99999/")
                                  << QStringLiteral("\"https://a.example.test:99999/\" is not a "
                                                    "URL");
}

void TestImportHostList::badLines()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, error);
    const QByteArray text = "ok1.example.test\n# comment\n" + line + "\nok2.example.test:8443\n";
    auto plan = HostListImporter::parse(text, QStringLiteral("hosts.txt"));
    QVERIFY2(!plan.has_value(), qPrintable(plan ? labels(*plan) : QString()));
    QCOMPARE(plan.error().code, ErrorCode::InvalidInput);
    QCOMPARE(plan.error().message, QStringLiteral("hosts.txt line 3: ") + error);
    QVERIFY(plan.error().detail.isEmpty());
}

void TestImportHostList::everyBadLineIsNamed()
{
    QByteArray text = "ok.example.test\nbad one\n\n# fine\nx.example.test:0\n";
    auto plan = HostListImporter::parse(text, QStringLiteral("hosts.txt"));
    QVERIFY(!plan.has_value());
    QCOMPARE(plan.error().message,
             QStringLiteral("hosts.txt line 2: \"bad one\": a host and port hold no spaces (and 1 "
                            "more problem(s))"));
    QCOMPARE(plan.error().detail,
             QStringLiteral("hosts.txt line 2: \"bad one\": a host and port hold no spaces\n"
                            "hosts.txt line 5: \"x.example.test:0\": port 0 is out of range "
                            "(1-65535)"));
    // A file of garbage lists the first 20 and counts the rest.
    text.clear();
    for (int i = 0; i < 30; ++i) {
        text += "not a host\n";
    }
    plan = HostListImporter::parse(text, QStringLiteral("junk.txt"));
    QVERIFY(!plan.has_value());
    const QStringList lines = plan.error().detail.split(u'\n');
    QCOMPARE(lines.size(), 21);
    QCOMPARE(lines.last(), QStringLiteral("... and 10 more"));
    QVERIFY(lines.first().startsWith(QStringLiteral("junk.txt line 1: ")));
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
                          QStringLiteral("fleet.csv line 7: api.example.test:443 duplicates "
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
    QTest::newRow("bad port cell")
        << QByteArray("host,port\na.example.test,443\nbad.example.test,70000\n")
        << QStringLiteral("fleet.csv line 3: port 70000 is out of range (1-65535)");
    QTest::newRow("port cell contradicts host")
        << QByteArray("host,port\na.example.test:8443,443\n")
        << QStringLiteral("fleet.csv line 2: the host names port 8443, the port cell 443");
    QTest::newRow("empty host cell") << QByteArray("host,port\n,443\n")
                                     << QStringLiteral("fleet.csv line 2: the host cell is empty");
    QTest::newRow("bad host cell")
        << QByteArray("host,port\nnot a host,443\n")
        << QStringLiteral("fleet.csv line 2: host: \"not a host\": a host and port hold no "
                          "spaces");
    QTest::newRow("bad sni cell")
        << QByteArray("host,sni\na.example.test,b.example.test:443\n")
        << QStringLiteral("fleet.csv line 2: sni: \"b.example.test:443\": a host name holds no "
                          "':'");
    QTest::newRow("bad address cell")
        << QByteArray("host,address\na.example.test,10.0.0.300\n")
        << QStringLiteral("fleet.csv line 2: address \"10.0.0.300\" is not an IP address");
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
