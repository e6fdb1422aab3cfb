// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl cert show and p12 export|import, run as a user would, with the
// openssl CLI checking what they wrote.
#include "CtlRun.h"
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
    void showProblems_data();
    void showProblems();
    void showPkcs12NeedsPassphrase();
    void p12ExportProfiles_data();
    void p12ExportProfiles();
    void p12ExportRefusals();
    void p12Import();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(const QStringList& args, const QProcessEnvironment& extraEnv = {});
    bool openssl(const QStringList& args);
    QString m_weakCa; ///< RSA-2048 root, self-signed with SHA-1
    QString m_weakCaKey;
    QString m_ctl;
    FixtureDir m_dir;
    TestPki m_pki;
    QString m_pass;
};

TestCertCommand::Run TestCertCommand::ctl(const QStringList& args,
                                          const QProcessEnvironment& extraEnv)
{
    return certdeck::test::runCtl(args, extraEnv, 60000);
}

bool TestCertCommand::openssl(const QStringList& args)
{
    QByteArray out;
    const int rc = runTool(QStringLiteral("openssl"), args, &out);
    if (rc != 0) {
        qWarning("openssl %s: %s", qPrintable(args.join(u' ')), out.constData());
    }
    return rc == 0;
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
    // A root that signed itself with SHA-1, to sign the weak leaves with.
    m_weakCa = m_dir.filePath(QStringLiteral("weak-ca.pem"));
    m_weakCaKey = m_dir.filePath(QStringLiteral("weak-ca.key"));
    QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                     QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                     QStringLiteral("-keyout"), m_weakCaKey, QStringLiteral("-out"), m_weakCa,
                     QStringLiteral("-subj"), QStringLiteral("/CN=Weak Test Root"),
                     QStringLiteral("-days"), QStringLiteral("30"), QStringLiteral("-sha1")}));
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

void TestCertCommand::showProblems_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("newkey"); // -newkey argument; empty: the row's own recipe
    QTest::addColumn<QString>("digest"); // signing digest for the CA
    QTest::addColumn<QString>("warnDays");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<QStringList>("codes"); // problem codes, in order
    QTest::addColumn<QString>("message");   // the first problem's message, exactly

    QTest::newRow("RSA-1024 leaf") << "rsa1024"
                                   << "rsa:1024"
                                   << "-sha256"
                                   << "0" << 2 << "critical" << QStringList{"weak-key"}
                                   << "weak key: RSA 1024 bits (RSA and DSA need at least 2048 "
                                      "bits, EC at least 256)";
    QTest::newRow("SHA-1 signature") << "sha1"
                                     << "rsa:2048"
                                     << "-sha1"
                                     << "0" << 2 << "critical" << QStringList{"weak-signature"}
                                     << "signed with SHA-1, which is broken for signatures: "
                                        "clients reject it";
    QTest::newRow("MD5 signature") << "md5"
                                   << "rsa:2048"
                                   << "-md5"
                                   << "0" << 2 << "critical" << QStringList{"weak-signature"}
                                   << "signed with MD5, which is broken for signatures: clients "
                                      "reject it";
    QTest::newRow("EC P-224 leaf") << "p224"
                                   << "ec:p224"
                                   << "-sha256"
                                   << "0" << 2 << "critical" << QStringList{"weak-key"}
                                   << "weak key: EC 224 bits (RSA and DSA need at least 2048 "
                                      "bits, EC at least 256)";
    QTest::newRow("RSA-1024 and SHA-1, expiring")
        << "both"
        << "rsa:1024"
        << "-sha1"
        << "400" << 2 << "critical" << QStringList{"weak-key", "weak-signature", "expiring"}
        << "weak key: RSA 1024 bits (RSA and DSA need at least 2048 bits, EC at least 256)";
    QTest::newRow("unknown critical extension")
        << "unknown-ext"
        << ""
        << ""
        << "0" << 2 << "critical" << QStringList{"unknown-critical-extension"}
        << "unknown critical extension 1.2.3.4.5 (0C:01:78): TLS clients must reject this "
           "certificate";
    // The root's own SHA-1 signature is checked by no client: not a problem.
    QTest::newRow("SHA-1 self-signed root") << "root"
                                            << ""
                                            << ""
                                            << "0" << 0 << "ok" << QStringList{} << "";
    QTest::newRow("sound leaf, expiring")
        << "sound"
        << "rsa:2048"
        << "-sha256"
        << "400" << 1 << "warning" << QStringList{"expiring"} << "";
    QTest::newRow("sound leaf") << "sound2"
                                << "rsa:2048"
                                << "-sha256"
                                << "0" << 0 << "ok" << QStringList{} << "";
}

void TestCertCommand::showProblems()
{
    QFETCH(QString, name);
    QFETCH(QString, newkey);
    QFETCH(QString, digest);
    QFETCH(QString, warnDays);
    QFETCH(int, exitCode);
    QFETCH(QString, verdict);
    QFETCH(QStringList, codes);
    QFETCH(QString, message);

    const QString key = m_dir.filePath(QStringLiteral("problem-") + name + QStringLiteral(".key"));
    const QString cert = m_dir.filePath(QStringLiteral("problem-") + name + QStringLiteral(".pem"));
    if (name == QLatin1String("root")) {
        QVERIFY(QFile::copy(m_weakCa, cert));
    } else if (name == QLatin1String("unknown-ext")) {
        QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                         QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                         QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                         QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                         QStringLiteral("-subj"), QStringLiteral("/CN=odd2"),
                         QStringLiteral("-days"), QStringLiteral("365"), QStringLiteral("-addext"),
                         QStringLiteral("1.2.3.4.5=critical,ASN1:UTF8String:x")}));
    } else {
        // A CSR with the key asked for, signed by the weak root with `digest`.
        QStringList keyArgs{QStringLiteral("-newkey"), newkey};
        if (newkey == QLatin1String("ec:p224")) {
            keyArgs = {QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                       QStringLiteral("ec_paramgen_curve:P-224")};
        }
        const QString csr =
            m_dir.filePath(QStringLiteral("problem-") + name + QStringLiteral(".csr"));
        QVERIFY(openssl(QStringList{QStringLiteral("req")} + keyArgs +
                        QStringList{QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                                    QStringLiteral("-out"), csr, QStringLiteral("-subj"),
                                    QStringLiteral("/CN=") + name + QStringLiteral(".example")}));
        QVERIFY(
            openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr,
                     QStringLiteral("-CA"), m_weakCa, QStringLiteral("-CAkey"), m_weakCaKey,
                     QStringLiteral("-set_serial"), QStringLiteral("7"), QStringLiteral("-days"),
                     QStringLiteral("30"), digest, QStringLiteral("-out"), cert}));
    }

    const Run json = ctl({QStringLiteral("cert"), QStringLiteral("show"), cert,
                          QStringLiteral("--warn-days"), warnDays, QStringLiteral("--json")});
    QCOMPARE(json.code, exitCode);
    const QJsonObject o = QJsonDocument::fromJson(json.out).object();
    QCOMPARE(o.value(QStringLiteral("verdict")).toString(), verdict);
    const QJsonArray problems = o.value(QStringLiteral("problems")).toArray();
    QStringList got;
    for (const QJsonValue& v : problems) {
        got << v[QStringLiteral("code")].toString();
        QCOMPARE(v[QStringLiteral("severity")].toString(),
                 v[QStringLiteral("code")].toString() == QLatin1String("expiring")
                     ? QStringLiteral("warning")
                     : QStringLiteral("critical"));
        QCOMPARE(v[QStringLiteral("certificate")].toInt(), 1);
        QVERIFY(!v[QStringLiteral("message")].toString().isEmpty());
    }
    QCOMPARE(got, codes);
    if (!message.isEmpty()) {
        QCOMPARE(problems.first()[QStringLiteral("message")].toString(), message);
    }

    // The text names each in plain words under "Problems" and ends with the verdict.
    const Run text = ctl({QStringLiteral("cert"), QStringLiteral("show"), cert,
                          QStringLiteral("--warn-days"), warnDays});
    QCOMPARE(text.code, exitCode);
    QVERIFY2(text.out.contains("Verdict: " + verdict.toUpper().toUtf8() + "\n"),
             text.out.constData());
    if (codes.isEmpty()) {
        QVERIFY2(text.out.contains("\nProblems: none\n"), text.out.constData());
    } else {
        QVERIFY2(text.out.contains("\nProblems\n"), text.out.constData());
        for (const QJsonValue& v : problems) {
            QVERIFY2(text.out.contains(v[QStringLiteral("message")].toString().toUtf8()),
                     text.out.constData());
        }
    }
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
