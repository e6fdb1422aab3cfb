// SPDX-License-Identifier: GPL-3.0-or-later
// One endpoint, one answer: for each kind of broken (and one healthy)
// endpoint served by a real nginx, `certdeckctl probe`, `scan`,
// `scan --inspect` and the probe history record give the same verdict, the
// same grade cap and the exit code of that verdict; --json's "verdict"
// equals the exit code's word. The chain oracle is `openssl verify`.
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "inventory/Store.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <memory>

using namespace certdeck;
using namespace certdeck::test;

namespace {

struct Case
{
    QString name;
    QString serverTls;  ///< nginx TLS directives
    bool bundle = true; ///< the endpoint has the test PKI's root as its trust bundle
    QString verdict;    ///< ok, warning, unknown, critical
    int exitCode = 0;
    QString finding; ///< a finding code that must be there (empty: none needed)
    QString gradeCap;
};

} // namespace

class TestVerdictEverywhere : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void sameAnswerEverywhere_data();
    void sameAnswerEverywhere();
    void scanExitsWithTheWorst();
    void caFileOverridesTheBundle();

private:
    struct Run
    {
        int code = -1;
        QString out;
        QString err;
    };
    Run ctl(const QStringList& args) const;
    [[nodiscard]] QString openssl(const QStringList& args) const;

    QString m_ctl;
    QString m_db;
    FixtureDir m_dir;
    TestPki m_pki;
    QList<Case> m_cases;
    QHash<QString, std::shared_ptr<NginxFixture>> m_servers;
    QHash<QString, qint64> m_endpoints;
};

TestVerdictEverywhere::Run TestVerdictEverywhere::ctl(const QStringList& args) const
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CERTDECK_DB"), m_db);
    p.setProcessEnvironment(env);
    QSignalSpy done(&p, &QProcess::finished);
    p.start(m_ctl, args);
    Run r;
    if (!p.waitForStarted(10000) || !done.wait(120000) || p.exitStatus() != QProcess::NormalExit) {
        return r;
    }
    r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString TestVerdictEverywhere::openssl(const QStringList& args) const
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    p.waitForFinished(30000);
    return QString::fromUtf8(p.readAll());
}

void TestVerdictEverywhere::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(!m_ctl.isEmpty(), "CERTDECKCTL is not set");
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec soon;
    soon.name = QStringLiteral("soon");
    soon.notAfter = QDateTime::currentDateTimeUtc().addDays(10);
    const TestPki::Leaf expiring = m_pki.issue(soon);
    QVERIFY(!expiring.name.isEmpty());

    // A self-signed certificate for 127.0.0.1, made by the openssl CLI.
    const QString selfKey = m_dir.filePath(QStringLiteral("self.key"));
    const QString selfCert = m_dir.filePath(QStringLiteral("self.pem"));
    const QString made =
        openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                 QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                 QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                 QStringLiteral("-keyout"), selfKey, QStringLiteral("-out"), selfCert,
                 QStringLiteral("-days"), QStringLiteral("30"), QStringLiteral("-subj"),
                 QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                 QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1")});
    QVERIFY2(QFile::exists(selfCert), qPrintable(made));

    // The chain oracle: openssl verify agrees with the rows below.
    const QString root = m_pki.rootCert;
    const QString inter = m_pki.intermediateCert;
    QVERIFY(openssl({QStringLiteral("verify"), QStringLiteral("-CAfile"), root,
                     QStringLiteral("-untrusted"), inter, m_pki.good.cert})
                .contains(QLatin1String(": OK")));
    QVERIFY(openssl({QStringLiteral("verify"), QStringLiteral("-CAfile"), root,
                     QStringLiteral("-untrusted"), inter, m_pki.expired.cert})
                .contains(QLatin1String("certificate has expired")));
    QVERIFY(!openssl({QStringLiteral("verify"), QStringLiteral("-CAfile"), root, m_pki.good.cert})
                 .contains(QLatin1String(": OK")));

    const auto tls = [](const TestPki::Leaf& leaf, bool full = true) {
        return QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                              "ssl_protocols TLSv1.2 TLSv1.3;\nssl_ciphers ECDHE+AESGCM;\n")
            .arg(full ? leaf.fullchain : leaf.cert, leaf.key);
    };
    const QString selfTls = QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                           "ssl_protocols TLSv1.2 TLSv1.3;\n")
                                .arg(selfCert, selfKey);
    m_cases = {
        {QStringLiteral("healthy"),
         tls(m_pki.good),
         true,
         QStringLiteral("ok"),
         0,
         {},
         QStringLiteral("A")},
        {QStringLiteral("expiring"), tls(expiring), true, QStringLiteral("warning"), 1,
         QStringLiteral("cert.expiring"), QStringLiteral("A")},
        {QStringLiteral("expired leaf"), tls(m_pki.expired), true, QStringLiteral("critical"), 2,
         QStringLiteral("cert.expired"), QStringLiteral("F")},
        {QStringLiteral("not yet valid"), tls(m_pki.notYetValid), true, QStringLiteral("critical"),
         2, QStringLiteral("cert.not-yet-valid"), QStringLiteral("F")},
        {QStringLiteral("missing intermediate"), tls(m_pki.good, false), true,
         QStringLiteral("critical"), 2, QStringLiteral("chain.incomplete"), QStringLiteral("F")},
        {QStringLiteral("wrong host"), tls(m_pki.wrongHost), true, QStringLiteral("critical"), 2,
         QStringLiteral("cert.hostname-mismatch"), QStringLiteral("F")},
        {QStringLiteral("self-signed"), selfTls, true, QStringLiteral("critical"), 2,
         QStringLiteral("chain.untrusted"), QStringLiteral("F")},
        {QStringLiteral("internal CA without its bundle"), tls(m_pki.good), false,
         QStringLiteral("critical"), 2, QStringLiteral("chain.untrusted"), QStringLiteral("F")},
        {QStringLiteral("weak suite"),
         QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                        "ssl_protocols TLSv1.2 TLSv1.3;\n"
                        "ssl_ciphers 'ECDHE-ECDSA-AES128-GCM-SHA256:AES128-GCM-SHA256:"
                        "@SECLEVEL=0';\n")
             .arg(m_pki.good.fullchain, m_pki.good.key),
         true, QStringLiteral("warning"), 1, QStringLiteral("cipher.no-forward-secrecy"),
         QStringLiteral("B")},
    };
    // The test PKI is ECDSA: the RSA static suite above is not served, so
    // the weak row gets its no-forward-secrecy suite from an RSA leaf.
    TestPki rsa;
    TestPki::Options ro;
    ro.keyType = TestPki::KeyType::Rsa2048;
    const QString rsaDir = m_dir.filePath(QStringLiteral("rsa"));
    QVERIFY(QDir().mkpath(rsaDir));
    QVERIFY2(rsa.create(rsaDir, ro), qPrintable(rsa.errorString()));
    TestPki::LeafSpec rs;
    rs.name = QStringLiteral("rsa-good");
    const TestPki::Leaf rsaLeaf = rsa.issue(rs);
    QVERIFY(!rsaLeaf.name.isEmpty());
    m_cases.last().serverTls =
        QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                       "ssl_protocols TLSv1.2 TLSv1.3;\n"
                       "ssl_ciphers 'ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256';\n")
            .arg(rsaLeaf.fullchain, rsaLeaf.key);

    m_db = m_dir.filePath(QStringLiteral("verdicts.sqlite"));
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY2(store, store ? "" : qPrintable(store.error().toString()));
    QFile rootFile(root);
    QVERIFY(rootFile.open(QIODevice::ReadOnly));
    QFile rsaRoot(rsa.rootCert);
    QVERIFY(rsaRoot.open(QIODevice::ReadOnly));
    auto bundle = (*store)->addTrustBundle(QStringLiteral("test-pki"),
                                           rootFile.readAll() + "\n" + rsaRoot.readAll());
    QVERIFY2(bundle, bundle ? "" : qPrintable(bundle.error().toString()));

    for (const Case& c : std::as_const(m_cases)) {
        auto server = std::make_shared<NginxFixture>();
        QVERIFY2(server->start(c.serverTls), qPrintable(c.name + u' ' + server->errorString()));
        m_servers.insert(c.name, server);
        inventory::Endpoint e;
        e.host = QStringLiteral("127.0.0.1");
        e.port = server->port();
        e.group = QStringLiteral("verdicts");
        if (c.bundle) {
            e.trustBundleId = bundle->id;
        }
        auto added = (*store)->addEndpoint(e);
        QVERIFY2(added, added ? "" : qPrintable(added.error().toString()));
        m_endpoints.insert(c.name, added->id);
    }
}

void TestVerdictEverywhere::sameAnswerEverywhere_data()
{
    QTest::addColumn<int>("index");
    for (qsizetype i = 0; i < m_cases.size(); ++i) {
        QTest::newRow(qPrintable(m_cases.at(i).name)) << int(i);
    }
}

void TestVerdictEverywhere::sameAnswerEverywhere()
{
    QFETCH(int, index);
    const Case& c = m_cases.at(index);
    const quint16 port = m_servers.value(c.name)->port();
    const QString where = QStringLiteral("127.0.0.1:%1").arg(port);

    const auto check = [&](const QJsonObject& o, const QString& via) {
        QCOMPARE(o.value(QStringLiteral("verdict")).toString(), c.verdict);
        QStringList codes;
        for (const QJsonValue& f : o.value(QStringLiteral("findings")).toArray()) {
            codes << f.toObject().value(QStringLiteral("code")).toString();
        }
        if (!c.finding.isEmpty()) {
            QVERIFY2(codes.contains(c.finding), qPrintable(via + u' ' + codes.join(u',')));
        }
        const QString grade = o.value(QStringLiteral("grade")).toString();
        QVERIFY2(grade.startsWith(c.gradeCap),
                 qPrintable(via + QStringLiteral(": grade ") + grade));
        if (c.verdict == QLatin1String("critical")) {
            QCOMPARE(grade, QStringLiteral("F"));
        }
    };

    // certdeckctl probe, text: the exit code and the verdict line.
    const Run text = ctl({QStringLiteral("probe"), where, QStringLiteral("--no-inspect")});
    QCOMPARE(text.code, c.exitCode);
    QVERIFY2(text.out.contains(QStringLiteral("\nVerdict      %1").arg(c.verdict.toUpper())),
             qPrintable(text.out));

    // certdeckctl probe --json: the verdict word equals the exit code's.
    const Run probe = ctl({QStringLiteral("probe"), where, QStringLiteral("--json")});
    QCOMPARE(probe.code, c.exitCode);
    const QJsonObject pj = QJsonDocument::fromJson(probe.out.toUtf8()).object();
    check(pj, QStringLiteral("probe"));

    // certdeckctl scan, with and without --inspect, of that endpoint alone:
    // the line, the exit code, the JSON and the history record.
    for (const bool inspect : {false, true}) {
        QStringList args = {QStringLiteral("scan"), QStringLiteral("--json")};
        if (inspect) {
            args << QStringLiteral("--inspect");
        }
        // A group of one, so the exit code is this endpoint's.
        auto store = inventory::Store::openSqlite(m_db);
        QVERIFY(store);
        auto e = (*store)->endpoint(m_endpoints.value(c.name));
        QVERIFY(e);
        inventory::Endpoint alone = *e;
        alone.group = QStringLiteral("only-%1").arg(index);
        QVERIFY((*store)->updateEndpoint(alone));
        store->reset();
        args << QStringLiteral("--group") << alone.group;
        const Run scan = ctl(args);
        QCOMPARE(scan.code, c.exitCode);
        const QJsonObject sj = QJsonDocument::fromJson(scan.out.toUtf8()).object();
        QCOMPARE(sj.value(QStringLiteral("verdict")).toString(), c.verdict);
        const QJsonArray endpoints = sj.value(QStringLiteral("endpoints")).toArray();
        QCOMPARE(endpoints.size(), 1);
        check(endpoints.first().toObject(),
              inspect ? QStringLiteral("scan --inspect") : QStringLiteral("scan"));

        const Run line = ctl({QStringLiteral("scan"), QStringLiteral("--group"), alone.group,
                              QStringLiteral("--no-record")});
        QCOMPARE(line.code, c.exitCode);
        QVERIFY2(line.out.startsWith(QStringLiteral("%1 %2 - ").arg(c.verdict.toUpper(), where)),
                 qPrintable(line.out));

        auto again = inventory::Store::openSqlite(m_db);
        QVERIFY(again);
        auto history = (*again)->probes(m_endpoints.value(c.name), 1);
        QVERIFY(history && !history->isEmpty());
        QCOMPARE(history->first().status, c.verdict);
        check(QJsonDocument::fromJson(history->first().reportJson).object(),
              QStringLiteral("history"));
        auto back = (*again)->endpoint(m_endpoints.value(c.name));
        QVERIFY(back);
        back->group = QStringLiteral("verdicts");
        QVERIFY((*again)->updateEndpoint(*back));
    }
}

void TestVerdictEverywhere::scanExitsWithTheWorst()
{
    const Run r = ctl({QStringLiteral("scan"), QStringLiteral("--group"),
                       QStringLiteral("verdicts"), QStringLiteral("--no-record")});
    QCOMPARE(r.code, 2);
    QCOMPARE(r.out.count(u'\n'), m_cases.size());
    QVERIFY2(r.out.contains(QStringLiteral("OK 127.0.0.1:%1 - ")
                                .arg(m_servers.value(QStringLiteral("healthy"))->port())),
             qPrintable(r.out));
}

void TestVerdictEverywhere::caFileOverridesTheBundle()
{
    // The endpoint without a bundle is trusted once its CA is named...
    const QString where =
        QStringLiteral("127.0.0.1:%1")
            .arg(m_servers.value(QStringLiteral("internal CA without its bundle"))->port());
    const Run withCa = ctl({QStringLiteral("probe"), where, QStringLiteral("--no-inspect"),
                            QStringLiteral("--ca-file"), m_pki.rootCert});
    QCOMPARE(withCa.code, 0);
    QVERIFY2(withCa.out.contains(QStringLiteral("Trust        --ca-file ")),
             qPrintable(withCa.out));
    // ...and a file that holds no certificate is refused before any probe.
    const QString junk = m_dir.filePath(QStringLiteral("junk.pem"));
    QFile f(junk);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    f.close();
    const Run bad = ctl({QStringLiteral("probe"), where, QStringLiteral("--ca-file"), junk});
    QCOMPARE(bad.code, 3);
    QVERIFY2(bad.err.contains(junk), qPrintable(bad.err));
}

QTEST_GUILESS_MAIN(TestVerdictEverywhere)
#include "test_verdict_everywhere.moc"
