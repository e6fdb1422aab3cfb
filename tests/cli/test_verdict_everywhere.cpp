// SPDX-License-Identifier: GPL-3.0-or-later
// One endpoint, one answer: for each kind of broken (and one healthy)
// endpoint served by a real nginx, `certdeckctl probe`, `scan`,
// `scan --inspect` and the probe history record give the same verdict, the
// same grade cap and the exit code of that verdict; --json's "verdict"
// equals the exit code's word. The chain oracle is `openssl verify`.
#include "CtlRun.h"
#include "VerdictFixture.h"
#include "inventory/Store.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;

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
    using Run = certdeck::test::CtlTextRun;
    Run ctl(const QStringList& args) const;
    [[nodiscard]] QString openssl(const QStringList& args) const;

    QString m_ctl;
    QString m_db;
    VerdictFixture m_fixture;
    QHash<QString, qint64> m_endpoints;
};

TestVerdictEverywhere::Run TestVerdictEverywhere::ctl(const QStringList& args) const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"), m_db);
    return certdeck::test::runCtlText(args, env);
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
    QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));

    // The chain oracle: openssl verify agrees with the rows.
    const TestPki& pki = m_fixture.pki();
    QVERIFY(openssl({QStringLiteral("verify"), QStringLiteral("-CAfile"), pki.rootCert,
                     QStringLiteral("-untrusted"), pki.intermediateCert, pki.good.cert})
                .contains(QLatin1String(": OK")));
    QVERIFY(openssl({QStringLiteral("verify"), QStringLiteral("-CAfile"), pki.rootCert,
                     QStringLiteral("-untrusted"), pki.intermediateCert, pki.expired.cert})
                .contains(QLatin1String("certificate has expired")));
    QVERIFY(
        !openssl({QStringLiteral("verify"), QStringLiteral("-CAfile"), pki.rootCert, pki.good.cert})
             .contains(QLatin1String(": OK")));
    QVERIFY(
        !openssl({QStringLiteral("verify"), pki.good.fullchain}).contains(QLatin1String(": OK")));

    m_db = QDir(m_fixture.dir()).filePath(QStringLiteral("verdicts.sqlite"));
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY2(store, store ? "" : qPrintable(store.error().toString()));
    auto bundle = (*store)->trustBundles().add(QStringLiteral("test-pki"), m_fixture.rootsPem());
    QVERIFY2(bundle, bundle ? "" : qPrintable(bundle.error().toString()));
    for (const VerdictCase& c : m_fixture.cases()) {
        inventory::Endpoint e;
        e.host = QStringLiteral("127.0.0.1");
        e.port = c.port;
        e.group = QStringLiteral("verdicts");
        if (c.bundle) {
            e.trustBundleId = bundle->id;
        }
        auto added = (*store)->endpoints().add(e);
        QVERIFY2(added, added ? "" : qPrintable(added.error().toString()));
        m_endpoints.insert(c.name, added->id);
    }
}

void TestVerdictEverywhere::sameAnswerEverywhere_data()
{
    QTest::addColumn<int>("index");
    for (qsizetype i = 0; i < m_fixture.cases().size(); ++i) {
        QTest::newRow(qPrintable(m_fixture.cases().at(i).name)) << int(i);
    }
}

void TestVerdictEverywhere::sameAnswerEverywhere()
{
    QFETCH(int, index);
    const VerdictCase& c = m_fixture.cases().at(index);
    const QString where = QStringLiteral("127.0.0.1:%1").arg(c.port);

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
        auto e = (*store)->endpoints().get(m_endpoints.value(c.name));
        QVERIFY(e);
        inventory::Endpoint alone = *e;
        alone.group = QStringLiteral("only-%1").arg(index);
        QVERIFY((*store)->endpoints().update(alone));
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
        auto history = (*again)->probes().history(m_endpoints.value(c.name), 1);
        QVERIFY(history && !history->isEmpty());
        QCOMPARE(history->first().status, c.verdict);
        check(QJsonDocument::fromJson(history->first().reportJson).object(),
              QStringLiteral("history"));
        auto back = (*again)->endpoints().get(m_endpoints.value(c.name));
        QVERIFY(back);
        back->group = QStringLiteral("verdicts");
        QVERIFY((*again)->endpoints().update(*back));
    }

    // What a responder said revoked is revoked in the inventory too: the
    // served leaf's record, with the responder that said it.
    if (c.finding == QLatin1String("cert.revoked")) {
        auto store = inventory::Store::openSqlite(m_db);
        QVERIFY(store);
        auto history = (*store)->probes().history(m_endpoints.value(c.name), 1);
        QVERIFY(history && !history->isEmpty());
        const QJsonObject report = QJsonDocument::fromJson(history->first().reportJson).object();
        const QString leafSha = report.value(QStringLiteral("served"))
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(QStringLiteral("sha256"))
                                    .toString();
        QVERIFY2(!leafSha.isEmpty(), "the history names the served leaf");
        auto record = (*store)->certificates().bySha256(leafSha);
        QVERIFY(record && record->has_value());
        QVERIFY2((*record)->revocation.has_value(), qPrintable(c.name));
        const QString by = (*record)->revocation->foundBy;
        const QString expected = c.name == QLatin1String("revoked (staple)")
                                     ? QStringLiteral("staple")
                                 : c.name.contains(QLatin1String("CRL")) ? QStringLiteral("crl")
                                                                         : QStringLiteral("ocsp");
        QCOMPARE(by, expected);
        QCOMPARE((*record)->revocation->reason, QStringLiteral("keyCompromise"));
    }
}

void TestVerdictEverywhere::scanExitsWithTheWorst()
{
    const Run r = ctl({QStringLiteral("scan"), QStringLiteral("--group"),
                       QStringLiteral("verdicts"), QStringLiteral("--no-record")});
    QCOMPARE(r.code, 2);
    QCOMPARE(r.out.count(u'\n'), m_fixture.cases().size());
    QVERIFY2(r.out.contains(
                 QStringLiteral("OK 127.0.0.1:%1 - ").arg(m_fixture.cases().constFirst().port)),
             qPrintable(r.out));
}

void TestVerdictEverywhere::caFileOverridesTheBundle()
{
    // The endpoint without a bundle is trusted once its CA is named...
    quint16 port = 0;
    for (const VerdictCase& c : m_fixture.cases()) {
        if (c.name == QLatin1String("internal CA without its bundle")) {
            port = c.port;
        }
    }
    const QString where = QStringLiteral("127.0.0.1:%1").arg(port);
    const Run withCa = ctl({QStringLiteral("probe"), where, QStringLiteral("--no-inspect"),
                            QStringLiteral("--ca-file"), m_fixture.pki().rootCert});
    QCOMPARE(withCa.code, 0);
    QVERIFY2(withCa.out.contains(QStringLiteral("Trust        --ca-file ")),
             qPrintable(withCa.out));
    // ...and a file that holds no certificate is refused before any probe.
    const QString junk = QDir(m_fixture.dir()).filePath(QStringLiteral("junk.pem"));
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
