// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl ca init|sign|revoke|crl, run as a user would, with the openssl
// CLI as the oracle for everything it writes.
#include "CtlRun.h"
#include "PeerProcess.h"
#include "inventory/Store.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using certdeck::test::runTool;

class TestCaCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void initSignVerify();
    void revokeAndPublishCrl();
    void signForEndpointIsRecorded();
    void nameConstraintsRefuseOutsideNames();
    void wrongPassphraseWritesNothing();
    void existingOutputIsKeptAndNoSerialIsSpent();
    void badInput_data();
    void badInput();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(const QStringList& args);
    QString path(const QString& name) const { return m_tmp.filePath(name); }
    QByteArray readAll(const QString& p) const;
    QString newCsr(const QString& name, const QString& cn, const QString& sans);
    QString m_ctl;
    QTemporaryDir m_tmp;
    QString m_pass;
    QString m_ca; // made by initSignVerify, shared by later tests
};

TestCaCommand::Run TestCaCommand::ctl(const QStringList& args)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"), path(QStringLiteral("store.sqlite")));
    env.insert(QStringLiteral("CA_PASS"), QStringLiteral("ca passphrase 1"));
    return certdeck::test::runCtl(args, env);
}

QByteArray TestCaCommand::readAll(const QString& p) const
{
    QFile f(p);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString TestCaCommand::newCsr(const QString& name, const QString& cn, const QString& sans)
{
    // CSRs from openssl: the CA must take requests it did not make itself.
    const QString csr = path(name + QStringLiteral(".csr"));
    QStringList args{"req",    "-new",      "-newkey",
                     "ec",     "-pkeyopt",  "ec_paramgen_curve:P-256",
                     "-nodes", "-keyout",   path(name + QStringLiteral(".key")),
                     "-subj",  "/CN=" + cn, "-out",
                     csr};
    if (!sans.isEmpty()) {
        args << "-addext"
             << "subjectAltName=" + sans;
    }
    return runTool("openssl", args) == 0 ? csr : QString();
}

void TestCaCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(m_ctl), "CERTDECKCTL must name the built certdeckctl");
    QVERIFY(m_tmp.isValid());
    m_pass = path(QStringLiteral("ca.pass"));
    QFile f(m_pass);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("ca passphrase 1\n");
    f.close();
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    m_ca = path(QStringLiteral("ca"));
}

void TestCaCommand::initSignVerify()
{
    Run r =
        ctl({"ca", "init", m_ca, "--org", "Example Ops", "--passphrase-file", m_pass, "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject init = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(init.value("root").toObject().value("subject").toString(),
             QStringLiteral("CN=CertDeck Local Root CA,O=Example Ops"));
    QVERIFY(r.err.contains("Generating")); // progress on stderr, result on stdout
    const QString root = QDir(m_ca).filePath(QStringLiteral("root.pem"));
    const QString inter = QDir(m_ca).filePath(QStringLiteral("intermediate.pem"));

    for (const char* profile : {"server", "client"}) {
        const QString name = QLatin1String(profile);
        const QString csr = newCsr(name, name + ".svc.example", "DNS:" + name + ".svc.example");
        QVERIFY(!csr.isEmpty());
        const QString cert = path(name + QStringLiteral(".pem"));
        const QString chain = path(name + QStringLiteral("-chain.pem"));
        r = ctl({"ca", "sign", m_ca, csr, "--profile", name, "--days", "10", "--out", cert,
                 "--chain-out", chain, "--passphrase-env", "CA_PASS", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value("profile").toString(), name);
        QCOMPARE(o.value("serial").toString().size(), 32);
        QCOMPARE(readAll(chain), readAll(inter));
        QByteArray out;
        const int rc = runTool("openssl",
                               {"verify", "-CAfile", root, "-untrusted", chain, "-purpose",
                                name == QLatin1String("server") ? "sslserver" : "sslclient", cert},
                               &out);
        QVERIFY2(rc == 0 && out.contains(": OK"), out.constData());
    }
    // Short-lived, text output.
    const QString csr = newCsr("short", "short.svc.example", "");
    r = ctl({"ca", "sign", m_ca, csr, "--profile", "server", "--hours", "8", "--out",
             path("short.pem"), "--passphrase-file", m_pass});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.out.contains("Issued serial"));
    QVERIFY(r.out.contains("Names     short.svc.example"));
    QByteArray dates;
    QCOMPARE(runTool("openssl",
                     {"x509", "-in", path("short.pem"), "-noout", "-checkend",
                      QString::number(7 * 3600)},
                     &dates),
             0);
    QVERIFY(runTool("openssl", {"x509", "-in", path("short.pem"), "-noout", "-checkend",
                                QString::number(9 * 3600)}) != 0);
}

void TestCaCommand::signForEndpointIsRecorded()
{
    QVERIFY(QFile::exists(QDir(m_ca).filePath(QStringLiteral("root.pem"))));
    QVERIFY(ctl({"fleet", "add", "api.svc.example:8443"}).code == 0);
    const QString csr = newCsr("api", "api.svc.example", "DNS:api.svc.example");
    const QString other = newCsr("other", "other.svc.example", "DNS:other.svc.example");
    QVERIFY(!csr.isEmpty() && !other.isEmpty());
    const QByteArray indexBefore = readAll(QDir(m_ca).filePath(QStringLiteral("index.json")));

    // Not for that endpoint's name: refused before signing, no serial spent.
    Run refused = ctl({"ca", "sign", m_ca, other, "--profile", "server", "--out", path("other.pem"),
                       "--endpoint", "api.svc.example:8443", "--passphrase-env", "CA_PASS"});
    QCOMPARE(refused.code, 3);
    QVERIFY2(refused.err.contains("would not cover api.svc.example"), refused.err.constData());
    QVERIFY(!QFile::exists(path("other.pem")));
    QCOMPARE(readAll(QDir(m_ca).filePath(QStringLiteral("index.json"))), indexBefore);

    Run r = ctl({"ca", "sign", m_ca, csr, "--profile", "server", "--out", path("api.pem"),
                 "--endpoint", "api.svc.example:8443", "--passphrase-env", "CA_PASS", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("endpoint").toString(), QStringLiteral("api.svc.example:8443"));
    const qint64 certId = o.value("certificateId").toInteger();
    QVERIFY(certId > 0);
    QVERIFY(o.value("keyId").isNull()); // a CSR's key is not in the vault
    QByteArray serialText;
    QCOMPARE(runTool("openssl", {"x509", "-in", path("api.pem"), "-noout", "-serial"}, &serialText),
             0);
    const QString serial = QString::fromLatin1(serialText.trimmed().mid(7));
    {
        auto store = certdeck::inventory::Store::openUrl(path(QStringLiteral("store.sqlite")));
        QVERIFY(store);
        auto chain = (*store)->certificates().chain(certId);
        QVERIFY(chain);
        QCOMPARE(chain->size(), 3); // leaf, intermediate, root
        QCOMPARE(chain->at(0).serialHex.toUpper().remove(u':'), serial.toUpper());
        QCOMPARE(chain->at(0).source, certdeck::inventory::CertificateSource::LocalCa);
        QVERIFY(chain->at(0).issuerId.has_value());
        auto issuer = (*store)->issuers().get(*chain->at(0).issuerId);
        QVERIFY(issuer);
        QCOMPARE(issuer->kind, certdeck::inventory::IssuerRecord::Kind::LocalCa);
        QCOMPARE(issuer->directoryUrl, QDir(m_ca).absolutePath());
        auto endpoint = (*store)->endpoints().resolve(QStringLiteral("api.svc.example:8443"));
        QVERIFY(endpoint);
        auto versions = (*store)->certificates().versions(endpoint->id);
        QVERIFY(versions && versions->size() == 1);
        QCOMPARE(versions->constFirst().certificateId, certId);
        QCOMPARE(versions->constFirst().state, certdeck::inventory::VersionState::Issued);
    }

    // Revoked by its CA: the record says so.
    Run revoked = ctl(
        {"ca", "revoke", m_ca, serial, "--reason", "superseded", "--passphrase-env", "CA_PASS"});
    QVERIFY2(revoked.code == 0, revoked.err.constData());
    QVERIFY2(
        revoked.out.contains(QStringLiteral("certificate #%1 marked revoked").arg(certId).toUtf8()),
        revoked.out.constData());
    auto store = certdeck::inventory::Store::openUrl(path(QStringLiteral("store.sqlite")));
    QVERIFY(store);
    auto record = (*store)->certificates().get(certId);
    QVERIFY(record && record->revocation.has_value());
    QCOMPARE(record->revocation->foundBy, QStringLiteral("local-ca"));
    QCOMPARE(record->revocation->reason, QStringLiteral("superseded"));
}

void TestCaCommand::revokeAndPublishCrl()
{
    QVERIFY(QFile::exists(path("server.pem")));
    QByteArray serialLine;
    QCOMPARE(
        runTool("openssl", {"x509", "-in", path("server.pem"), "-noout", "-serial"}, &serialLine),
        0);
    const QString serial = QString::fromLatin1(serialLine.trimmed().mid(7)).toLower();
    Run r = ctl({"ca", "revoke", m_ca, serial, "--reason", "keyCompromise", "--passphrase-file",
                 m_pass, "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("reason").toString(),
             QStringLiteral("keyCompromise"));
    r = ctl({"ca", "revoke", m_ca, serial, "--passphrase-file", m_pass});
    QCOMPARE(r.code, 3);
    QVERIFY(r.err.contains("already revoked"));

    const QString crl = path(QStringLiteral("published.crl"));
    r = ctl({"ca", "crl", m_ca, "--out", crl, "--passphrase-file", m_pass, "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("revoked").toArray().size(), 1);
    QByteArray out;
    QCOMPARE(runTool("openssl",
                     {"crl", "-in", crl, "-noout", "-text", "-CAfile",
                      QDir(m_ca).filePath(QStringLiteral("chain.pem"))},
                     &out),
             0);
    QVERIFY2(out.contains("verify OK"), out.constData());
    QVERIFY(out.contains("Serial Number: " + serial.toUpper().toLatin1()));
    QVERIFY(out.contains("Key Compromise"));
    const QString root = QDir(m_ca).filePath(QStringLiteral("root.pem"));
    const QString inter = QDir(m_ca).filePath(QStringLiteral("intermediate.pem"));
    int rc = runTool("openssl",
                     {"verify", "-crl_check", "-CAfile", root, "-untrusted", inter, "-CRLfile", crl,
                      path("server.pem")},
                     &out);
    QVERIFY2(rc != 0 && out.contains("certificate revoked"), out.constData());
    rc = runTool("openssl",
                 {"verify", "-crl_check", "-CAfile", root, "-untrusted", inter, "-CRLfile", crl,
                  path("client.pem")},
                 &out);
    QVERIFY2(rc == 0, out.constData());
    // Publishing again over the same file needs --force.
    r = ctl({"ca", "crl", m_ca, "--out", crl, "--passphrase-file", m_pass});
    QCOMPARE(r.code, 3);
    QVERIFY(ctl({"ca", "crl", m_ca, "--out", crl, "--force", "--passphrase-file", m_pass}).code ==
            0);
}

void TestCaCommand::nameConstraintsRefuseOutsideNames()
{
    const QString dir = path(QStringLiteral("nc-ca"));
    Run r = ctl({"ca", "init", dir, "--key-type", "p384", "--name-constraints",
                 "DNS:.internal.example,IP:10.0.0.0/8", "--passphrase-file", m_pass});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.out.contains("Constraints   .internal.example, 10.0.0.0/8"));
    QByteArray text;
    QCOMPARE(runTool("openssl",
                     {"x509", "-in", QDir(dir).filePath("intermediate.pem"), "-noout", "-text"},
                     &text),
             0);
    QVERIFY2(text.contains("Permitted:") && text.contains("DNS:.internal.example") &&
                 text.contains("IP:10.0.0.0/255.0.0.0"),
             text.constData());
    const QString inside =
        newCsr("nc-in", "a.internal.example", "DNS:a.internal.example,IP:10.9.8.7");
    r = ctl({"ca", "sign", dir, inside, "--profile", "server", "--out", path("nc-in.pem"),
             "--passphrase-file", m_pass});
    QVERIFY2(r.code == 0, r.err.constData());
    const QString outside = newCsr("nc-out", "a.internal.example", "DNS:a.example.net");
    r = ctl({"ca", "sign", dir, outside, "--profile", "server", "--out", path("nc-out.pem"),
             "--passphrase-file", m_pass, "--json"});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("DNS:a.example.net is outside the CA's name constraints"),
             r.err.constData());
    QVERIFY(QJsonDocument::fromJson(r.out).object().contains("error"));
    QVERIFY(!QFile::exists(path("nc-out.pem")));
    // A SAN override is held to the same rule.
    r = ctl({"ca", "sign", dir, inside, "--profile", "server", "--san", "IP:192.168.1.1", "--out",
             path("nc-ip.pem"), "--passphrase-file", m_pass});
    QCOMPARE(r.code, 3);
    QVERIFY(r.err.contains("IP:192.168.1.1 is outside"));
}

void TestCaCommand::wrongPassphraseWritesNothing()
{
    const QString index = QDir(m_ca).filePath(QStringLiteral("index.json"));
    const QByteArray before = readAll(index);
    QVERIFY(!before.isEmpty());
    const QString wrong = path(QStringLiteral("wrong.pass"));
    QFile f(wrong);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not the passphrase");
    f.close();
    const QString csr = newCsr("wp", "wp.svc.example", "DNS:wp.svc.example");
    Run r = ctl({"ca", "sign", m_ca, csr, "--profile", "server", "--out", path("wp.pem"),
                 "--passphrase-file", wrong});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("Wrong CA passphrase"), r.err.constData());
    QVERIFY(!QFile::exists(path("wp.pem")));
    r = ctl({"ca", "crl", m_ca, "--out", path("wp.crl"), "--passphrase-file", wrong});
    QCOMPARE(r.code, 3);
    QVERIFY(!QFile::exists(path("wp.crl")));
    QCOMPARE(readAll(index), before);
    // No passphrase at all is a clear error too.
    r = ctl({"ca", "sign", m_ca, csr, "--profile", "server", "--out", path("wp.pem")});
    QCOMPARE(r.code, 3);
    QVERIFY(r.err.contains("the CA needs its passphrase"));
}

void TestCaCommand::existingOutputIsKeptAndNoSerialIsSpent()
{
    const QString index = QDir(m_ca).filePath(QStringLiteral("index.json"));
    const QByteArray before = readAll(index);
    const QString out = path(QStringLiteral("keep.pem"));
    QFile f(out);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("keep me\n");
    f.close();
    const QString csr = newCsr("keep", "keep.svc.example", "DNS:keep.svc.example");
    Run r = ctl({"ca", "sign", m_ca, csr, "--profile", "server", "--out", out, "--passphrase-file",
                 m_pass});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("exists; give --force"), r.err.constData());
    QCOMPARE(readAll(out), QByteArray("keep me\n"));
    QCOMPARE(readAll(index), before);
    r = ctl({"ca", "sign", m_ca, csr, "--profile", "server", "--out", out, "--force",
             "--passphrase-file", m_pass});
    QCOMPARE(r.code, 0);
    QVERIFY(readAll(out).startsWith("-----BEGIN CERTIFICATE-----"));
}

void TestCaCommand::badInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("expected");
    QTest::newRow("argv-passphrase")
        << QStringList{"ca", "init", "x", "--passphrase", "secret"} << 3 << "Unknown option";
    QTest::newRow("no-action") << QStringList{"ca"} << 3 << "needs an action";
    QTest::newRow("bad-profile") << QStringList{"ca",        "sign", "D",     "C",
                                                "--profile", "web",  "--out", "o.pem"}
                                 << 3 << "--profile server or client";
    QTest::newRow("days-and-hours")
        << QStringList{"ca",     "sign", "D",       "C", "--profile", "server",
                       "--days", "1",    "--hours", "2", "--out",     "o.pem"}
        << 3 << "not both";
    QTest::newRow("bad-reason") << QStringList{"ca", "revoke", "D", "01", "--reason", "oops"} << 3
                                << "unknown revocation reason 'oops'";
    QTest::newRow("bad-constraint")
        << QStringList{"ca", "init", "x", "--name-constraints", "email:a@b"} << 3
        << "must be DNS:domain or IP:range";
    QTest::newRow("short-passphrase")
        << QStringList{"ca", "init", "SHORT"} << 3 << "at least 8 characters";
    QTest::newRow("malformed-csr")
        << QStringList{"ca", "sign", "CA", "BADCSR", "--profile", "server", "--out", "o.pem"} << 3
        << "line 2: '*' is not a base64 character";
    QTest::newRow("not-a-ca") << QStringList{"ca", "crl", "EMPTY"} << 3 << "holds no finished CA";
    QTest::newRow("unknown-serial")
        << QStringList{"ca", "revoke", "CA", "DEADBEEF"} << 3 << "never issued serial DEADBEEF";
}

void TestCaCommand::badInput()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, expected);
    const QString shortPass = path(QStringLiteral("short.pass"));
    QFile sp(shortPass);
    QVERIFY(sp.open(QIODevice::WriteOnly));
    sp.write("short");
    sp.close();
    QFile bad(path(QStringLiteral("bad.csr")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("-----BEGIN CERTIFICATE REQUEST-----\nMIIB*xyz\n-----END CERTIFICATE REQUEST-----\n");
    bad.close();
    QDir().mkpath(path(QStringLiteral("empty")));
    for (QString& a : args) {
        if (a == QLatin1String("CA")) {
            a = m_ca;
        } else if (a == QLatin1String("BADCSR")) {
            a = path(QStringLiteral("bad.csr"));
        } else if (a == QLatin1String("EMPTY")) {
            a = path(QStringLiteral("empty"));
        } else if (a == QLatin1String("SHORT")) {
            a = path(QStringLiteral("short-ca"));
        } else if (a == QLatin1String("o.pem")) {
            a = path(QStringLiteral("o.pem"));
        }
    }
    if (args.size() > 1 && args.at(1) != QLatin1String("init")) {
        args << "--passphrase-file" << m_pass;
    } else if (expected.contains(QLatin1String("8 characters"))) {
        args << "--passphrase-file" << shortPass;
    }
    const Run r = ctl(args);
    QCOMPARE(r.code, code);
    QVERIFY2(QString::fromUtf8(r.err).contains(expected), r.err.constData());
    QVERIFY(!QFile::exists(path(QStringLiteral("o.pem"))));
}

QTEST_GUILESS_MAIN(TestCaCommand)
#include "test_ca_command.moc"
