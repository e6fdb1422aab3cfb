// SPDX-License-Identifier: GPL-3.0-or-later
// `certdeckctl chain verify` checking revocation against a real `openssl
// ocsp` responder: a revoked leaf is CRITICAL, an unreachable responder a
// WARNING, and --no-revocation asks nobody.
#include "CtlRun.h"
#include "OcspFixture.h"
#include "PeerProcess.h"
#include "RevocationPeers.h"
#include "TestPki.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace certdeck::test;

class TestChainRevocation : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void revokedLeafIsCritical();
    void goodLeafIsClean();
    void noRevocationChecksNothing();
    void responderDownIsAWarning();
    void help();

private:
    using Run = certdeck::test::CtlTextRun;
    Run ctl(const QStringList& args);
    Run verify(const QString& file, const QStringList& extra = {});

    QString m_ctl;
    FixtureDir m_dir;
    OcspFixture m_ocsp;
    TestPki m_pki;
    TestPki::Leaf m_down;
    QString m_downUrl;
};

TestChainRevocation::Run TestChainRevocation::ctl(const QStringList& args)
{
    return certdeck::test::runCtlText(args, {}, 60000);
}

TestChainRevocation::Run TestChainRevocation::verify(const QString& file, const QStringList& extra)
{
    return ctl(QStringList{QStringLiteral("chain"), QStringLiteral("verify"), file,
                           QStringLiteral("--ca-file"), m_pki.rootCert, QStringLiteral("--host"),
                           QStringLiteral("localhost")} +
               extra);
}

void TestChainRevocation::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(m_ctl), "CERTDECKCTL must name the built certdeckctl");
    const QString failed = startRevocationPeers(m_dir.path(), m_pki, &m_ocsp, nullptr);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    m_downUrl = QStringLiteral("http://127.0.0.1:%1/").arg(freeLoopbackPort());
    TestPki::LeafSpec s;
    s.name = QStringLiteral("down");
    s.ocspUrl = m_downUrl;
    m_down = m_pki.issue(s);
    QVERIFY(!m_down.name.isEmpty());
    QVERIFY2(m_ocsp.serve(m_pki), qPrintable(m_ocsp.errorString()));
}

void TestChainRevocation::revokedLeafIsCritical()
{
    // The oracle first.
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("ocsp"), QStringLiteral("-issuer"), m_pki.intermediateCert,
             QStringLiteral("-cert"), m_pki.revoked.cert, QStringLiteral("-url"), m_ocsp.url(),
             QStringLiteral("-CAfile"), m_pki.rootCert},
            &out, 20000);
    QVERIFY2(out.contains("revoked.pem: revoked"), out.constData());

    Run r = verify(m_pki.revoked.fullchain);
    QVERIFY2(r.code == 2, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QStringLiteral("NOT TRUSTED - Not trusted: localhost is revoked: "
                                           "Revoked on ")),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("revocation: revoked - OCSP ") + m_ocsp.url()),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("(keyCompromise)")));
    QVERIFY2(r.err.contains(QStringLiteral("asking ") + m_ocsp.url()), qPrintable(r.err));

    r = verify(m_pki.revoked.fullchain, {QStringLiteral("--json")});
    QCOMPARE(r.code, 2);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("trusted")).toBool(true), false);
    QCOMPARE(o.value(QStringLiteral("verdict")).toString(), QStringLiteral("error"));
    QCOMPARE(o.value(QStringLiteral("revocationChecked")).toBool(), true);
    const QJsonObject leaf = o.value(QStringLiteral("built")).toArray().at(0).toObject();
    QCOMPARE(leaf.value(QStringLiteral("revocation")).toString(), QStringLiteral("revoked"));
    QVERIFY(
        leaf.value(QStringLiteral("revocationDetail"))
            .toString()
            .startsWith(QStringLiteral("OCSP ") + m_ocsp.url() + QStringLiteral(": revoked on ")));
    const QJsonObject f = leaf.value(QStringLiteral("findings")).toArray().at(0).toObject();
    QCOMPARE(f.value(QStringLiteral("problem")).toString(), QStringLiteral("revoked"));
    QCOMPARE(f.value(QStringLiteral("severity")).toString(), QStringLiteral("error"));
}

void TestChainRevocation::goodLeafIsClean()
{
    const Run r = verify(m_pki.good.fullchain);
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.contains(QStringLiteral("TRUSTED - Trusted chain to CertDeck Test Root\n")));
    QVERIFY2(r.out.contains(QStringLiteral("revocation: good - OCSP ") + m_ocsp.url()),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("revocation: not-checked - a trust anchor")));
}

void TestChainRevocation::noRevocationChecksNothing()
{
    const qsizetype before = m_ocsp.log().count('\n');
    Run r = verify(m_pki.revoked.fullchain, {QStringLiteral("--no-revocation")});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.contains(QStringLiteral("revocation: not-checked - not checked "
                                          "(--no-revocation)")));
    QVERIFY(!r.err.contains(QStringLiteral("asking")));
    r = verify(m_pki.revoked.fullchain,
               {QStringLiteral("--no-revocation"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("revocationChecked")).toBool(true), false);
    QCOMPARE(o.value(QStringLiteral("verdict")).toString(), QStringLiteral("ok"));
    QCOMPARE(o.value(QStringLiteral("built"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("revocation"))
                 .toString(),
             QStringLiteral("not-checked"));
    QCOMPARE(m_ocsp.log().count('\n'), before);
}

void TestChainRevocation::responderDownIsAWarning()
{
    Run r = verify(m_down.fullchain);
    QVERIFY2(r.code == 1, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QStringLiteral("TRUSTED - Trusted chain to CertDeck Test Root, with a "
                                           "warning: localhost: Revocation status unknown: the "
                                           "OCSP responder at ") +
                            m_downUrl + QStringLiteral(" could not be reached")),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("revocation: unknown - the OCSP responder at ")));
    r = verify(m_down.fullchain, {QStringLiteral("--json")});
    QCOMPARE(r.code, 1);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("verdict")).toString(), QStringLiteral("warning"));
    QCOMPARE(o.value(QStringLiteral("trusted")).toBool(), true);
    const QJsonObject leaf = o.value(QStringLiteral("built")).toArray().at(0).toObject();
    QCOMPARE(leaf.value(QStringLiteral("revocation")).toString(), QStringLiteral("unknown"));
    QCOMPARE(leaf.value(QStringLiteral("findings"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("problem"))
                 .toString(),
             QStringLiteral("revocation-unknown"));
}

void TestChainRevocation::help()
{
    const Run r = ctl({QStringLiteral("chain"), QStringLiteral("--help")});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains(QStringLiteral("--no-revocation")));
    QVERIFY(r.out.contains(QStringLiteral("OCSP")));
}

QTEST_GUILESS_MAIN(TestChainRevocation)
#include "test_chain_revocation.moc"
