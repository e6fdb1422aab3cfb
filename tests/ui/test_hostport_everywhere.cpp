// SPDX-License-Identifier: GPL-3.0-or-later
// The same HOST[:PORT] text typed into every front-end that takes one gives
// the same endpoint or the same refusal: `certdeckctl probe` (argument
// parsing), `certdeckctl fleet add`, the console's endpoint dialog
// (offscreen) and the host-list importer. Each row also pins what that
// answer is, so a front-end that drifts and a parser that changes both fail.
#include "CtlRun.h"
#include "inventory/import/HostListImporter.h"
#include "ui/fleet/EndpointDialog.h"

#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::ui;

namespace {

/// What a front-end made of the text: an endpoint, or the parser's words.
struct Outcome
{
    QString host;
    int port = 0;
    QString error; ///< the message without the front-end's own prefix

    bool operator==(const Outcome&) const = default;
    [[nodiscard]] QString toString() const
    {
        return error.isEmpty() ? QStringLiteral("%1 port %2").arg(host).arg(port)
                               : QStringLiteral("error: %1").arg(error);
    }
};

/// The message certdeckctl printed as "certdeckctl: MESSAGE" on stderr.
QString cliMessage(const QString& err)
{
    const QString first = err.section(u'\n', 0, 0);
    return first.startsWith(QLatin1String("certdeckctl: ")) ? first.mid(13) : err;
}

} // namespace

class TestHostPortEverywhere : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void sameAnswerEverywhere_data();
    void sameAnswerEverywhere();

private:
    Outcome probeArgument(const QString& text);
    Outcome fleetAdd(const QString& text);
    static Outcome endpointDialog(const QString& text);
    static Outcome hostList(const QString& text);

    QTemporaryDir m_tmp;
    int m_stores = 0;
};

void TestHostPortEverywhere::initTestCase()
{
    QVERIFY2(QFile::exists(test::certdeckctlPath()), "CERTDECKCTL must name the built certdeckctl");
    QVERIFY(m_tmp.isValid());
}

Outcome TestHostPortEverywhere::probeArgument(const QString& text)
{
    // --timeout 0 is refused right after the endpoint is read: an endpoint
    // that parses ends there, so nothing is resolved or connected to.
    const test::CtlTextRun r = test::runCtlText(
        {QStringLiteral("probe"), text, QStringLiteral("--timeout"), QStringLiteral("0")}, {},
        30000);
    const QString message = cliMessage(r.err);
    if (message.startsWith(QLatin1String("--timeout"))) {
        return Outcome{QStringLiteral("(accepted)"), 0, {}};
    }
    return Outcome{{}, 0, r.code == 3 ? message : QStringLiteral("exit %1").arg(r.code)};
}

Outcome TestHostPortEverywhere::fleetAdd(const QString& text)
{
    // A store per call: the IDN rows name one endpoint twice.
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"),
               m_tmp.filePath(QStringLiteral("fleet%1.sqlite").arg(++m_stores)));
    const test::CtlRun r = test::runCtl(
        {QStringLiteral("fleet"), QStringLiteral("add"), text, QStringLiteral("--json")}, env,
        30000);
    if (r.code != 0) {
        return Outcome{{}, 0, cliMessage(QString::fromUtf8(r.err))};
    }
    const QJsonObject e = r.json().value(QStringLiteral("endpoint")).toObject();
    return Outcome{
        e.value(QStringLiteral("host")).toString(), e.value(QStringLiteral("port")).toInt(), {}};
}

Outcome TestHostPortEverywhere::endpointDialog(const QString& text)
{
    EndpointDialog d(inventory::Endpoint{});
    d.findChild<QLineEdit*>(QStringLiteral("host"))->setText(text);
    d.accept();
    if (d.result() != QDialog::Accepted) {
        const QString shown = d.findChild<QLabel*>(QStringLiteral("endpointError"))->text();
        const QString prefix = QStringLiteral("ERROR: host ");
        return Outcome{{}, 0, shown.startsWith(prefix) ? shown.mid(prefix.size()) : shown};
    }
    const inventory::Endpoint e = d.endpoint();
    return Outcome{e.host, e.port, {}};
}

Outcome TestHostPortEverywhere::hostList(const QString& text)
{
    const auto plan =
        inventory::HostListImporter::parse(text.toUtf8() + '\n', QStringLiteral("hosts.txt"));
    if (!plan) {
        const QString prefix = QStringLiteral("hosts.txt line 1: ");
        const QString m = plan.error().message;
        return Outcome{{}, 0, m.startsWith(prefix) ? m.mid(prefix.size()) : m};
    }
    if (plan->endpoints.size() != 1) {
        return Outcome{{}, 0, QStringLiteral("%1 endpoints").arg(plan->endpoints.size())};
    }
    return Outcome{plan->endpoints.first().host, plan->endpoints.first().port, {}};
}

void TestHostPortEverywhere::sameAnswerEverywhere_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host"); // empty: refused
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("error");

    QTest::newRow("name") << "api.example.com"
                          << "api.example.com" << 443 << "";
    QTest::newRow("name:port") << "api.example.com:8443"
                               << "api.example.com" << 8443 << "";
    QTest::newRow("case and root dot") << "API.Example.COM.:8443"
                                       << "api.example.com" << 8443 << "";
    QTest::newRow("IPv4:port") << "127.0.0.1:8443"
                               << "127.0.0.1" << 8443 << "";
    QTest::newRow("[::1]:443") << "[::1]:443"
                               << "::1" << 443 << "";
    QTest::newRow("::1 bare") << "::1"
                              << "::1" << 443 << "";
    QTest::newRow("[v6] no port") << "[2001:db8::1]"
                                  << "2001:db8::1" << 443 << "";
    QTest::newRow("IDN Unicode") << QStringLiteral("bücher.example:443") << "xn--bcher-kva.example"
                                 << 443 << "";
    QTest::newRow("IDN punycode") << "xn--bcher-kva.example:8443"
                                  << "xn--bcher-kva.example" << 8443 << "";

    QTest::newRow("host:") << "host:"
                           << "" << 0 << "\"host:\": the port after ':' is empty";
    QTest::newRow(":443") << ":443"
                          << "" << 0 << "\":443\": the host is empty";
    QTest::newRow("port 0") << "api.example.com:0"
                            << "" << 0 << "\"api.example.com:0\": port 0 is out of range (1-65535)";
    QTest::newRow("port 70000") << "api.example.com:70000"
                                << "" << 0
                                << "\"api.example.com:70000\": port 70000 is out of range "
                                   "(1-65535)";
    QTest::newRow("port name") << "api.example.com:https"
                               << "" << 0
                               << "\"api.example.com:https\": port \"https\" is not a number";
    QTest::newRow("a:b:c") << "a:b:c"
                           << "" << 0
                           << "\"a:b:c\": neither HOST:PORT nor an IPv6 address (write "
                              "[ADDRESS]:PORT for IPv6 with a port)";
    QTest::newRow("[::1 unclosed") << "[::1"
                                   << "" << 0 << "\"[::1\": the IPv6 address has no closing ']'";
    QTest::newRow("[name]") << "[example.com]:443"
                            << "" << 0
                            << "\"[example.com]:443\": \"example.com\" is not an IPv6 address";
    QTest::newRow("wildcard") << "*.example.com:443"
                              << "" << 0
                              << "\"*.example.com:443\": \"*.example.com\" is a wildcard, not a "
                                 "host";
    QTest::newRow("IPv4 shorthand") << "10.1:443"
                                    << "" << 0 << "\"10.1:443\": \"10.1\" is not an IPv4 address";
    QTest::newRow("bad name") << "bad!host:443"
                              << "" << 0
                              << "\"bad!host:443\": \"bad!host\" is not a valid host name";
    QTest::newRow("spaces") << "this is : not : a host"
                            << "" << 0
                            << "\"this is : not : a host\": a host and port hold no spaces";
}

void TestHostPortEverywhere::sameAnswerEverywhere()
{
    QFETCH(QString, text);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, error);
    const Outcome expected = host.isEmpty() ? Outcome{{}, 0, error} : Outcome{host, port, {}};

    const Outcome added = fleetAdd(text);
    QVERIFY2(added == expected, qPrintable(QStringLiteral("fleet add: ") + added.toString()));
    const Outcome dialog = endpointDialog(text);
    QVERIFY2(dialog == expected, qPrintable(QStringLiteral("dialog: ") + dialog.toString()));
    const Outcome imported = hostList(text);
    QVERIFY2(imported == expected, qPrintable(QStringLiteral("host list: ") + imported.toString()));
    // probe stops before any connection, so it shows acceptance, not the endpoint.
    const Outcome probed = probeArgument(text);
    const Outcome probeExpected =
        host.isEmpty() ? expected : Outcome{QStringLiteral("(accepted)"), 0, {}};
    QVERIFY2(probed == probeExpected, qPrintable(QStringLiteral("probe: ") + probed.toString()));
}

QTEST_MAIN(TestHostPortEverywhere)
#include "test_hostport_everywhere.moc"
