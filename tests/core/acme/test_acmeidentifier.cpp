// SPDX-License-Identifier: GPL-3.0-or-later
// ACME identifiers: DNS names (RFC 8555) and IP addresses (RFC 8738).
#include "acme/protocol/AcmeIdentifier.h"

#include <QJsonObject>
#include <QTest>

using namespace certdeck;
using namespace certdeck::acme;

class TestAcmeIdentifier : public QObject
{
    Q_OBJECT
private slots:
    void good_data();
    void good();
    void bad_data();
    void bad();
};

void TestAcmeIdentifier::good_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("dns") << QStringLiteral("dns") << QStringLiteral("WWW.Example.Test.")
                         << QStringLiteral("dns:www.example.test");
    QTest::newRow("wildcard") << QStringLiteral("dns") << QStringLiteral("*.example.test")
                              << QStringLiteral("dns:*.example.test");
    QTest::newRow("ipv4") << QStringLiteral("ip") << QStringLiteral("192.0.2.7")
                          << QStringLiteral("ip:192.0.2.7");
    QTest::newRow("ipv6 canonical") << QStringLiteral("ip") << QStringLiteral("2001:DB8:0:0::1")
                                    << QStringLiteral("ip:2001:db8::1");
}

void TestAcmeIdentifier::good()
{
    QFETCH(QString, type);
    QFETCH(QString, input);
    QFETCH(QString, expected);
    auto id = AcmeIdentifier::fromJson(QJsonObject{{"type", type}, {"value", input}});
    QVERIFY2(id, qPrintable(id ? QString() : id.error().message));
    QCOMPARE(id->toString(), expected);
    auto back = AcmeIdentifier::fromJson(id->toJson());
    QVERIFY(back);
    QCOMPARE(*back, *id);
}

void TestAcmeIdentifier::bad_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("underscore") << QStringLiteral("dns") << QStringLiteral("bad_name.test")
                                << QStringLiteral("label 'bad_name'");
    QTest::newRow("inner wildcard")
        << QStringLiteral("dns") << QStringLiteral("a.*.test") << QStringLiteral("label '*'");
    QTest::newRow("empty") << QStringLiteral("dns") << QStringLiteral("")
                           << QStringLiteral("not a DNS name");
    QTest::newRow("leading hyphen")
        << QStringLiteral("dns") << QStringLiteral("-a.test") << QStringLiteral("label '-a'");
    QTest::newRow("ip as dns") << QStringLiteral("dns") << QStringLiteral("10.0.0.1")
                               << QStringLiteral("give it as an IP identifier");
    QTest::newRow("bad ip") << QStringLiteral("ip") << QStringLiteral("300.1.1.1")
                            << QStringLiteral("not an IPv4 or IPv6");
    QTest::newRow("scoped ip") << QStringLiteral("ip") << QStringLiteral("fe80::1%eth0")
                               << QStringLiteral("not an IPv4 or IPv6");
    QTest::newRow("email type") << QStringLiteral("email") << QStringLiteral("a@b.test")
                                << QStringLiteral("unknown ACME identifier type");
}

void TestAcmeIdentifier::bad()
{
    QFETCH(QString, type);
    QFETCH(QString, input);
    QFETCH(QString, expected);
    auto id = AcmeIdentifier::fromJson(QJsonObject{{"type", type}, {"value", input}});
    QVERIFY(!id);
    QCOMPARE(id.error().code, ErrorCode::InvalidInput);
    QVERIFY2(id.error().message.contains(expected), qPrintable(id.error().message));
}

QTEST_GUILESS_MAIN(TestAcmeIdentifier)
#include "test_acmeidentifier.moc"
