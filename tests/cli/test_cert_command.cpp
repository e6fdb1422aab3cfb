// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl cert show and p12 export|import, run as a user would, with the
// openssl CLI checking what they wrote.
#include "PeerProcess.h"
#include "TestPki.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <sys/stat.h>

using namespace certdeck::test;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int mode(const QString& path)
{
    struct stat st
    {
    };
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
}

} // namespace

class TestCertCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void showFileJsonMatchesOpenssl();
    void showHumanAndExitCodes();
    void showBadInputSaysWhere();
    void showUnknownCriticalExtension();
    void showPkcs12NeedsPassphrase();
    void p12ExportProfiles_data();
    void p12ExportProfiles();
    void p12ExportRefusals();
    void p12Import();

private:
    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };
    Run ctl(const QStringList& args, const QProcessEnvironment& extraEnv = {});
    QString m_ctl;
    FixtureDir m_dir;
    TestPki m_pki;
    QString m_pass;
};

TestCertCommand::Run TestCertCommand::ctl(const QStringList& args,
                                          const QProcessEnvironment& extraEnv)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString& k : extraEnv.keys()) {
        env.insert(k, extraEnv.value(k));
    }
    p.setProcessEnvironment(env);
    p.start(m_ctl, args);
    Run r;
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit) {
        return r;
    }
    r.code = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

void TestCertCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(m_ctl), "CERTDECKCTL must name the built certdeckctl");
    TestPki::Options opt;
    opt.ocspUrl = QStringLiteral("http://ocsp.test.invalid/");
    QVERIFY2(m_pki.create(m_dir.path(), opt), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    m_pass = m_dir.filePath(QStringLiteral("pass.txt"));
    QVERIFY(m_dir.write(QStringLiteral("pass.txt"), "p12 secret\n"));
    QFile::setPermissions(m_pass, QFile::ReadOwner | QFile::WriteOwner);
}

void TestCertCommand::showFileJsonMatchesOpenssl()
{
    const Run r = ctl({QStringLiteral("cert"), QStringLiteral("show"), m_pki.good.fullchain,
                       QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value(QStringLiteral("format")).toString(), QStringLiteral("PEM"));
    const QJsonArray certs = o.value(QStringLiteral("certificates")).toArray();
    QCOMPARE(certs.size(), 2);
    QByteArray fp;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-in"), m_pki.good.cert,
                      QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                      QStringLiteral("-sha256")},
                     &fp),
             0);
    QCOMPARE(certs.at(0).toObject().value(QStringLiteral("sha256Fingerprint")).toString(),
             QString::fromUtf8(fp.trimmed().split('=').value(1)));
    QCOMPARE(certs.at(0).toObject().value(QStringLiteral("ocspUrls")).toArray().first().toString(),
             QStringLiteral("http://ocsp.test.invalid/"));
    QCOMPARE(certs.at(1).toObject().value(QStringLiteral("ca")).toBool(), true);
}

void TestCertCommand::showHumanAndExitCodes()
{
    const Run good = ctl({QStringLiteral("cert"), QStringLiteral("show"), m_pki.good.cert});
    QCOMPARE(good.code, 0);
    for (const char* s : {"PEM, 1 certificate(s)", "Subject Alternative Name",
                          "DNS:localhost, IP Address:127.0.0.1", "Not After", "SHA-256",
                          "X509v3 Key Usage [critical]", "OCSP"}) {
        QVERIFY2(good.out.contains(s), s);
    }
    const Run expired = ctl({QStringLiteral("cert"), QStringLiteral("show"), m_pki.expired.cert});
    QCOMPARE(expired.code, 2);
    QVERIFY2(expired.out.contains("expired"), expired.out.constData());
    const Run soon = ctl({QStringLiteral("cert"), QStringLiteral("show"), m_pki.good.cert,
                          QStringLiteral("--warn-days"), QStringLiteral("400")});
    QCOMPARE(soon.code, 1);
    const Run help = ctl({QStringLiteral("cert"), QStringLiteral("--help")});
    QCOMPARE(help.code, 0);
    QVERIFY(help.out.contains("cert show FILE|HOST:PORT"));
}

void TestCertCommand::showBadInputSaysWhere()
{
    QByteArray pem = readAll(m_pki.good.cert);
    pem.chop(30); // loses the END line
    QVERIFY(m_dir.write(QStringLiteral("cut.pem"), pem));
    const Run r = ctl({QStringLiteral("cert"), QStringLiteral("show"),
                       m_dir.filePath(QStringLiteral("cut.pem"))});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("cut.pem line 1 (block 1): BEGIN CERTIFICATE has no END line"),
             r.err.constData());
    QVERIFY(r.out.isEmpty());
    const Run json = ctl({QStringLiteral("--json"), QStringLiteral("cert"), QStringLiteral("show"),
                          m_dir.filePath(QStringLiteral("cut.pem"))});
    QCOMPARE(json.code, 3);
    QCOMPARE(QJsonDocument::fromJson(json.out)
                 .object()
                 .value(QStringLiteral("error"))
                 .toObject()
                 .value(QStringLiteral("code"))
                 .toString(),
             QStringLiteral("invalid-input"));
    const Run missing = ctl({QStringLiteral("cert"), QStringLiteral("show"),
                             m_dir.filePath(QStringLiteral("missing.pem"))});
    QCOMPARE(missing.code, 3);
    QVERIFY2(missing.err.contains("missing.pem: No such file"), missing.err.constData());
    const Run usage = ctl({QStringLiteral("cert"), QStringLiteral("list")});
    QCOMPARE(usage.code, 3);
}

void TestCertCommand::showUnknownCriticalExtension()
{
    const QString cert = m_dir.filePath(QStringLiteral("unknown-ext.pem"));
    QCOMPARE(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                 QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                 QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                 QStringLiteral("-keyout"), m_dir.filePath(QStringLiteral("unknown-ext.key")),
                 QStringLiteral("-out"), cert, QStringLiteral("-subj"), QStringLiteral("/CN=odd"),
                 QStringLiteral("-days"), QStringLiteral("365"), QStringLiteral("-addext"),
                 QStringLiteral("1.2.3.4.5.6.7=critical,DER:01:02")}),
        0);
    const Run r = ctl({QStringLiteral("cert"), QStringLiteral("show"), cert});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.out.contains("certificate 1 (CN=odd): unknown critical extension 1.2.3.4.5.6.7 "
                            "(01:02): TLS clients must reject this certificate"),
             r.out.constData());
    QVERIFY(r.out.contains("1.2.3.4.5.6.7 [critical]"));
    const Run json =
        ctl({QStringLiteral("cert"), QStringLiteral("show"), cert, QStringLiteral("--json")});
    QCOMPARE(json.code, 2);
    QCOMPARE(QJsonDocument::fromJson(json.out)
                 .object()
                 .value(QStringLiteral("problems"))
                 .toArray()
                 .size(),
             1);
}

void TestCertCommand::showPkcs12NeedsPassphrase()
{
    const QString p12 = m_dir.filePath(QStringLiteral("show.p12"));
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-inkey"),
                      m_pki.good.key, QStringLiteral("-in"), m_pki.good.fullchain,
                      QStringLiteral("-passout"), QStringLiteral("file:") + m_pass,
                      QStringLiteral("-out"), p12}),
             0);
    const Run none = ctl({QStringLiteral("cert"), QStringLiteral("show"), p12});
    QCOMPARE(none.code, 3);
    QVERIFY2(none.err.contains("show.p12 is PKCS#12 and needs a passphrase"), none.err.constData());
    const Run ok = ctl({QStringLiteral("cert"), QStringLiteral("show"), p12,
                        QStringLiteral("--passphrase-file"), m_pass});
    QCOMPARE(ok.code, 0);
    QVERIFY2(ok.out.contains("PKCS#12, 2 certificate(s), 1 private key(s)"), ok.out.constData());
    QProcessEnvironment env;
    env.insert(QStringLiteral("MY_P12_PASS"), QStringLiteral("p12 secret"));
    const Run viaEnv = ctl({QStringLiteral("cert"), QStringLiteral("show"), p12,
                            QStringLiteral("--passphrase-env"), QStringLiteral("MY_P12_PASS")},
                           env);
    QCOMPARE(viaEnv.code, 0);
    // The key never reaches the output.
    QVERIFY(!ok.out.contains("PRIVATE KEY"));
}

void TestCertCommand::p12ExportProfiles_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("modern") << false << QByteArray("AES-256-CBC");
    QTest::newRow("legacy") << true << QByteArray("pbeWithSHA1And3-KeyTripleDES-CBC");
}

void TestCertCommand::p12ExportProfiles()
{
    QFETCH(bool, legacy);
    QFETCH(QByteArray, expected);
    const QString out =
        m_dir.filePath(legacy ? QStringLiteral("out/legacy.p12") : QStringLiteral("out/m.p12"));
    QStringList args{QStringLiteral("p12"),
                     QStringLiteral("export"),
                     QStringLiteral("--key"),
                     m_pki.good.key,
                     QStringLiteral("--cert"),
                     m_pki.good.cert,
                     QStringLiteral("--chain"),
                     m_pki.good.chain,
                     QStringLiteral("--out"),
                     out,
                     QStringLiteral("--passphrase-file"),
                     m_pass,
                     QStringLiteral("--json")};
    if (legacy) {
        args << QStringLiteral("--legacy");
    }
    const Run r = ctl(args);
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(mode(out), 0600);
    QCOMPARE(
        QJsonDocument::fromJson(r.out).object().value(QStringLiteral("chainCertificates")).toInt(),
        1);
    QByteArray info;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkcs12"), QStringLiteral("-in"), out, QStringLiteral("-info"),
                      QStringLiteral("-noout"), QStringLiteral("-passin"),
                      QStringLiteral("file:") + m_pass},
                     &info),
             0);
    QVERIFY2(info.contains(expected), info.constData());
    // Never overwritten without --force; replaced with it.
    const QByteArray before = readAll(out);
    const Run again = ctl(args);
    QCOMPARE(again.code, 3);
    QVERIFY2(again.err.contains("already exists") && again.err.contains("--force"),
             again.err.constData());
    QCOMPARE(readAll(out), before);
    const Run forced = ctl(args << QStringLiteral("--force"));
    QCOMPARE(forced.code, 0);
    QVERIFY(readAll(out) != before);
}

void TestCertCommand::p12ExportRefusals()
{
    const QString out = m_dir.filePath(QStringLiteral("refused.p12"));
    const Run noPass = ctl({QStringLiteral("p12"), QStringLiteral("export"),
                            QStringLiteral("--key"), m_pki.good.key, QStringLiteral("--cert"),
                            m_pki.good.cert, QStringLiteral("--out"), out});
    QCOMPARE(noPass.code, 3);
    QVERIFY(noPass.err.contains("never a passphrase argument"));
    const Run wrongKey =
        ctl({QStringLiteral("p12"), QStringLiteral("export"), QStringLiteral("--key"),
             m_pki.expired.key, QStringLiteral("--cert"), m_pki.good.cert, QStringLiteral("--out"),
             out, QStringLiteral("--passphrase-file"), m_pass});
    QCOMPARE(wrongKey.code, 3);
    QVERIFY2(wrongKey.err.contains("does not belong to the certificate"), wrongKey.err.constData());
    QVERIFY(!QFile::exists(out));
}

void TestCertCommand::p12Import()
{
    const QString p12 = m_dir.filePath(QStringLiteral("import.p12"));
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-inkey"),
                      m_pki.good.key, QStringLiteral("-in"), m_pki.good.fullchain,
                      QStringLiteral("-passout"), QStringLiteral("file:") + m_pass,
                      QStringLiteral("-legacy"), QStringLiteral("-out"), p12}),
             0);
    const QString dir = m_dir.filePath(QStringLiteral("imported"));
    QVERIFY(m_dir.write(QStringLiteral("wrong.txt"), "not it\n"));
    const Run wrong =
        ctl({QStringLiteral("p12"), QStringLiteral("import"), p12, QStringLiteral("--out-dir"), dir,
             QStringLiteral("--passphrase-file"), m_dir.filePath(QStringLiteral("wrong.txt"))});
    QCOMPARE(wrong.code, 3);
    QVERIFY2(wrong.err.contains("Wrong passphrase for import.p12"), wrong.err.constData());
    QVERIFY(!QFileInfo::exists(dir));

    const Run r =
        ctl({QStringLiteral("p12"), QStringLiteral("import"), p12, QStringLiteral("--out-dir"), dir,
             QStringLiteral("--passphrase-file"), m_pass});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("legacy encryption"), r.out.constData());
    QCOMPARE(readAll(dir + QStringLiteral("/cert.pem")), readAll(m_pki.good.cert));
    QCOMPARE(readAll(dir + QStringLiteral("/chain.pem")), readAll(m_pki.good.chain));
    QCOMPARE(readAll(dir + QStringLiteral("/fullchain.pem")), readAll(m_pki.good.fullchain));
    QCOMPARE(mode(dir + QStringLiteral("/privkey.pem")), 0600);
    QCOMPARE(mode(dir), 0700);
    // The key written is the key openssl put in: same public key.
    QByteArray a;
    QByteArray b;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkey"), QStringLiteral("-in"),
                      dir + QStringLiteral("/privkey.pem"), QStringLiteral("-pubout")},
                     &a),
             0);
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkey"), QStringLiteral("-in"), m_pki.good.key,
                      QStringLiteral("-pubout")},
                     &b),
             0);
    QCOMPARE(a, b);

    const Run again =
        ctl({QStringLiteral("p12"), QStringLiteral("import"), p12, QStringLiteral("--out-dir"), dir,
             QStringLiteral("--passphrase-file"), m_pass, QStringLiteral("--json")});
    QCOMPARE(again.code, 3);
    QCOMPARE(QJsonDocument::fromJson(again.out)
                 .object()
                 .value(QStringLiteral("error"))
                 .toObject()
                 .value(QStringLiteral("code"))
                 .toString(),
             QStringLiteral("conflict"));
    const Run forced = ctl({QStringLiteral("p12"), QStringLiteral("import"), p12,
                            QStringLiteral("--out-dir"), dir, QStringLiteral("--passphrase-file"),
                            m_pass, QStringLiteral("--force"), QStringLiteral("--json")});
    QCOMPARE(forced.code, 0);
    QCOMPARE(QJsonDocument::fromJson(forced.out)
                 .object()
                 .value(QStringLiteral("written"))
                 .toArray()
                 .size(),
             4);
}

QTEST_GUILESS_MAIN(TestCertCommand)
#include "test_cert_command.moc"
