// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl scan against real peers: a clean nginx, a legacy one and a
// refused port in one inventory give one line each and the worst exit code;
// every result lands in the endpoint's probe history; --group limits the
// scan; the per-host bound holds, counted by the server itself.
#include "CtlRun.h"
#include "HostileTlsServer.h"
#include "MultiNodeFixture.h"
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "inventory/Store.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;

class TestScanCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void worstVerdictAndHistory();
    void groupLimitsTheScan();
    void perHostBoundHolds();
    void usage();
    void everyNodeOfAName();
    void inspectJoinsTheHistory();
    void criticalFindingMakesTheEndpointCritical();

private:
    using Run = certdeck::test::CtlTextRun;
    Run ctl(const QStringList& args);
    qint64 add(const QString& host, quint16 port, const QString& sni, const QString& group);

    QString m_ctl;
    QString m_db;
    FixtureDir m_pkiDir;
    TestPki m_pki;
    NginxFixture m_modern;
    NginxFixture m_legacy;
    MultiNodeFixture m_nodes;
    int m_counter = 0;
};

TestScanCommand::Run TestScanCommand::ctl(const QStringList& args)
{
    // The in-process hostile server answers while runCtl runs the event loop.
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"), m_db);
    return certdeck::test::runCtlText(args, env);
}

qint64 TestScanCommand::add(const QString& host, quint16 port, const QString& sni,
                            const QString& group)
{
    auto store = inventory::Store::openSqlite(m_db);
    if (!store) {
        return 0;
    }
    // The fixtures serve the test PKI: its root is the endpoints' trust
    // bundle, as an internal CA's would be.
    auto bundle = (*store)->trustBundles().get(QStringLiteral("test-pki"));
    if (!bundle) {
        QFile root(m_pki.rootCert);
        if (!root.open(QIODevice::ReadOnly)) {
            return 0;
        }
        bundle = (*store)->trustBundles().add(QStringLiteral("test-pki"), root.readAll());
        if (!bundle) {
            return 0;
        }
    }
    inventory::Endpoint e;
    e.host = host;
    e.port = port;
    e.sniName = sni;
    e.group = group;
    e.trustBundleId = bundle->id;
    auto added = (*store)->endpoints().add(e);
    return added ? added->id : 0;
}

void TestScanCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(!m_ctl.isEmpty(), "CERTDECKCTL is not set");
    TestPki::Options opt;
    opt.keyType = TestPki::KeyType::Rsa2048;
    QVERIFY2(m_pki.create(m_pkiDir.path(), opt), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    const QString cert = QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n")
                             .arg(m_pki.good.fullchain, m_pki.good.key);
    QVERIFY2(m_modern.start(cert + QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n"
                                                  "ssl_ciphers ECDHE+AESGCM;\n")),
             qPrintable(m_modern.errorString()));
    QVERIFY2(m_legacy.start(cert + QStringLiteral("ssl_protocols TLSv1 TLSv1.2;\n"
                                                  "ssl_ciphers 'AES128-SHA:ECDHE-RSA-AES128-GCM-"
                                                  "SHA256:@SECLEVEL=0';\n")),
             qPrintable(m_legacy.errorString()));
    QVERIFY2(m_nodes.start(m_pki), qPrintable(m_nodes.errorString()));
}

void TestScanCommand::init()
{
    m_db = m_pkiDir.filePath(QStringLiteral("scan%1.sqlite").arg(++m_counter));
}

void TestScanCommand::worstVerdictAndHistory()
{
    const QString local = QStringLiteral("127.0.0.1");
    const qint64 modern =
        add(local, m_modern.port(), QStringLiteral("localhost"), QStringLiteral("web"));
    const qint64 legacy =
        add(local, m_legacy.port(), QStringLiteral("localhost"), QStringLiteral("web"));
    const quint16 closed = freeLoopbackPort();
    const qint64 refused = add(local, closed, QString(), QStringLiteral("batch"));
    QVERIFY(modern > 0 && legacy > 0 && refused > 0);

    const Run r =
        ctl({QStringLiteral("scan"), QStringLiteral("--timeout"), QStringLiteral("3000")});
    QCOMPARE(r.code, 2); // the refused port is the worst
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY2(
        lines.contains(
            QStringLiteral("OK 127.0.0.1:%1 - TLSv1.2, TLSv1.3 [grade A]").arg(m_modern.port())),
        qPrintable(r.out));
    QVERIFY2(r.out.contains(QRegularExpression(
                 QStringLiteral("WARNING 127.0.0.1:%1 - TLSv1.0 is enabled.* \\[grade B\\]\n")
                     .arg(m_legacy.port()))),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QRegularExpression(
                 QStringLiteral("CRITICAL 127.0.0.1:%1 - .* \\[grade F\\]\n").arg(closed))),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(
                 QStringLiteral("WARNING 127.0.0.1:%1 - TLSv1.0 is enabled").arg(m_legacy.port())),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("CRITICAL 127.0.0.1:%1 - refused").arg(closed)),
             qPrintable(r.out));
    QVERIFY2(r.err.contains(QLatin1String("scanned 3 endpoint(s)")), qPrintable(r.err));

    // The history: one probe per endpoint, its status and the full report.
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store.has_value());
    const QHash<qint64, QString> expected = {{modern, QStringLiteral("ok")},
                                             {legacy, QStringLiteral("warning")},
                                             {refused, QStringLiteral("critical")}};
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        auto probes = (*store)->probes().history(it.key());
        QVERIFY(probes.has_value());
        QCOMPARE(probes->size(), 1);
        QCOMPARE(probes->first().status, it.value());
        const QJsonObject report = QJsonDocument::fromJson(probes->first().reportJson).object();
        QCOMPARE(report.value(QStringLiteral("endpointId")).toInteger(), it.key());
        QCOMPARE(report.value(QStringLiteral("verdict")).toString(), it.value());
    }
    const auto legacyReport =
        QJsonDocument::fromJson((*store)->probes().history(legacy)->first().reportJson).object();
    QVERIFY(legacyReport.value(QStringLiteral("weaknesses"))
                .toArray()
                .contains(QStringLiteral("TLSv1.0 is enabled")));
    // The grade and the findings that led to it are in the history too.
    QCOMPARE((*store)->probes().history(legacy)->first().grade, QStringLiteral("B"));
    QCOMPARE(legacyReport.value(QStringLiteral("grade")).toString(), QStringLiteral("B"));
    QStringList codes;
    for (const QJsonValue& f : legacyReport.value(QStringLiteral("findings")).toArray()) {
        codes << f.toObject().value(QStringLiteral("code")).toString();
    }
    QVERIFY2(codes.contains(QStringLiteral("protocol.tls10")), qPrintable(codes.join(u',')));
    QCOMPARE((*store)->probes().history(refused)->first().grade, QStringLiteral("F"));
}

void TestScanCommand::groupLimitsTheScan()
{
    add(QStringLiteral("127.0.0.1"), m_modern.port(), QStringLiteral("localhost"),
        QStringLiteral("web"));
    add(QStringLiteral("127.0.0.1"), freeLoopbackPort(), QString(), QStringLiteral("batch"));
    Run r = ctl({QStringLiteral("scan"), QStringLiteral("--group"), QStringLiteral("web"),
                 QStringLiteral("--json"), QStringLiteral("--no-record")});
    QCOMPARE(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("endpoints")).toArray().size(), 1);
    QCOMPARE(o.value(QStringLiteral("verdict")).toString(), QStringLiteral("ok"));
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY((*store)->probes().latest()->isEmpty()); // --no-record

    r = ctl({QStringLiteral("scan"), QStringLiteral("--group"), QStringLiteral("nobody")});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QLatin1String("no endpoint to scan in group 'nobody'")),
             qPrintable(r.err));
}

void TestScanCommand::perHostBoundHolds()
{
    // Six names on one address that never answers: without the bound the
    // scan would open 6 x 4 connections to it at once.
    HostileTlsServer silent(HostileTlsServer::Mode::Silent);
    QVERIFY(silent.listen());
    for (int i = 0; i < 6; ++i) {
        QVERIFY(add(QStringLiteral("127.0.0.1"), silent.port(),
                    QStringLiteral("n%1.example.test").arg(i), QString()) > 0);
    }
    const Run r = ctl({QStringLiteral("scan"), QStringLiteral("--per-host"), QStringLiteral("2"),
                       QStringLiteral("--timeout"), QStringLiteral("300")});
    QCOMPARE(r.code, 2);
    QCOMPARE(r.out.count(QLatin1String("CRITICAL")), 6);
    QVERIFY2(r.out.contains(QLatin1String("timeout")), qPrintable(r.out));
    QVERIFY(silent.connections() >= 6);
    QVERIFY2(silent.peakOpen() <= 2, qPrintable(QString::number(silent.peakOpen())));
    QVERIFY2(r.err.contains(QLatin1String("at most 2 connection(s) open at once")),
             qPrintable(r.err));
}

void TestScanCommand::usage()
{
    for (const QStringList& bad :
         {QStringList{QStringLiteral("scan"), QStringLiteral("--concurrency"), QStringLiteral("0")},
          QStringList{QStringLiteral("scan"), QStringLiteral("--per-host"), QStringLiteral("x")},
          QStringList{QStringLiteral("scan"), QStringLiteral("extra")},
          QStringList{QStringLiteral("scan"), QStringLiteral("--resolver"),
                      QStringLiteral("dns.example")}}) {
        const Run r = ctl(bad);
        QCOMPARE(r.code, 3);
    }
    const Run help = ctl({QStringLiteral("scan"), QStringLiteral("--help")});
    QCOMPARE(help.code, 0);
    QVERIFY(help.out.contains(QLatin1String("Usage: certdeckctl scan")));
}

void TestScanCommand::everyNodeOfAName()
{
    const qint64 multi =
        add(QStringLiteral("multi.test"), m_nodes.port(), QStringLiteral("localhost"), {});
    const qint64 partial =
        add(QStringLiteral("partial.test"), m_nodes.port(), QStringLiteral("localhost"), {});
    QVERIFY(multi > 0 && partial > 0);
    const Run r = ctl({QStringLiteral("scan"), QStringLiteral("--resolver"), m_nodes.resolver()});
    QCOMPARE(r.code, 2); // a refusing node is critical
    QVERIFY2(r.out.contains(QStringLiteral("WARNING multi.test:%1 - nodes differ in protocols: "
                                           "TLSv1.2, TLSv1.3 on 127.0.0.1, ::1; TLSv1.3 on "
                                           "127.0.0.2")
                                .arg(m_nodes.port())),
             qPrintable(r.out));
    QVERIFY2(
        r.out.contains(
            QStringLiteral("CRITICAL partial.test:%1 - 127.0.0.3: refused").arg(m_nodes.port())),
        qPrintable(r.out));

    // One history record per endpoint, its nodes inside.
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store.has_value());
    auto probes = (*store)->probes().history(multi);
    QVERIFY(probes.has_value());
    QCOMPARE(probes->size(), 1);
    QCOMPARE(probes->first().status, QStringLiteral("warning"));
    const QJsonObject report = QJsonDocument::fromJson(probes->first().reportJson).object();
    QCOMPARE(report.value(QLatin1String("nodes")).toArray().size(), 3);
    QCOMPARE(report.value(QLatin1String("verdict")).toString(), QStringLiteral("warning"));
    QCOMPARE((*store)->probes().history(partial)->first().status, QStringLiteral("critical"));
}

// --inspect: each endpoint that answers is also inspected through OpenSSL
// handshakes; the history holds the inspection and its findings (no HSTS
// here), an unreachable endpoint none; without --inspect there is none.
void TestScanCommand::inspectJoinsTheHistory()
{
    const qint64 modern = add(QStringLiteral("127.0.0.1"), m_modern.port(),
                              QStringLiteral("localhost"), QStringLiteral("web"));
    const qint64 closed =
        add(QStringLiteral("127.0.0.1"), freeLoopbackPort(), QString(), QStringLiteral("web"));
    const Run r = ctl({QStringLiteral("scan"), QStringLiteral("--inspect"),
                       QStringLiteral("--timeout"), QStringLiteral("3000")});
    QVERIFY2(r.code == 2, qPrintable(r.out + r.err)); // the closed one
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store.has_value());
    const QJsonObject report =
        QJsonDocument::fromJson((*store)->probes().history(modern)->first().reportJson).object();
    const QJsonObject inspection = report.value(QStringLiteral("inspection")).toObject();
    QVERIFY2(inspection.value(QStringLiteral("handshake")).toBool(),
             qPrintable(QJsonDocument(inspection).toJson()));
    QCOMPARE(inspection.value(QStringLiteral("chain")).toArray().size(), 2);
    QStringList codes;
    for (const QJsonValue& f : report.value(QStringLiteral("findings")).toArray()) {
        codes << f.toObject().value(QStringLiteral("code")).toString();
    }
    QVERIFY2(codes.contains(QStringLiteral("hsts.missing")), qPrintable(codes.join(u',')));
    QVERIFY2(codes.contains(QStringLiteral("ocsp.no-staple")), qPrintable(codes.join(u',')));
    const QJsonObject down =
        QJsonDocument::fromJson((*store)->probes().history(closed)->first().reportJson).object();
    QVERIFY(!down.contains(QStringLiteral("inspection")));

    // Without --inspect the chain is still read (the verdict needs it), in
    // one handshake: no HTTP request, so no HSTS findings.
    const Run plain = ctl({QStringLiteral("scan"), QStringLiteral("--group"), QStringLiteral("web"),
                           QStringLiteral("--json"), QStringLiteral("--no-record")});
    const QJsonArray endpoints = QJsonDocument::fromJson(plain.out.toUtf8())
                                     .object()
                                     .value(QStringLiteral("endpoints"))
                                     .toArray();
    QCOMPARE(endpoints.size(), 2);
    for (const QJsonValue& e : endpoints) {
        const QJsonObject o = e.toObject();
        if (o.value(QStringLiteral("endpointId")).toInteger() != modern) {
            continue;
        }
        QCOMPARE(o.value(QStringLiteral("inspection"))
                     .toObject()
                     .value(QStringLiteral("chain"))
                     .toArray()
                     .size(),
                 2);
        QVERIFY(
            o.value(QStringLiteral("chain")).toObject().value(QStringLiteral("trusted")).toBool());
        QCOMPARE(o.value(QStringLiteral("verdict")).toString(), QStringLiteral("ok"));
        for (const QJsonValue& f : o.value(QStringLiteral("findings")).toArray()) {
            QVERIFY(!f.toObject()
                         .value(QStringLiteral("code"))
                         .toString()
                         .startsWith(QLatin1String("hsts.")));
        }
    }
}

// An endpoint whose handshakes all succeed but that accepts anonymous
// suites is critical on the line, in the exit code and in the history alike,
// and the line names the finding.
void TestScanCommand::criticalFindingMakesTheEndpointCritical()
{
    NginxFixture anon;
    QVERIFY2(anon.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                       "ssl_protocols TLSv1.2;\n"
                                       "ssl_ciphers 'ECDHE-RSA-AES128-GCM-SHA256:AECDH-AES128-SHA:"
                                       "@SECLEVEL=0';\n")
                            .arg(m_pki.good.fullchain, m_pki.good.key)),
             qPrintable(anon.errorString()));
    const qint64 id = add(QStringLiteral("127.0.0.1"), anon.port(), QStringLiteral("localhost"),
                          QStringLiteral("anon"));
    const Run r = ctl({QStringLiteral("scan"), QStringLiteral("--group"), QStringLiteral("anon")});
    QVERIFY2(r.code == 2, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QRegularExpression(
                 QStringLiteral("^CRITICAL 127\\.0\\.0\\.1:%1 - .*Insecure cipher suites are "
                                "accepted.* \\[grade F\\]$")
                     .arg(anon.port()),
                 QRegularExpression::MultilineOption)),
             qPrintable(r.out));
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store.has_value());
    QCOMPARE((*store)->probes().history(id)->first().status, QStringLiteral("critical"));
}

QTEST_GUILESS_MAIN(TestScanCommand)
#include "test_scan_command.moc"
