// SPDX-License-Identifier: GPL-3.0-or-later
// Client profiles for the "no cipher overlap" finding: the built-in ones, the
// local OpenSSL's (checked against `openssl ciphers -s -V`, the same library
// asked through its own tool), and profile files with their errors.
#include "probe/scan/ClientProfiles.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;

class TestClientProfiles : public QObject
{
    Q_OBJECT
private slots:
    void builtinsAreComplete();
    void localOpensslMatchesTheOpensslTool();
    void fileProfileTakesEveryNameForm();
    void badFilesAreRefusedWithTheReason_data();
    void badFilesAreRefusedWithTheReason();
    void unknownNameListsTheBuiltins();
    void noOverlapIsACriticalFinding();
};

void TestClientProfiles::builtinsAreComplete()
{
    for (const QString& name : builtinClientProfileNames()) {
        auto p = builtinClientProfile(name);
        QVERIFY2(p.has_value(), qPrintable(p ? QString() : p.error().toString()));
        QVERIFY(!p->versions.isEmpty());
        QVERIFY(!p->suites.isEmpty());
    }
    auto modern = builtinClientProfile(QStringLiteral("mozilla-modern"));
    QCOMPARE(modern->versions, QList<TlsVersion>{TlsVersion::Tls13});
    QCOMPARE(QSet<quint16>(modern->suites.cbegin(), modern->suites.cend()),
             (QSet<quint16>{0x1301, 0x1302, 0x1303}));
    auto intermediate = builtinClientProfile(QStringLiteral("mozilla-intermediate"));
    QCOMPARE(intermediate->suites.size(), 12);
    QVERIFY(intermediate->suites.contains(0xC02F)); // ECDHE-RSA-AES128-GCM-SHA256
    QVERIFY(intermediate->suites.contains(0xCCAA)); // DHE-RSA-CHACHA20-POLY1305
}

void TestClientProfiles::localOpensslMatchesTheOpensslTool()
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("ciphers"), QStringLiteral("-s"), QStringLiteral("-V")});
    QVERIFY(openssl.waitForFinished(30000));
    QCOMPARE(openssl.exitCode(), 0);
    QSet<quint16> expected;
    static const QRegularExpression code(QStringLiteral("0x([0-9A-F]{2}),0x([0-9A-F]{2})"));
    for (const QString& line : QString::fromLatin1(openssl.readAllStandardOutput()).split(u'\n')) {
        const auto m = code.match(line);
        if (m.hasMatch()) {
            expected.insert(quint16((m.captured(1) + m.captured(2)).toUInt(nullptr, 16)));
        }
    }
    QVERIFY(expected.size() > 5);
    auto p = builtinClientProfile(QStringLiteral("local-openssl"));
    QVERIFY(p.has_value());
    QCOMPARE(QSet<quint16>(p->suites.cbegin(), p->suites.cend()), expected);
    QVERIFY(p->versions.contains(TlsVersion::Tls13));
    QVERIFY2(p->name.contains(QLatin1String("OpenSSL 3")), qPrintable(p->name));
}

void TestClientProfiles::fileProfileTakesEveryNameForm()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("terminal.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "Payment terminal fw 3.2", "versions": ["TLSv1.1", "tlsv1.2"],
                "suites": ["ECDHE-RSA-AES128-SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", "0x009c",
                           "AES128-SHA"]})");
    f.close();
    auto p = loadClientProfile(path);
    QVERIFY2(p.has_value(), qPrintable(p ? QString() : p.error().toString()));
    QCOMPARE(p->name, QStringLiteral("Payment terminal fw 3.2"));
    QCOMPARE(p->versions, (QList<TlsVersion>{TlsVersion::Tls11, TlsVersion::Tls12}));
    // AES128-SHA is TLS_RSA_WITH_AES_128_CBC_SHA again: listed once.
    QCOMPARE(p->suites, (QList<quint16>{0xC027, 0x002F, 0x009C}));
}

void TestClientProfiles::badFilesAreRefusedWithTheReason_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not json") << QByteArray("name: x") << QStringLiteral("x.json: not JSON");
    QTest::newRow("array") << QByteArray("[]") << QStringLiteral("is a JSON object");
    QTest::newRow("no name") << QByteArray(R"({"versions":["TLSv1.2"],"suites":["AES128-SHA"]})")
                             << QStringLiteral("has no name");
    QTest::newRow("no versions") << QByteArray(R"({"name":"a","suites":["AES128-SHA"]})")
                                 << QStringLiteral("'versions' must list");
    QTest::newRow("bad version")
        << QByteArray(R"({"name":"a","versions":["TLSv2"],"suites":["AES128-SHA"]})")
        << QStringLiteral("'TLSv2' is not a protocol version");
    QTest::newRow("no suites") << QByteArray(R"({"name":"a","versions":["TLSv1.2"],"suites":[]})")
                               << QStringLiteral("'suites' must list");
    QTest::newRow("bad suite")
        << QByteArray(R"({"name":"a","versions":["TLSv1.2"],"suites":["FOO-BAR"]})")
        << QStringLiteral("suite 'FOO-BAR' is neither an IANA nor an OpenSSL name");
    QTest::newRow("bad code") << QByteArray(
                                     R"({"name":"a","versions":["TLSv1.2"],"suites":["0xZZ"]})")
                              << QStringLiteral("suite '0xZZ'");
}

void TestClientProfiles::badFilesAreRefusedWithTheReason()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    auto p = parseClientProfile(json, QStringLiteral("x.json"));
    QVERIFY(!p.has_value());
    QCOMPARE(p.error().code, ErrorCode::InvalidInput);
    QVERIFY2(p.error().message.contains(expected), qPrintable(p.error().message));
    QVERIFY2(p.error().message.startsWith(QLatin1String("x.json: ")),
             qPrintable(p.error().message));
}

void TestClientProfiles::unknownNameListsTheBuiltins()
{
    auto p = loadClientProfile(QStringLiteral("java-1.4"));
    QVERIFY(!p.has_value());
    QCOMPARE(p.error().code, ErrorCode::NotFound);
    QVERIFY2(p.error().message.contains(QLatin1String("mozilla-modern, mozilla-intermediate, "
                                                      "local-openssl")),
             qPrintable(p.error().message));
}

void TestClientProfiles::noOverlapIsACriticalFinding()
{
    // A TLS 1.2-only server with one CBC suite, and the modern client.
    ProbeResult r;
    r.host = QStringLiteral("legacy.example");
    r.port = 443;
    r.reachable = true;
    ProtocolProbe p12;
    p12.version = TlsVersion::Tls12;
    p12.tested = p12.accepted = true;
    p12.suites = {0xC013};
    r.protocols = {p12};
    FindingInputs in;
    in.probe = &r;
    in.client = *builtinClientProfile(QStringLiteral("mozilla-modern"));
    const QList<Finding> findings = assessEndpoint(in);
    const auto it = std::find_if(findings.cbegin(), findings.cend(), [](const Finding& f) {
        return f.code == QLatin1String("client.no-overlap");
    });
    QVERIFY(it != findings.cend());
    QCOMPARE(it->severity, FindingSeverity::Critical);
    QVERIFY2(it->title.startsWith(QLatin1String("Mozilla modern client cannot connect")),
             qPrintable(it->title));
    // The intermediate client speaks TLS 1.2 but not that suite either; with
    // ECDHE-RSA-AES128-GCM-SHA256 added, it connects.
    p12.suites << 0xC02F;
    r.protocols = {p12};
    in.client = *builtinClientProfile(QStringLiteral("mozilla-intermediate"));
    const QList<Finding> after = assessEndpoint(in);
    QVERIFY(std::none_of(after.cbegin(), after.cend(), [](const Finding& f) {
        return f.code == QLatin1String("client.no-overlap");
    }));
}

QTEST_GUILESS_MAIN(TestClientProfiles)
#include "test_clientprofiles.moc"
