// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl csr new|show, run as a user would, checked with the openssl CLI.
#include "CtlRun.h"
#include "PeerProcess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using certdeck::test::runTool;

class TestCsrCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void newFromEncryptedKey();
    void digestAndEd25519_data();
    void digestAndEd25519();
    void passphraseProblemsWriteNothing();
    void existingOutputNeedsForce();
    void badSpecIsRefused_data();
    void badSpecIsRefused();
    void showDetectsDamage();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(const QStringList& args, const QProcessEnvironment& extra = {});
    QString path(const QString& name) const { return m_tmp.filePath(name); }
    QByteArray readAll(const QString& p) const;
    QString m_ctl;
    QTemporaryDir m_tmp;
    QString m_key;      // encrypted P-256
    QString m_passFile; // its passphrase
};

TestCsrCommand::Run TestCsrCommand::ctl(const QStringList& args, const QProcessEnvironment& extra)
{
    QProcessEnvironment env = extra;
    if (!env.contains(QStringLiteral("CERTDECK_DB"))) {
        env.insert(QStringLiteral("CERTDECK_DB"), path(QStringLiteral("store.sqlite")));
    }
    return certdeck::test::runCtl(args, env, 60000);
}

QByteArray TestCsrCommand::readAll(const QString& p) const
{
    QFile f(p);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void TestCsrCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(m_ctl), "CERTDECKCTL must name the built certdeckctl");
    QVERIFY(m_tmp.isValid());
    m_passFile = path(QStringLiteral("key.pass"));
    QFile pf(m_passFile);
    QVERIFY(pf.open(QIODevice::WriteOnly));
    pf.write("key passphrase\n"); // the trailing newline is not part of it
    pf.close();
    pf.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    m_key = path(QStringLiteral("p256.key"));
    QByteArray out;
    QCOMPARE(runTool("openssl",
                     {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-aes-256-cbc", "-pass", "file:" + m_passFile, "-out", m_key},
                     &out),
             0);
}

void TestCsrCommand::newFromEncryptedKey()
{
    const QString csr = path(QStringLiteral("full.csr"));
    const Run r = ctl({"csr",
                       "new",
                       "--key",
                       m_key,
                       "--passphrase-file",
                       m_passFile,
                       "--cn",
                       "api.example.com",
                       "--org",
                       "Example Ops",
                       "--country",
                       "DE",
                       "--san",
                       "DNS:api.example.com,IP:10.0.0.5,email:ops@example.com",
                       "--san",
                       "URI:spiffe://example.org/api",
                       "--ku",
                       "digitalSignature",
                       "--eku",
                       "serverAuth,clientAuth",
                       "--must-staple",
                       "--out",
                       csr,
                       "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("subject").toString(),
             QStringLiteral("CN=api.example.com,O=Example Ops,C=DE"));
    QCOMPARE(o.value("subjectAltNames").toArray().size(), 4);
    QCOMPARE(o.value("mustStaple").toBool(), true);
    QCOMPARE(o.value("signatureValid").toBool(), true);
    QCOMPARE(o.value("publicKey").toString(), QStringLiteral("EC P-256"));
    QByteArray text;
    QCOMPARE(runTool("openssl", {"req", "-in", csr, "-verify", "-noout", "-text"}, &text), 0);
    for (const char* expected :
         {"verify OK",
          "DNS:api.example.com, IP Address:10.0.0.5, email:ops@example.com, "
          "URI:spiffe://example.org/api",
          "Digital Signature", "TLS Web Server Authentication, TLS Web Client Authentication",
          "status_request", "ecdsa-with-SHA256"}) {
        QVERIFY2(text.contains(expected), text.constData());
    }
    // The passphrase never shows up in what we print.
    QVERIFY(!r.out.contains("key passphrase") && !r.err.contains("key passphrase"));
    // Text mode for people.
    const Run show = ctl({"csr", "show", csr});
    QCOMPARE(show.code, 0);
    QVERIFY(show.out.contains("Must-staple   yes"));
    QVERIFY(show.out.contains("verifies"));
}

void TestCsrCommand::digestAndEd25519_data()
{
    QTest::addColumn<QString>("algorithm");
    QTest::addColumn<QString>("digest");
    QTest::addColumn<QString>("expected");
    QTest::newRow("p384-sha384") << "p384"
                                 << "sha384"
                                 << "ecdsa-with-SHA384";
    QTest::newRow("ed25519") << "ed25519"
                             << "sha384"
                             << "ED25519";
}

void TestCsrCommand::digestAndEd25519()
{
    QFETCH(QString, algorithm);
    QFETCH(QString, digest);
    QFETCH(QString, expected);
    const QString key = path(algorithm + QStringLiteral(".key"));
    QStringList gen{"genpkey", "-out", key};
    if (algorithm == QLatin1String("ed25519")) {
        gen << "-algorithm"
            << "ED25519";
    } else {
        gen << "-algorithm"
            << "EC"
            << "-pkeyopt"
            << "ec_paramgen_curve:P-384";
    }
    QCOMPARE(runTool("openssl", gen), 0);
    const QString csr = path(algorithm + QStringLiteral(".csr"));
    // An unencrypted key needs no passphrase.
    const Run r = ctl({"csr", "new", "--key", key, "--san", "DNS:only.example", "--digest", digest,
                       "--out", csr});
    QVERIFY2(r.code == 0, r.err.constData());
    QByteArray text;
    QCOMPARE(runTool("openssl", {"req", "-in", csr, "-verify", "-noout", "-text"}, &text), 0);
    QVERIFY2(text.contains("verify OK"), text.constData());
    QVERIFY2(text.contains("Signature Algorithm: " + expected.toLatin1()), text.constData());
}

void TestCsrCommand::passphraseProblemsWriteNothing()
{
    const QString csr = path(QStringLiteral("nopass.csr"));
    Run r = ctl({"csr", "new", "--key", m_key, "--cn", "a.example", "--out", csr});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("is encrypted; give its passphrase"), r.err.constData());
    QVERIFY(!QFile::exists(csr));

    QProcessEnvironment env;
    env.insert(QStringLiteral("WRONG_PASS"), QStringLiteral("not it"));
    r = ctl({"csr", "new", "--key", m_key, "--passphrase-env", "WRONG_PASS", "--cn", "a.example",
             "--out", csr, "--json"},
            env);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("Wrong passphrase for"), r.err.constData());
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("error").toObject().value("code"),
             QJsonValue(QStringLiteral("permission-denied")));
    QVERIFY(!QFile::exists(csr));

    env.insert(QStringLiteral("RIGHT_PASS"), QStringLiteral("key passphrase"));
    r = ctl({"csr", "new", "--key", m_key, "--passphrase-env", "RIGHT_PASS", "--cn", "a.example",
             "--out", csr},
            env);
    QVERIFY2(r.code == 0, r.err.constData());

    // The passphrase is never a value on the command line.
    r = ctl({"csr", "new", "--key", m_key, "--passphrase", "key passphrase", "--cn", "a.example",
             "--out", path(QStringLiteral("argv.csr"))});
    QCOMPARE(r.code, 3);
    QVERIFY(!QFile::exists(path(QStringLiteral("argv.csr"))));
    r = ctl({"csr", "new", "--key", path(QStringLiteral("missing.key")), "--cn", "a.example",
             "--out", path(QStringLiteral("m.csr"))});
    QCOMPARE(r.code, 3);
    QVERIFY(r.err.contains("No such file"));
}

void TestCsrCommand::existingOutputNeedsForce()
{
    const QString csr = path(QStringLiteral("keep.csr"));
    QFile f(csr);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("precious\n");
    f.close();
    Run r = ctl({"csr", "new", "--key", m_key, "--passphrase-file", m_passFile, "--cn", "a.example",
                 "--out", csr});
    QCOMPARE(r.code, 3);
    QVERIFY(r.err.contains("exists; give --force"));
    QCOMPARE(readAll(csr), QByteArray("precious\n"));
    r = ctl({"csr", "new", "--key", m_key, "--passphrase-file", m_passFile, "--cn", "a.example",
             "--out", csr, "--force"});
    QCOMPARE(r.code, 0);
    QVERIFY(readAll(csr).startsWith("-----BEGIN CERTIFICATE REQUEST-----"));
}

void TestCsrCommand::badSpecIsRefused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("expected");
    QTest::newRow("bad-ip") << QStringList{"--cn", "x", "--san", "IP:1.2.3"} << 3
                            << "is not an IPv4 or IPv6 address";
    QTest::newRow("u-label") << QStringList{"--san", QString::fromUtf8("DNS:m\u00fcller.example")}
                             << 3 << "use the A-label (xn--)";
    QTest::newRow("wildcard") << QStringList{"--san", "DNS:www.*.example"} << 3
                              << "whole left-most label";
    QTest::newRow("no-names") << QStringList{"--org", "Only Org"} << 3
                              << "needs a common name or at least one SAN";
    QTest::newRow("bad-eku") << QStringList{"--cn", "x", "--eku", "webServer"} << 3
                             << "unknown extended key usage 'webServer'";
    QTest::newRow("bad-digest") << QStringList{"--cn", "x", "--digest", "md5"} << 3
                                << "--digest must be sha256 or sha384";
    QTest::newRow("no-out") << QStringList{"--cn", "x", "--out", ""} << 3
                            << "needs --key KEY and --out FILE";
}

void TestCsrCommand::badSpecIsRefused()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, expected);
    const QString out = path(QStringLiteral("bad.csr"));
    QStringList all{"csr", "new", "--key", m_key, "--passphrase-file", m_passFile};
    all << args;
    if (!args.contains(QStringLiteral("--out"))) {
        all << "--out" << out;
    }
    const Run r = ctl(all);
    QCOMPARE(r.code, code);
    QVERIFY2(QString::fromUtf8(r.err).contains(expected), r.err.constData());
    QVERIFY(!QFile::exists(out));
}

void TestCsrCommand::showDetectsDamage()
{
    const QString csr = path(QStringLiteral("show.csr"));
    QCOMPARE(ctl({"csr", "new", "--key", m_key, "--passphrase-file", m_passFile, "--cn",
                  "show.example", "--out", csr})
                 .code,
             0);
    const QString der = path(QStringLiteral("show.der"));
    QCOMPARE(runTool("openssl", {"req", "-in", csr, "-outform", "DER", "-out", der}), 0);
    QByteArray bytes = readAll(der);
    bytes[bytes.size() - 2] = char(bytes.at(bytes.size() - 2) ^ 0x40);
    const QString flipped = path(QStringLiteral("flipped.der"));
    QFile f(flipped);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
    f.close();
    Run r = ctl({"csr", "show", flipped, "--json"});
    QCOMPARE(r.code, 2);
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("signatureValid").toBool(true), false);
    QVERIFY(r.err.contains("signature does not verify"));

    QByteArray pem = readAll(csr);
    pem.truncate(pem.size() / 2);
    const QString cut = path(QStringLiteral("cut.csr"));
    QFile c(cut);
    QVERIFY(c.open(QIODevice::WriteOnly));
    c.write(pem);
    c.close();
    r = ctl({"csr", "show", cut});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("cut.csr line") && r.err.contains("the file ends before"),
             r.err.constData());
    r = ctl({"csr", "show", m_key});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("holds a ENCRYPTED PRIVATE KEY, not a CERTIFICATE REQUEST"),
             r.err.constData());
    QCOMPARE(ctl({"csr", "frobnicate"}).code, 3);
}

QTEST_GUILESS_MAIN(TestCsrCommand)
#include "test_csr_command.moc"
