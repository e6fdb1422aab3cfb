// SPDX-License-Identifier: GPL-3.0-or-later
// The one host:port parser: what it accepts, the form it gives the engine,
// and what it refuses with a message that quotes the input.
#include "common/HostPort.h"

#include <QTest>

using namespace certdeck;

class TestHostPort : public QObject
{
    Q_OBJECT
private slots:
    void accepts_data();
    void accepts();
    void refuses_data();
    void refuses();
    void hostNames_data();
    void hostNames();
};

void TestHostPort::accepts_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("display");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("portGiven");
    QTest::addColumn<bool>("isAddress");
    QTest::addColumn<QString>("authority");

    QTest::newRow("name") << "api.example.com"
                          << "api.example.com"
                          << "api.example.com" << 443 << false << false << "api.example.com:443";
    QTest::newRow("name:port") << "api.example.com:8443"
                               << "api.example.com"
                               << "api.example.com" << 8443 << true << false
                               << "api.example.com:8443";
    QTest::newRow("upper case") << "API.Example.COM:443"
                                << "api.example.com"
                                << "api.example.com" << 443 << true << false
                                << "api.example.com:443";
    QTest::newRow("trailing dot") << "example.com.:1"
                                  << "example.com"
                                  << "example.com" << 1 << true << false << "example.com:1";
    QTest::newRow("single label") << "localhost"
                                  << "localhost"
                                  << "localhost" << 443 << false << false << "localhost:443";
    QTest::newRow("underscore") << "_svc.internal:65535"
                                << "_svc.internal"
                                << "_svc.internal" << 65535 << true << false
                                << "_svc.internal:65535";
    QTest::newRow("leading zero port") << "a.example:0443"
                                       << "a.example"
                                       << "a.example" << 443 << true << false << "a.example:443";
    QTest::newRow("IDN") << QStringLiteral("bücher.example:8443") << "xn--bcher-kva.example"
                         << QStringLiteral("bücher.example") << 8443 << true << false
                         << "xn--bcher-kva.example:8443";
    QTest::newRow("IDN in ACE") << "xn--bcher-kva.example"
                                << "xn--bcher-kva.example"
                                << "xn--bcher-kva.example" << 443 << false << false
                                << "xn--bcher-kva.example:443";
    QTest::newRow("IPv4") << "127.0.0.1"
                          << "127.0.0.1"
                          << "127.0.0.1" << 443 << false << true << "127.0.0.1:443";
    QTest::newRow("IPv4:port") << "10.0.0.7:8443"
                               << "10.0.0.7"
                               << "10.0.0.7" << 8443 << true << true << "10.0.0.7:8443";
    QTest::newRow("[v6]:port") << "[2001:DB8::1]:8443"
                               << "2001:db8::1"
                               << "2001:db8::1" << 8443 << true << true << "[2001:db8::1]:8443";
    QTest::newRow("[v6]") << "[::1]"
                          << "::1"
                          << "::1" << 443 << false << true << "[::1]:443";
    QTest::newRow("bare v6") << "2001:db8::1"
                             << "2001:db8::1"
                             << "2001:db8::1" << 443 << false << true << "[2001:db8::1]:443";
    QTest::newRow("bare v6 full") << "2001:db8:0:0:0:0:0:443"
                                  << "2001:db8::443"
                                  << "2001:db8::443" << 443 << false << true
                                  << "[2001:db8::443]:443";
}

void TestHostPort::accepts()
{
    QFETCH(QString, text);
    QFETCH(QString, host);
    QFETCH(QString, display);
    QFETCH(int, port);
    QFETCH(bool, portGiven);
    QFETCH(bool, isAddress);
    QFETCH(QString, authority);
    const auto hp = parseHostPort(text, 443);
    QVERIFY2(hp.has_value(), qPrintable(hp ? QString() : hp.error().message));
    QCOMPARE(hp->host, host);
    QCOMPARE(hp->displayHost, display);
    QCOMPARE(int(hp->port), port);
    QCOMPARE(hp->portGiven, portGiven);
    QCOMPARE(hp->isAddress, isAddress);
    QCOMPARE(hp->authority(), authority);
}

void TestHostPort::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty") << ""
                           << "\"\": the host is empty";
    QTest::newRow("blank") << "  "
                           << "\"  \": the host is empty";
    QTest::newRow("empty port") << "host:"
                                << "\"host:\": the port after ':' is empty";
    QTest::newRow("empty host") << ":443"
                                << "\":443\": the host is empty";
    QTest::newRow("port 0") << "host:0"
                            << "\"host:0\": port 0 is out of range (1-65535)";
    QTest::newRow("port 65536") << "host:65536"
                                << "\"host:65536\": port 65536 is out of range (1-65535)";
    QTest::newRow("port huge") << "host:99999999999999999999"
                               << "\"host:99999999999999999999\": port 99999999999999999999 is "
                                  "out of range (1-65535)";
    QTest::newRow("port word") << "host:https"
                               << "\"host:https\": port \"https\" is not a number";
    QTest::newRow("port sign") << "host:+443"
                               << "\"host:+443\": port \"+443\" is not a number";
    QTest::newRow("space inside") << "this is : not : a host"
                                  << "\"this is : not : a host\": a host and port hold no spaces";
    QTest::newRow("leading space") << " host:443"
                                   << "\" host:443\": a host and port hold no "
                                      "spaces";
    QTest::newRow("tab") << "host\t:443"
                         << "\"host\t:443\": a host and port hold no spaces";
    QTest::newRow("a:b:c") << "a:b:c"
                           << "\"a:b:c\": neither HOST:PORT nor an IPv6 address (write "
                              "[ADDRESS]:PORT for IPv6 with a port)";
    QTest::newRow("v6 no bracket close") << "[::1:443"
                                         << "\"[::1:443\": the IPv6 address has no closing ']'";
    QTest::newRow("v6 junk after") << "[::1]443"
                                   << "\"[::1]443\": expected ':PORT' after ']', "
                                      "not \"443\"";
    QTest::newRow("v4 in brackets") << "[127.0.0.1]:443"
                                    << "\"[127.0.0.1]:443\": \"127.0.0.1\" is not an IPv6 address";
    QTest::newRow("v6 empty port") << "[::1]:"
                                   << "\"[::1]:\": the port after ':' is empty";
    QTest::newRow("bad v6") << "[2001:db8::zz]:443"
                            << "\"[2001:db8::zz]:443\": \"2001:db8::zz\" is not an IPv6 address";
    QTest::newRow("short v4") << "10.1:443"
                              << "\"10.1:443\": \"10.1\" is not an IPv4 address";
    QTest::newRow("bare number") << "443"
                                 << "\"443\": \"443\" is not an IPv4 address";
    QTest::newRow("v4 octet") << "1.2.3.256"
                              << "\"1.2.3.256\": \"1.2.3.256\" is not an IPv4 "
                                 "address";
    QTest::newRow("wildcard") << "*.example.com:443"
                              << "\"*.example.com:443\": \"*.example.com\" is a wildcard, not a "
                                 "host";
    QTest::newRow("slash") << "example.com/path"
                           << "\"example.com/path\": \"example.com/path\" is not a valid host "
                              "name";
    QTest::newRow("empty label") << "a..b"
                                 << "\"a..b\": \"a..b\" is not a valid host name";
    QTest::newRow("dash edge") << "-a.example"
                               << "\"-a.example\": \"-a.example\" is not a valid "
                                  "host name";
    QTest::newRow("label 64") << QString(64, u'a') + QStringLiteral(".example")
                              << "\"" + QString(64, u'a') + ".example\": \"" + QString(64, u'a') +
                                     ".example\" is not a valid host name";
    QTest::newRow("only dot") << "."
                              << "\".\": \".\" is not a valid host name";
    QTest::newRow("scheme") << "https://example.com"
                            << "\"https://example.com\": a URL, not HOST[:PORT]";
}

void TestHostPort::refuses()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const auto hp = parseHostPort(text, 443);
    QVERIFY2(!hp.has_value(), qPrintable(hp ? hp->authority() : QString()));
    QCOMPARE(hp.error().code, ErrorCode::InvalidInput);
    QCOMPARE(hp.error().message, message);
}

void TestHostPort::hostNames_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host"); // empty: refused
    QTest::newRow("name") << "Api.Example.com"
                          << "api.example.com";
    QTest::newRow("IDN") << QStringLiteral("bücher.example") << "xn--bcher-kva.example";
    QTest::newRow("v4") << "192.0.2.1"
                        << "192.0.2.1";
    QTest::newRow("v6") << "2001:db8::1"
                        << "2001:db8::1";
    QTest::newRow("with port") << "api.example.com:443"
                               << "";
    QTest::newRow("v6 with port") << "[2001:db8::1]:443"
                                  << "";
    QTest::newRow("spaces") << "api example"
                            << "";
    QTest::newRow("empty") << ""
                           << "";
}

void TestHostPort::hostNames()
{
    QFETCH(QString, text);
    QFETCH(QString, host);
    const auto h = parseHostName(text);
    if (host.isEmpty()) {
        QVERIFY(!h.has_value());
        QVERIFY2(h.error().message.startsWith(u'"' + text + u'"'), qPrintable(h.error().message));
    } else {
        QVERIFY2(h.has_value(), qPrintable(h ? QString() : h.error().message));
        QCOMPARE(*h, host);
    }
}

QTEST_GUILESS_MAIN(TestHostPort)
#include "test_hostport.moc"
