// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl acme account new|show and acme issue, run as a user would
// against the real Pebble; the issued chain is checked by `openssl verify`
// against Pebble's root and the key file by the openssl CLI.
#include "BindFixture.h"
#include "CtlRun.h"
#include "PebbleFixture.h"
#include "crypto/CertificateReader.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace certdeck::test;

class TestAcmeCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void accountNewAndShow();
    void encryptedAccountKey();
    void unknownAccountIsCritical();
    void issueForNamesAndIp();
    void issueReplacesWithoutAri();
    void untrustedServerIsRefused();
    void issueWildcardWithDns01();
    void issueWithTlsAlpn01();
    void revokeWithReason();
    void accountLifecycle();
    void renewalInfoNotServed();
    void renewalInfoHonoursStoredRetryAfter();
    void storedAccountLifecycle();
    void usageErrors_data();
    void usageErrors();
    void cleanupTestCase();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(const QStringList& args, const QProcessEnvironment& extra = {});
    QStringList server() const;
    QString path(const QString& name) const { return m_dir->filePath(name); }
    std::unique_ptr<PebbleFixture> m_pebble;
    std::unique_ptr<FixtureDir> m_dir;
    QString m_ctl;
};

TestAcmeCommand::Run TestAcmeCommand::ctl(const QStringList& args, const QProcessEnvironment& extra)
{
    return certdeck::test::runCtl(args, extra);
}

QStringList TestAcmeCommand::server() const
{
    return {QStringLiteral("--directory"), m_pebble->directoryUrl(), QStringLiteral("--ca-file"),
            m_pebble->caFile()};
}

void TestAcmeCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFileInfo(m_ctl).isExecutable(), "CERTDECKCTL is not set to the binary");
    m_pebble = std::make_unique<PebbleFixture>();
    PebbleFixture::Options opt;
    opt.authzReusePercent = 0;
    QVERIFY2(m_pebble->start(opt), qPrintable(m_pebble->errorString()));
    m_dir = std::make_unique<FixtureDir>();
}

void TestAcmeCommand::cleanupTestCase()
{
    m_pebble.reset();
}

void TestAcmeCommand::accountNewAndShow()
{
    const QString key = path(QStringLiteral("account.key"));
    Run r = ctl(QStringList{"acme", "account", "new"} + server() +
                QStringList{"--account-key", key, "--contact", "mailto:ops@example.test",
                            "--agree-tos", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("status").toString(), QStringLiteral("valid"));
    QCOMPARE(o.value("created").toBool(), true);
    QCOMPARE(o.value("keyAlgorithm").toString(), QStringLiteral("ES256"));
    QCOMPARE(o.value("contact").toArray().at(0).toString(),
             QStringLiteral("mailto:ops@example.test"));
    QVERIFY(r.err.contains("created " + key.toUtf8()));
    QCOMPARE(QFileInfo(key).permissions() & 0x0077, QFile::Permissions());
    QByteArray keyText;
    QCOMPARE(runTool("openssl", {"pkey", "-in", key, "-noout", "-text"}, &keyText), 0);
    QVERIFY(keyText.contains("prime256v1"));

    // Again: the same account, not a new one; the key file is kept.
    Run again = ctl(QStringList{"acme", "account", "new"} + server() +
                    QStringList{"--account-key", key, "--agree-tos", "--json"});
    QVERIFY2(again.code == 0, again.err.constData());
    const QJsonObject o2 = QJsonDocument::fromJson(again.out).object();
    QCOMPARE(o2.value("created").toBool(), false);
    QCOMPARE(o2.value("account").toString(), o.value("account").toString());
    QCOMPARE(o2.value("keyThumbprint").toString(), o.value("keyThumbprint").toString());

    Run show =
        ctl(QStringList{"acme", "account", "show"} + server() + QStringList{"--account-key", key});
    QVERIFY2(show.code == 0, show.err.constData());
    QVERIFY2(show.out.contains(o.value("account").toString().toUtf8()), show.out.constData());
    QVERIFY(show.out.contains("Status        valid"));
}

void TestAcmeCommand::encryptedAccountKey()
{
    const QString key = path(QStringLiteral("enc-account.key"));
    QProcessEnvironment env;
    env.insert("ACME_TEST_PASS", "correct horse battery");
    Run r = ctl(
        QStringList{"acme", "account", "new"} + server() +
            QStringList{"--account-key", key, "--agree-tos", "--passphrase-env", "ACME_TEST_PASS"},
        env);
    QVERIFY2(r.code == 0, r.err.constData());
    QFile f(key);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    QVERIFY(!r.err.contains("correct horse"));

    Run locked =
        ctl(QStringList{"acme", "account", "show"} + server() + QStringList{"--account-key", key});
    QCOMPARE(locked.code, 3);
    QVERIFY2(locked.err.contains("is encrypted"), locked.err.constData());

    Run open = ctl(QStringList{"acme", "account", "show"} + server() +
                       QStringList{"--account-key", key, "--passphrase-env", "ACME_TEST_PASS"},
                   env);
    QVERIFY2(open.code == 0, open.err.constData());
}

void TestAcmeCommand::unknownAccountIsCritical()
{
    QByteArray pem;
    QCOMPARE(runTool("openssl",
                     {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}, &pem),
             0);
    QVERIFY(m_dir->write(QStringLiteral("stranger.key"), pem));
    Run r = ctl(QStringList{"acme", "account", "show"} + server() +
                QStringList{"--account-key", path(QStringLiteral("stranger.key")), "--json"});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("no ACME account exists for this key"), r.err.constData());
    QCOMPARE(
        QJsonDocument::fromJson(r.out).object().value("error").toObject().value("code").toString(),
        QStringLiteral("not-found"));
}

void TestAcmeCommand::issueForNamesAndIp()
{
    const QString account = path(QStringLiteral("issue-account.key"));
    const QString keyOut = path(QStringLiteral("site.key"));
    const QString certOut = path(QStringLiteral("site.pem"));
    const QStringList issue = QStringList{"acme", "issue"} + server() +
                              QStringList{"--account-key",
                                          account,
                                          "--agree-tos",
                                          "-d",
                                          "www.cli.test",
                                          "-d",
                                          "cli.test",
                                          "--ip",
                                          "127.0.0.1",
                                          "--challenge",
                                          "http-01",
                                          "--http-port",
                                          QString::number(m_pebble->httpPort()),
                                          "--http-address",
                                          "127.0.0.1",
                                          "--key-out",
                                          keyOut,
                                          "--cert-out",
                                          certOut,
                                          "--json"};
    // Without the account key file there is nothing to sign with.
    Run missing = ctl(issue);
    QCOMPARE(missing.code, 3);
    QVERIFY2(missing.err.contains("does not exist"), missing.err.constData());
    QVERIFY(!QFileInfo::exists(keyOut));

    Run made = ctl(QStringList{"acme", "account", "new"} + server() +
                   QStringList{"--account-key", account, "--agree-tos"});
    QVERIFY2(made.code == 0, made.err.constData());
    Run r = ctl(issue);
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.err.contains("Authorization 1/3"), r.err.constData());
    QVERIFY2(r.err.contains("Downloading the certificate"), r.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("authorizations").toArray().size(), 3);
    QCOMPARE(o.value("certificate").toString(), certOut);
    QCOMPARE(QFileInfo(keyOut).permissions() & 0x0077, QFile::Permissions());

    auto issuer = m_pebble->fetchIssuerPem();
    QVERIFY(issuer);
    QVERIFY(m_dir->write(QStringLiteral("pebble-root.pem"), issuer->root));
    QByteArray out;
    QCOMPARE(runTool("openssl",
                     {"verify", "-CAfile", path(QStringLiteral("pebble-root.pem")), "-untrusted",
                      certOut, certOut},
                     &out),
             0);
    QVERIFY2(out.contains(": OK"), out.constData());
    QByteArray keyPub;
    QByteArray certPub;
    QCOMPARE(runTool("openssl", {"pkey", "-in", keyOut, "-pubout"}, &keyPub), 0);
    QCOMPARE(runTool("openssl", {"x509", "-in", certOut, "-noout", "-pubkey"}, &certPub), 0);
    QCOMPARE(keyPub, certPub);

    // Existing outputs are not replaced without --force.
    Run again = ctl(issue);
    QCOMPARE(again.code, 3);
    QVERIFY2(again.err.contains("give --force"), again.err.constData());
}

void TestAcmeCommand::untrustedServerIsRefused()
{
    auto issuer = m_pebble->fetchIssuerPem();
    QVERIFY(issuer);
    QVERIFY(m_dir->write(QStringLiteral("wrong-root.pem"), issuer->root));
    Run r = ctl({"acme", "account", "new", "--directory", m_pebble->directoryUrl(), "--ca-file",
                 path(QStringLiteral("wrong-root.pem")), "--account-key",
                 path(QStringLiteral("untrusted.key")), "--agree-tos"});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("TLS certificate is not trusted"), r.err.constData());
}

void TestAcmeCommand::issueWildcardWithDns01()
{
    BindFixture bind;
    QVERIFY2(bind.start(QStringLiteral("dns01.test")), qPrintable(bind.errorString()));
    PebbleFixture pebble;
    PebbleFixture::Options opt;
    opt.dnsServerPort = bind.port();
    opt.authzReusePercent = 0;
    QVERIFY2(pebble.start(opt), qPrintable(pebble.errorString()));
    const QString account = path(QStringLiteral("dns-account.key"));
    const QString certOut = path(QStringLiteral("wild.pem"));
    Run r = ctl({"acme",
                 "issue",
                 "--directory",
                 pebble.directoryUrl(),
                 "--ca-file",
                 pebble.caFile(),
                 "--account-key",
                 account,
                 "--agree-tos",
                 "-d",
                 "*.dns01.test",
                 "-d",
                 "dns01.test",
                 "--challenge",
                 "dns-01",
                 "--dns-server",
                 QStringLiteral("127.0.0.1:%1").arg(bind.port()),
                 "--tsig-key-file",
                 bind.keyFilePath(),
                 "--key-out",
                 path(QStringLiteral("wild.key")),
                 "--cert-out",
                 certOut});
    // The account key must exist first.
    QCOMPARE(r.code, 3);
    Run made = ctl({"acme", "account", "new", "--directory", pebble.directoryUrl(), "--ca-file",
                    pebble.caFile(), "--account-key", account, "--agree-tos"});
    QVERIFY2(made.code == 0, made.err.constData());
    r = ctl({"acme",
             "issue",
             "--directory",
             pebble.directoryUrl(),
             "--ca-file",
             pebble.caFile(),
             "--account-key",
             account,
             "-d",
             "*.dns01.test",
             "-d",
             "dns01.test",
             "--challenge",
             "dns-01",
             "--dns-server",
             QStringLiteral("127.0.0.1:%1").arg(bind.port()),
             "--tsig-key-file",
             bind.keyFilePath(),
             "--key-out",
             path(QStringLiteral("wild.key")),
             "--cert-out",
             certOut});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("dns:*.dns01.test"), r.out.constData());
    QByteArray sans;
    QCOMPARE(
        runTool("openssl", {"x509", "-in", certOut, "-noout", "-ext", "subjectAltName"}, &sans), 0);
    QVERIFY2(sans.contains("DNS:*.dns01.test"), sans.constData());
    QCOMPARE(bind.query(QStringLiteral("_acme-challenge.dns01.test"), QStringLiteral("TXT"))
                 .value_or(QStringList{"no answer"}),
             QStringList());

    // The same through --dns-hook: a script around nsupdate.
    const QString hook = path(QStringLiteral("hook.sh"));
    QVERIFY(m_dir->write(
        QStringLiteral("hook.sh"),
        QStringLiteral("#!/bin/sh\n"
                       "case \"$CERTDECK_ACME_ACTION\" in present) op=add;; *) op=delete;; esac\n"
                       "printf 'server 127.0.0.1 %1\\nupdate %s %s. 60 TXT \"%s\"\\nsend\\n' "
                       "\"$op\" \"$CERTDECK_ACME_RECORD\" \"$CERTDECK_ACME_VALUE\" "
                       "| nsupdate -k %2\n")
            .arg(bind.port())
            .arg(bind.keyFilePath())
            .toUtf8()));
    QVERIFY(QFile::setPermissions(hook, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    Run hooked =
        ctl({"acme", "issue", "--directory", pebble.directoryUrl(), "--ca-file", pebble.caFile(),
             "--account-key", account, "-d", "hook.dns01.test", "--challenge", "dns-01",
             "--dns-hook", hook, "--key-out", path(QStringLiteral("hook.key")), "--cert-out",
             path(QStringLiteral("hook.pem"))});
    QVERIFY2(hooked.code == 0, hooked.err.constData());
    QVERIFY(QFileInfo::exists(path(QStringLiteral("hook.pem"))));
}

void TestAcmeCommand::issueWithTlsAlpn01()
{
    const QString account = path(QStringLiteral("alpn-account.key"));
    const QString certOut = path(QStringLiteral("alpn.pem"));
    Run made = ctl(QStringList{"acme", "account", "new"} + server() +
                   QStringList{"--account-key", account, "--agree-tos"});
    QVERIFY2(made.code == 0, made.err.constData());
    Run r = ctl(QStringList{"acme", "issue"} + server() +
                QStringList{"--account-key", account, "-d", "alpn.cli.test", "--ip", "127.0.0.1",
                            "--challenge", "tls-alpn-01", "--tls-port",
                            QString::number(m_pebble->tlsPort()), "--http-address", "127.0.0.1",
                            "--key-out", path(QStringLiteral("alpn.key")), "--cert-out", certOut,
                            "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("authorizations").toArray().size(), 2);
    QByteArray sans;
    QCOMPARE(
        runTool("openssl", {"x509", "-in", certOut, "-noout", "-ext", "subjectAltName"}, &sans), 0);
    QVERIFY2(sans.contains("IP Address:127.0.0.1") && sans.contains("DNS:alpn.cli.test"),
             sans.constData());
}

void TestAcmeCommand::revokeWithReason()
{
    // Uses the certificate issueWithTlsAlpn01 wrote, and its account.
    const QString certOut = path(QStringLiteral("alpn.pem"));
    QVERIFY(QFileInfo::exists(certOut));
    QByteArray serial;
    QCOMPARE(runTool("openssl", {"x509", "-in", certOut, "-noout", "-serial"}, &serial), 0);
    serial = serial.trimmed().mid(serial.indexOf('=') + 1).toLower();
    auto status = [&] {
        const auto body =
            m_pebble->management("/cert-status-by-serial/" + QString::fromLatin1(serial));
        return body ? QJsonDocument::fromJson(*body).object() : QJsonObject();
    };
    QCOMPARE(status().value("Status").toString(), QStringLiteral("Valid"));

    Run bad = ctl(QStringList{"acme", "revoke"} + server() +
                  QStringList{"--cert", certOut, "--account-key", path("alpn-account.key"),
                              "--reason", "caCompromise"});
    QCOMPARE(bad.code, 3);
    QVERIFY2(bad.err.contains("unknown --reason"), bad.err.constData());

    Run r = ctl(QStringList{"acme", "revoke"} + server() +
                QStringList{"--cert", certOut, "--account-key", path("alpn-account.key"),
                            "--reason", "keyCompromise", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("reason").toString(),
             QStringLiteral("keyCompromise"));
    QCOMPARE(status().value("Status").toString(), QStringLiteral("Revoked"));
    QCOMPARE(status().value("Reason").toInt(-1), 1);

    // Again, now signed by the certificate's key: already revoked.
    Run again = ctl(QStringList{"acme", "revoke"} + server() +
                    QStringList{"--cert", certOut, "--cert-key", path("alpn.key")});
    QCOMPARE(again.code, 3);
    QVERIFY2(again.err.contains("already revoked"), again.err.constData());
}

void TestAcmeCommand::accountLifecycle()
{
    const QString key = path(QStringLiteral("life.key"));
    const QString next = path(QStringLiteral("life-next.key"));
    const QStringList base = server() + QStringList{"--account-key", key};
    Run made =
        ctl(QStringList{"acme", "account", "new"} + base + QStringList{"--agree-tos", "--json"});
    QVERIFY2(made.code == 0, made.err.constData());
    const QString url = QJsonDocument::fromJson(made.out).object().value("account").toString();

    Run upd = ctl(QStringList{"acme", "account", "update"} + base +
                  QStringList{"--contact", "mailto:new@example.test", "--json"});
    QVERIFY2(upd.code == 0, upd.err.constData());
    QCOMPARE(QJsonDocument::fromJson(upd.out).object().value("contact").toArray().at(0).toString(),
             QStringLiteral("mailto:new@example.test"));

    Run roll = ctl(QStringList{"acme", "account", "rollover"} + base +
                   QStringList{"--new-key", next, "--json"});
    QVERIFY2(roll.code == 0, roll.err.constData());
    QCOMPARE(QJsonDocument::fromJson(roll.out).object().value("account").toString(), url);
    QCOMPARE(QFileInfo(next).permissions() & 0x0077, QFile::Permissions());
    // The old key no longer finds the account; the new one does.
    Run old = ctl(QStringList{"acme", "account", "show"} + base);
    QCOMPARE(old.code, 3);
    const QStringList nextBase = server() + QStringList{"--account-key", next};
    Run shown = ctl(QStringList{"acme", "account", "show"} + nextBase + QStringList{"--json"});
    QVERIFY2(shown.code == 0, shown.err.constData());
    QCOMPARE(QJsonDocument::fromJson(shown.out).object().value("account").toString(), url);

    Run unsure = ctl(QStringList{"acme", "account", "deactivate"} + nextBase);
    QCOMPARE(unsure.code, 3);
    QVERIFY2(unsure.err.contains("cannot be undone"), unsure.err.constData());
    Run off = ctl(QStringList{"acme", "account", "deactivate"} + nextBase +
                  QStringList{"--force", "--json"});
    QVERIFY2(off.code == 0, off.err.constData());
    QCOMPARE(QJsonDocument::fromJson(off.out).object().value("status").toString(),
             QStringLiteral("deactivated"));
}

void TestAcmeCommand::renewalInfoNotServed()
{
    auto issuer = m_pebble->fetchIssuerPem();
    QVERIFY(issuer);
    QVERIFY(m_dir->write(QStringLiteral("intermediate.pem"), issuer->intermediate));
    // No inventory at CERTDECK_DB: none is created by asking.
    QProcessEnvironment env;
    env.insert("CERTDECK_DB", path(QStringLiteral("no-such-store.sqlite")));
    Run r = ctl(QStringList{"acme", "renewal-info"} + server() +
                    QStringList{"--cert", path(QStringLiteral("intermediate.pem"))},
                env);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("offers no renewal information (ARI)"), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("no-such-store.sqlite"))));
}

void TestAcmeCommand::issueReplacesWithoutAri()
{
    // The account and certificate issueForNamesAndIp made.
    const QString account = path(QStringLiteral("issue-account.key"));
    const QString old = path(QStringLiteral("site.pem"));
    QVERIFY(QFileInfo::exists(account) && QFileInfo::exists(old));
    const QString keyOut = path(QStringLiteral("renewed.key"));
    const QString certOut = path(QStringLiteral("renewed.pem"));
    const auto issue = [&](const QString& replaces) {
        return ctl(QStringList{"acme", "issue"} + server() +
                   QStringList{"--account-key", account, "-d", "www.cli.test", "--http-port",
                               QString::number(m_pebble->httpPort()), "--http-address", "127.0.0.1",
                               "--key-out", keyOut, "--cert-out", certOut, "--replaces", replaces,
                               "--json"});
    };
    // Not a certificate: refused before anything is asked or written.
    QVERIFY(m_dir->write(QStringLiteral("not-a-cert.pem"), "hello\n"));
    Run bad = issue(path(QStringLiteral("not-a-cert.pem")));
    QCOMPARE(bad.code, 3);
    QVERIFY2(bad.err.contains("holds no certificate"), bad.err.constData());
    QVERIFY(!QFileInfo::exists(keyOut) && !QFileInfo::exists(certOut));

    // Pebble offers no ARI: a note on stderr, no "replaces", and the
    // certificate is issued all the same.
    Run r = issue(old);
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.err.contains("the CA offers no renewal information (ARI), so the order does not "
                            "name the certificate it replaces"),
             r.err.constData());
    QCOMPARE(r.err.count("renewal information"), 1);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("replacesSent").toBool(true), false);
    QByteArray out;
    QCOMPARE(runTool("openssl",
                     {"verify", "-CAfile", path(QStringLiteral("pebble-root.pem")), "-untrusted",
                      certOut, certOut},
                     &out),
             0);
    QVERIFY2(out.contains(": OK"), out.constData());
}

void TestAcmeCommand::renewalInfoHonoursStoredRetryAfter()
{
    const QString certFile = path(QStringLiteral("site.pem"));
    QVERIFY(QFileInfo::exists(certFile));
    const QString db = path(QStringLiteral("ari.sqlite"));
    QProcessEnvironment env;
    env.insert("CERTDECK_DB", db);
    const auto cert = certdeck::crypto::CertificateReader::readFile(certFile);
    QVERIFY(cert && !cert->certificates.isEmpty());
    const QString sha256 = QString::fromLatin1(
        cert->certificates.first().fingerprint(QCryptographicHash::Sha256).toHex());

    // Not in the inventory, no stored window: renewal-info asks Pebble, which
    // has no ARI.
    {
        auto store = certdeck::inventory::Store::openSqlite(db);
        QVERIFY(store);
    }
    Run asked =
        ctl(QStringList{"acme", "renewal-info"} + server() + QStringList{"--cert", certFile}, env);
    QCOMPARE(asked.code, 3);
    QVERIFY2(asked.err.contains("offers no renewal information (ARI)"), asked.err.constData());

    // A window kept from an earlier answer, with a Retry-After still ahead.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    certdeck::inventory::RenewalWindow w;
    w.windowStartUtc = QDateTime(now.date().addDays(10), QTime(0, 0), Qt::UTC);
    w.windowEndUtc = w.windowStartUtc.addDays(2);
    w.explanationUrl = QStringLiteral("https://ca.example.test/why");
    w.retryAfterUtc = QDateTime(now.date().addDays(1), QTime(6, 0), Qt::UTC);
    {
        auto store = certdeck::inventory::Store::openSqlite(db);
        QVERIFY(store);
        QVERIFY((*store)->certificates().upsert(cert->certificates.first()));
        auto kept = (*store)->certificates().setRenewalWindow(sha256, w);
        QVERIFY2(kept, qPrintable(kept ? QString() : kept.error().toString()));
    }
    const QString start = w.windowStartUtc.toString(Qt::ISODate);
    const QString end = w.windowEndUtc.toString(Qt::ISODate);
    const QString retry = w.retryAfterUtc.toString(Qt::ISODate);
    // Pebble is not asked (it would answer "no ARI"): the stored window is shown.
    Run stored =
        ctl(QStringList{"acme", "renewal-info"} + server() + QStringList{"--cert", certFile}, env);
    QVERIFY2(stored.code == 0, stored.err.constData());
    QVERIFY2(stored.out.contains(("Renew between " + start + " and " + end).toUtf8()),
             stored.out.constData());
    QVERIFY(stored.out.contains("Explanation   https://ca.example.test/why"));
    QVERIFY(stored.out.contains(("Ask again     not before " + retry).toUtf8()));
    QVERIFY(stored.out.contains("Inventory     kept with certificate"));
    QVERIFY2(stored.err.contains(("not to be asked again before " + retry).toUtf8()),
             stored.err.constData());
    QVERIFY(stored.err.contains("--force asks now"));
    Run json = ctl(QStringList{"acme", "renewal-info"} + server() +
                       QStringList{"--cert", certFile, "--json"},
                   env);
    QCOMPARE(json.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(json.out).object();
    QCOMPARE(o.value("fromStore").toBool(), true);
    QCOMPARE(o.value("stored").toBool(), true);
    QCOMPARE(o.value("sha256").toString(), sha256);
    QCOMPARE(o.value("windowStart").toString(), start);
    QCOMPARE(o.value("retryAfter").toString(), retry);

    // --force asks before the Retry-After: Pebble says it has no ARI, and the
    // stored window is kept as it was.
    Run forced = ctl(QStringList{"acme", "renewal-info"} + server() +
                         QStringList{"--cert", certFile, "--force"},
                     env);
    QCOMPARE(forced.code, 3);
    QVERIFY2(forced.err.contains("offers no renewal information (ARI)"), forced.err.constData());
    auto store = certdeck::inventory::Store::openSqlite(db);
    QVERIFY(store);
    auto still = (*store)->certificates().renewalWindow(sha256);
    QVERIFY(still && still->has_value());
    QCOMPARE((*still)->windowStartUtc, w.windowStartUtc);
    QCOMPARE((*still)->retryAfterUtc, w.retryAfterUtc);
}

void TestAcmeCommand::storedAccountLifecycle()
{
    // A fresh store of this run, with a vault.
    const QString db = path(QStringLiteral("stored-accounts.sqlite"));
    QProcessEnvironment env;
    env.insert("CERTDECK_DB", db);
    env.insert("ACME_VAULT_PASS", "stored account passphrase");
    const QStringList vault{"--vault-passphrase-env", "ACME_VAULT_PASS"};
    Run init = ctl({"vault", "init", "--passphrase-env", "ACME_VAULT_PASS"}, env);
    QVERIFY2(init.code == 0, init.err.constData());

    // Without the master passphrase nothing is made, and nothing is written.
    Run noPass =
        ctl(QStringList{"acme", "account", "new"} + server() + QStringList{"--agree-tos"}, env);
    QCOMPARE(noPass.code, 3);
    QVERIFY2(noPass.err.contains("--vault-passphrase-file"), noPass.err.constData());

    Run made = ctl(QStringList{"acme", "account", "new"} + server() + vault +
                       QStringList{"--name", "pebble", "--contact", "mailto:stored@example.test",
                                   "--agree-tos", "--json"},
                   env);
    QVERIFY2(made.code == 0, made.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(made.out).object();
    QCOMPARE(o.value("stored").toBool(), true);
    QCOMPARE(o.value("name").toString(), QStringLiteral("pebble"));
    QCOMPARE(o.value("status").toString(), QStringLiteral("valid"));
    QCOMPARE(o.value("keyAlgorithm").toString(), QStringLiteral("ES256"));
    const QString thumbprint = o.value("keyThumbprint").toString();
    QCOMPARE(thumbprint.size(), 43);

    // The key is in the store only as ciphertext: neither its PKCS#8 DER,
    // nor its PEM, nor the bare private scalar appears in the database files.
    {
        auto store = certdeck::inventory::Store::openUrl(db);
        QVERIFY(store);
        auto issuers = (*store)->issuers().list();
        QVERIFY(issuers && issuers->size() == 1);
        certdeck::inventory::KeyVault kv(**store);
        QVERIFY(kv.unlock("stored account passphrase"));
        auto key = kv.loadKey(*issuers->constFirst().accountKeyId);
        QVERIFY(key);
        const QByteArray der = key->toPkcs8Der();
        const QByteArray pem = key->toPkcs8Pem();
        QVERIFY(m_dir->write(QStringLiteral("stored-account.pem"), pem));
        QByteArray text;
        QCOMPARE(
            runTool("openssl",
                    {"pkey", "-in", path(QStringLiteral("stored-account.pem")), "-noout", "-text"},
                    &text),
            0);
        QFile::remove(path(QStringLiteral("stored-account.pem")));
        // "priv:" then hex lines up to "pub:".
        const qsizetype from = text.indexOf("priv:") + 5;
        QByteArray scalar = QByteArray::fromHex(text.mid(from, text.indexOf("pub:") - from)
                                                    .replace(':', "")
                                                    .simplified()
                                                    .replace(' ', ""));
        if (scalar.size() == 33 && scalar.at(0) == 0) {
            scalar.remove(0, 1); // printed with a sign byte
        }
        QCOMPARE(scalar.size(), 32);
        QByteArray bytes;
        for (const QString& f : {db, db + QStringLiteral("-wal")}) {
            QFile file(f);
            if (file.open(QIODevice::ReadOnly)) {
                bytes += file.readAll();
            }
        }
        QVERIFY(bytes.size() > 4096);
        QVERIFY(!bytes.contains(der));
        QVERIFY(!bytes.contains(scalar));
        QVERIFY(!bytes.contains("PRIVATE KEY"));
        QVERIFY(!bytes.contains(pem.mid(28, 40)));
    }

    Run list = ctl({"acme", "account", "list", "--json"}, env);
    QVERIFY2(list.code == 0, list.err.constData());
    const QJsonArray accounts =
        QJsonDocument::fromJson(list.out).object().value("accounts").toArray();
    QCOMPARE(accounts.size(), 1);
    QCOMPARE(accounts.at(0).toObject().value("keyThumbprint").toString(), thumbprint);
    QCOMPARE(accounts.at(0).toObject().value("contact").toArray().at(0).toString(),
             QStringLiteral("mailto:stored@example.test"));

    // Issue with the stored account: found as the only one for --directory.
    const QString keyOut = path(QStringLiteral("stored-site.key"));
    const QString certOut = path(QStringLiteral("stored-site.pem"));
    // With the inventory's debug log: the command opens (checks and
    // migrates) the store once, though both the account lookup and the key
    // load read it.
    QProcessEnvironment logged = env;
    logged.insert("CERTDECK_LOG", "inventory");
    // It is for an endpoint of the inventory: attached there.
    Run added = ctl({"fleet", "add", "stored.cli.test:8443"}, env);
    QVERIFY2(added.code == 0, added.err.constData());
    Run other = ctl({"fleet", "add", "other.cli.test:443"}, env);
    QVERIFY2(other.code == 0, other.err.constData());
    const QStringList issueArgs =
        QStringList{"acme", "issue", "--directory", m_pebble->directoryUrl()} + vault +
        QStringList{"-d",
                    "stored.cli.test",
                    "--http-port",
                    QString::number(m_pebble->httpPort()),
                    "--http-address",
                    "127.0.0.1",
                    "--key-out",
                    keyOut,
                    "--cert-out",
                    certOut};
    // An endpoint the names do not cover, or one not in the inventory, is
    // refused before anything is sent (no file, no record).
    Run uncovered = ctl(issueArgs + QStringList{"--endpoint", "other.cli.test"}, env);
    QCOMPARE(uncovered.code, 3);
    QVERIFY2(uncovered.err.contains("does not cover other.cli.test"), uncovered.err.constData());
    QVERIFY(!uncovered.err.contains("Authorization"));
    Run unknown = ctl(issueArgs + QStringList{"--endpoint", "nowhere.cli.test:443"}, env);
    QCOMPARE(unknown.code, 3);
    QVERIFY2(unknown.err.contains("nowhere.cli.test:443 is not in the inventory"),
             unknown.err.constData());
    QVERIFY(!QFileInfo::exists(keyOut));

    Run issued = ctl(issueArgs + QStringList{"--endpoint", "stored.cli.test:8443"}, logged);
    QVERIFY2(issued.code == 0, issued.err.constData());
    QCOMPARE(issued.err.count("checked and migrated once"), 1);
    QVERIFY2(issued.err.contains("using the stored account 'pebble'"), issued.err.constData());
    QVERIFY2(issued.out.contains("Endpoint      stored.cli.test:8443 (issued;"),
             issued.out.constData());
    QByteArray certText;
    QCOMPARE(
        runTool("openssl", {"x509", "-in", certOut, "-noout", "-ext", "subjectAltName"}, &certText),
        0);
    QVERIFY2(certText.contains("stored.cli.test"), certText.constData());
    QByteArray serialText;
    QCOMPARE(runTool("openssl", {"x509", "-in", certOut, "-noout", "-serial"}, &serialText), 0);
    const QString serial = QString::fromLatin1(serialText.trimmed().mid(7)).toLower();

    // The record: leaf and chain, its key sealed (the one in --key-out), the
    // account as issuer, source acme; the endpoint's current certificate;
    // an audit entry.
    {
        auto store = certdeck::inventory::Store::openUrl(db);
        QVERIFY(store);
        auto endpoint = (*store)->endpoints().resolve(QStringLiteral("stored.cli.test:8443"));
        QVERIFY(endpoint);
        auto versions = (*store)->certificates().versions(endpoint->id);
        QVERIFY(versions && versions->size() == 1);
        QCOMPARE(versions->constFirst().state, certdeck::inventory::VersionState::Issued);
        auto chain = (*store)->certificates().chain(versions->constFirst().certificateId);
        QVERIFY(chain);
        QVERIFY2(chain->size() >= 2, "the chain above the leaf is recorded");
        const auto& leaf = chain->constFirst();
        QCOMPARE(leaf.serialHex.toLower().remove(u':'), serial.toLower().remove(u':'));
        QCOMPARE(leaf.source, certdeck::inventory::CertificateSource::Acme);
        auto issuers = (*store)->issuers().list();
        QVERIFY(issuers && issuers->size() == 1);
        QCOMPARE(leaf.issuerId, std::optional<qint64>(issuers->constFirst().id));
        QVERIFY(leaf.keyId.has_value());
        QVERIFY(!leaf.revocation.has_value());
        certdeck::inventory::KeyVault kv(**store);
        QVERIFY(kv.unlock("stored account passphrase"));
        auto key = kv.loadKey(*leaf.keyId);
        QVERIFY(key);
        QByteArray filePub;
        QCOMPARE(
            runTool("openssl", {"pkey", "-in", keyOut, "-pubout", "-outform", "DER"}, &filePub), 0);
        QCOMPARE(key->publicKeyDer(), filePub);
        auto audit = (*store)->activity().auditLog(50);
        QVERIFY(audit);
        bool audited = false;
        for (const auto& entry : *audit) {
            audited = audited || (entry.action == QLatin1String("certificate.issued") &&
                                  entry.subject.contains(QStringLiteral("account pebble")) &&
                                  entry.subject.contains(QStringLiteral("stored.cli.test:8443")));
        }
        QVERIFY2(audited, "the audit log has the issue");
    }

    // fleet show says the same as the store: the certificate, its chain, the
    // account that issued it and its key in the vault.
    Run fleetShow = ctl({"fleet", "show", "stored.cli.test:8443", "--json"}, env);
    QVERIFY2(fleetShow.code == 0, fleetShow.err.constData());
    const QJsonObject shownCert =
        QJsonDocument::fromJson(fleetShow.out).object().value("certificate").toObject();
    QCOMPARE(shownCert.value("serial").toString().toLower().remove(u':'),
             serial.toLower().remove(u':'));
    QCOMPARE(shownCert.value("source").toString(), QStringLiteral("acme"));
    QCOMPARE(shownCert.value("issuedBy").toObject().value("name").toString(),
             QStringLiteral("pebble"));
    QVERIFY(shownCert.value("key").toObject().value("id").toInteger() > 0);
    QVERIFY(shownCert.value("chain").toArray().size() >= 2);

    // Revoke it with the same stored account, picked by name: the record
    // says so from then on.
    Run revoked = ctl(QStringList{"acme", "revoke", "--account", "pebble", "--cert", certOut,
                                  "--reason", "superseded"} +
                          vault,
                      env);
    QVERIFY2(revoked.code == 0, revoked.err.constData());
    QVERIFY2(revoked.out.contains("reason: superseded"), revoked.out.constData());
    QVERIFY2(revoked.out.contains("marked revoked"), revoked.out.constData());
    {
        auto store = certdeck::inventory::Store::openUrl(db);
        QVERIFY(store);
        auto endpoint = (*store)->endpoints().resolve(QStringLiteral("stored.cli.test:8443"));
        QVERIFY(endpoint);
        auto versions = (*store)->certificates().versions(endpoint->id);
        QVERIFY(versions && !versions->isEmpty());
        auto record = (*store)->certificates().get(versions->constLast().certificateId);
        QVERIFY(record && record->revocation.has_value());
        QCOMPARE(record->revocation->foundBy, QStringLiteral("acme"));
        QCOMPARE(record->revocation->reason, QStringLiteral("superseded"));
    }
    Run afterRevoke = ctl({"fleet", "show", "stored.cli.test:8443", "--json"}, env);
    QVERIFY2(afterRevoke.code == 0, afterRevoke.err.constData());
    const QJsonObject revokedCert =
        QJsonDocument::fromJson(afterRevoke.out).object().value("certificate").toObject();
    QCOMPARE(revokedCert.value("status").toString(), QStringLiteral("REVOKED"));
    QCOMPARE(revokedCert.value("revocation").toObject().value("foundBy").toString(),
             QStringLiteral("acme"));

    // A wrong master passphrase is refused in words.
    QProcessEnvironment wrong;
    wrong.insert("CERTDECK_DB", db);
    wrong.insert("ACME_VAULT_PASS", "not it");
    Run refused = ctl(QStringList{"acme", "account", "show", "--account", "pebble"} + vault, wrong);
    QCOMPARE(refused.code, 3);
    QVERIFY2(refused.err.contains("wrong master passphrase"), refused.err.constData());

    // Rollover: the stored key is replaced, and the CA knows the account by it.
    // The account flow connects to the store the command opened.
    Run roll =
        ctl(QStringList{"acme", "account", "rollover", "--account", "pebble", "--json"} + vault,
            logged);
    QVERIFY2(roll.code == 0, roll.err.constData());
    QCOMPARE(roll.err.count("checked and migrated once"), 1);
    QVERIFY2(roll.err.contains("already checked, no migrations"), roll.err.constData());
    const QString rolled =
        QJsonDocument::fromJson(roll.out).object().value("keyThumbprint").toString();
    QVERIFY(rolled.size() == 43 && rolled != thumbprint);
    Run shown =
        ctl(QStringList{"acme", "account", "show", "--account", "1", "--json"} + vault, env);
    QVERIFY2(shown.code == 0, shown.err.constData());
    const QJsonObject s = QJsonDocument::fromJson(shown.out).object();
    QCOMPARE(s.value("keyThumbprint").toString(), rolled);
    QCOMPARE(s.value("account").toString(), o.value("account").toString());
    // The account key (rolled over in place) and the issued certificate's key.
    Run status = ctl({"vault", "status", "--json"}, env);
    QCOMPARE(QJsonDocument::fromJson(status.out).object().value("keys").toInt(), 2);
    // Both in use: the new key was stored with the swap, the old one deleted.
    Run checked = ctl({"store", "check"}, env);
    QVERIFY2(checked.code == 0, checked.out.constData());

    // Deactivated for good, and recorded so.
    Run off =
        ctl(QStringList{"acme", "account", "deactivate", "--account", "pebble", "--force"} + vault,
            env);
    QVERIFY2(off.code == 0, off.err.constData());
    Run after = ctl({"acme", "account", "list", "--json"}, env);
    QCOMPARE(QJsonDocument::fromJson(after.out)
                 .object()
                 .value("accounts")
                 .toArray()
                 .at(0)
                 .toObject()
                 .value("status")
                 .toString(),
             QStringLiteral("deactivated"));
}

void TestAcmeCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no action") << QStringList{"acme"} << QStringLiteral("needs an action");
    QTest::newRow("no directory") << QStringList{"acme", "account", "show", "--account-key", "x"}
                                  << QStringLiteral("--directory URL is required");
    QTest::newRow("http directory")
        << QStringList{"acme",          "account", "show", "--directory", "http://127.0.0.1/dir",
                       "--account-key", "x"}
        << QStringLiteral("must be an https URL");
    QTest::newRow("bad name") << QStringList{"acme",        "issue", "-d",        "bad_name.test",
                                             "--http-port", "80",    "--key-out", "k",
                                             "--cert-out",  "c"}
                              << QStringLiteral("is not a DNS name");
    QTest::newRow("tls-alpn-01 without port")
        << QStringList{"acme",        "issue",     "-d", "a.test",     "--challenge",
                       "tls-alpn-01", "--key-out", "k",  "--cert-out", "c"}
        << QStringLiteral("tls-alpn-01 needs --tls-port");
    QTest::newRow("unknown challenge")
        << QStringList{"acme",    "issue",     "-d", "a.test",     "--challenge",
                       "smtp-01", "--key-out", "k",  "--cert-out", "c"}
        << QStringLiteral("unknown --challenge 'smtp-01'; allowed: http-01, dns-01, tls-alpn-01");
    QTest::newRow("dns-01 without server")
        << QStringList{"acme",   "issue",     "-d", "a.test",     "--challenge",
                       "dns-01", "--key-out", "k",  "--cert-out", "c"}
        << QStringLiteral("dns-01 needs --dns-server and --tsig-key-file");
    QTest::newRow("missing account key")
        << QStringList{"acme",          "issue",       "-d",          "a.test",
                       "--http-port",   "80",          "--key-out",   "k",
                       "--cert-out",    "c",           "--directory", "https://127.0.0.1:1/dir",
                       "--account-key", "/nonexistent"}
        << QStringLiteral("does not exist");
    QTest::newRow("port and webroot")
        << QStringList{"acme",      "issue", "-d",        "a.test", "--http-port", "80",
                       "--webroot", "/tmp",  "--key-out", "k",      "--cert-out",  "c"}
        << QStringLiteral("give one of --http-port");
    QTest::newRow("half EAB") << QStringList{"acme",
                                             "account",
                                             "new",
                                             "--directory",
                                             "https://127.0.0.1:1/dir",
                                             "--account-key",
                                             "x",
                                             "--eab-kid",
                                             "kid-1"}
                              << QStringLiteral("needs --eab-kid and the MAC key");
}

void TestAcmeCommand::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    Run r = ctl(args);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(expected.toUtf8()), r.err.constData());
}

QTEST_GUILESS_MAIN(TestAcmeCommand)
#include "test_acme_command.moc"
