// SPDX-License-Identifier: GPL-3.0-or-later
// With every debug log on (--verbose, or CERTDECK_LOG=all), certdeckctl runs
// that handle secrets print none of them: vault passphrases, key passphrases,
// private keys (PEM body, DER, the private scalar read back by `openssl pkey
// -text`), the EAB MAC key given to an ACME account against the real Pebble,
// the TSIG secret of a dns-01 order against BIND, and keys held in a real
// GNOME Keyring. Each run must also have logged what it did, so an empty log
// cannot pass for a clean one.
#include "BindFixture.h"
#include "CtlRun.h"
#include "PebbleFixture.h"
#include "SecretServiceFixture.h"
#include "common/Logging.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/KeyringKeys.h"
#include "inventory/OsKeyring.h"
#include "inventory/Store.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;

namespace {

// How the logs are switched on for one run.
enum class LogSwitch
{
    VerboseFirst, ///< certdeckctl --verbose COMMAND ...
    VerboseAfter, ///< certdeckctl COMMAND ... --verbose
    EnvAll,       ///< CERTDECK_LOG=all
};

// The forms in which a secret could leak into a text log.
QList<QByteArray> encodings(const QByteArray& raw)
{
    QList<QByteArray> out{
        raw.toHex(), raw.toHex().toUpper(), raw.toBase64(),
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)};
    if (raw.size() >= 8) {
        out << raw;
    }
    return out;
}

// Names the first secret found in `log`, empty when there is none.
QString leakIn(const QByteArray& log, const QList<QPair<QString, QByteArray>>& secrets)
{
    for (const auto& [what, raw] : secrets) {
        for (const QByteArray& form : encodings(raw)) {
            if (log.contains(form)) {
                return what;
            }
        }
    }
    return {};
}

QStringList& captured()
{
    static QStringList lines;
    return lines;
}

void capture(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    captured() << qFormatLogMessage(type, context, message);
}

} // namespace

class TestLoggingSecrets : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void checkerFindsAPlantedSecret();
    void vaultPassphrasesStayOut_data();
    void vaultPassphrasesStayOut();
    void keyPassphraseAndKeyStayOut_data();
    void keyPassphraseAndKeyStayOut();
    void acmeEabKeyAndAccountKeyStayOut_data();
    void acmeEabKeyAndAccountKeyStayOut();
    void tsigSecretStaysOut();
    void osKeyringSecretsStayOut();
    void cleanupTestCase();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(QStringList args, LogSwitch how, const QProcessEnvironment& extra = {});
    QString secretFile(const QString& name, const QByteArray& content);
    QString path(const QString& name) const { return m_dir->filePath(name); }
    // PEM body lines, DER and private scalar of a key file, read back by the
    // openssl CLI (the oracle), with `passFile` when it is encrypted.
    QList<QPair<QString, QByteArray>> keyMaterial(const QString& keyFile,
                                                  const QString& passFile = {});
    void startPebble();

    QString m_ctl;
    std::unique_ptr<FixtureDir> m_dir;
    std::unique_ptr<PebbleFixture> m_pebble;
    std::unique_ptr<SecretServiceFixture> m_keyring;
    QMap<QString, QByteArray> m_eabKeys; ///< key ID -> raw MAC key
};

void TestLoggingSecrets::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFileInfo(m_ctl).isExecutable(), "CERTDECKCTL is not set to the binary");
    m_dir = std::make_unique<FixtureDir>();
}

void TestLoggingSecrets::cleanupTestCase()
{
    m_pebble.reset();
    m_keyring.reset();
}

TestLoggingSecrets::Run TestLoggingSecrets::ctl(QStringList args, LogSwitch how,
                                                const QProcessEnvironment& extra)
{
    QProcessEnvironment env = extra;
    if (how == LogSwitch::VerboseFirst) {
        args.prepend(QStringLiteral("--verbose"));
    } else if (how == LogSwitch::VerboseAfter) {
        args.append(QStringLiteral("--verbose"));
    } else {
        env.insert(QStringLiteral("CERTDECK_LOG"), QStringLiteral("all"));
    }
    // Only the switch under test turns logging on.
    return certdeck::test::runCtl(args, env, 120000,
                                  {QStringLiteral("CERTDECK_LOG"),
                                   QStringLiteral("QT_LOGGING_RULES"),
                                   QStringLiteral("QT_MESSAGE_PATTERN")});
}

QString TestLoggingSecrets::secretFile(const QString& name, const QByteArray& content)
{
    const QString file = path(name);
    return writePrivateFile(file, content + '\n') ? file : QString();
}

QList<QPair<QString, QByteArray>> TestLoggingSecrets::keyMaterial(const QString& keyFile,
                                                                  const QString& passFile)
{
    QList<QPair<QString, QByteArray>> out;
    QStringList passArgs;
    if (!passFile.isEmpty()) {
        passArgs = {QStringLiteral("-passin"), QStringLiteral("file:") + passFile};
    }
    QByteArray pem;
    if (runTool(QStringLiteral("openssl"), QStringList{"pkey", "-in", keyFile} + passArgs, &pem) !=
            0 ||
        !pem.startsWith("-----BEGIN PRIVATE KEY-----")) {
        return {};
    }
    QByteArray body;
    for (const QByteArray& line : pem.split('\n')) {
        if (line.startsWith("-----")) {
            continue;
        }
        body += line.trimmed();
        // Full lines only: a short last line could match by chance.
        if (line.trimmed().size() == 64) {
            out.append({QStringLiteral("a line of the key's PEM body"), line.trimmed()});
        }
    }
    out.append({QStringLiteral("the key's PKCS#8 DER"), QByteArray::fromBase64(body)});
    QByteArray text;
    if (runTool(QStringLiteral("openssl"),
                QStringList{"pkey", "-in", keyFile, "-noout", "-text"} + passArgs, &text) != 0) {
        return {};
    }
    // EC and Ed25519 print "priv:", RSA "privateExponent:", each followed by
    // indented lines of colon-separated hex.
    static const QRegularExpression block(
        QStringLiteral("(?:priv|privateExponent):\\s*\\n((?:[ \\t]+[0-9a-f:]+\\n)+)"));
    const auto m = block.match(QString::fromLatin1(text));
    if (!m.hasMatch()) {
        return {};
    }
    QByteArray scalar =
        QByteArray::fromHex(m.captured(1).remove(u':').simplified().remove(u' ').toLatin1());
    if (scalar.size() > 1 && scalar.at(0) == 0) {
        scalar.remove(0, 1); // printed with a sign byte
    }
    out.append({QStringLiteral("the private scalar"), scalar});
    return out;
}

void TestLoggingSecrets::checkerFindsAPlantedSecret()
{
    // The check itself must be able to fail.
    const QByteArray raw = QByteArray::fromHex("00112233445566778899aabbccddeeff");
    const QList<QPair<QString, QByteArray>> secrets{{QStringLiteral("planted"), raw}};
    QCOMPARE(leakIn("certdeck.acme: nothing here", secrets), QString());
    QCOMPARE(leakIn("certdeck.acme: " + raw.toHex(), secrets), QStringLiteral("planted"));
    QCOMPARE(leakIn("x " + raw.toBase64(QByteArray::Base64UrlEncoding) + " y", secrets),
             QStringLiteral("planted"));
    QCOMPARE(leakIn("x " + raw.toHex().toUpper(), secrets), QStringLiteral("planted"));
}

void TestLoggingSecrets::vaultPassphrasesStayOut_data()
{
    QTest::addColumn<LogSwitch>("how");
    QTest::newRow("--verbose first") << LogSwitch::VerboseFirst;
    QTest::newRow("--verbose after") << LogSwitch::VerboseAfter;
    QTest::newRow("CERTDECK_LOG=all") << LogSwitch::EnvAll;
}

void TestLoggingSecrets::vaultPassphrasesStayOut()
{
    QFETCH(LogSwitch, how);
    const QString tag = QString::fromLatin1(QTest::currentDataTag()).remove(u' ');
    const QByteArray oldPass = "old vault passphrase " + tag.toLatin1();
    const QByteArray newPass = "new vault passphrase " + tag.toLatin1();
    const QString oldFile = secretFile(QStringLiteral("old-%1.txt").arg(tag), oldPass);
    const QString newFile = secretFile(QStringLiteral("new-%1.txt").arg(tag), newPass);
    QVERIFY(!oldFile.isEmpty() && !newFile.isEmpty());
    const QString db = path(QStringLiteral("vault-%1.sqlite").arg(tag));
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"), db);

    Run init = ctl({"vault", "init", "--passphrase-file", oldFile}, how, env);
    QVERIFY2(init.code == 0, init.err.constData());
    QVERIFY2(init.err.contains("certdeck.inventory: vault initialised: scrypt N"),
             init.err.constData());

    // A key in the vault, so the change has something to re-encrypt.
    crypto::PrivateKey key;
    {
        auto generated = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
        QVERIFY(generated);
        key = *generated;
        auto store = inventory::Store::openSqlite(db);
        QVERIFY(store);
        inventory::KeyVault vault(**store);
        QVERIFY(vault.unlock(oldPass));
        QVERIFY(vault.storeKey(key));
    }
    QVERIFY(m_dir->write(QStringLiteral("vault-key-%1.pem").arg(tag), key.toPkcs8Pem()));
    auto secrets = keyMaterial(path(QStringLiteral("vault-key-%1.pem").arg(tag)));
    QFile::remove(path(QStringLiteral("vault-key-%1.pem").arg(tag)));
    QVERIFY(secrets.size() >= 3);
    secrets.append({QStringLiteral("the old passphrase"), oldPass});
    secrets.append({QStringLiteral("the new passphrase"), newPass});

    Run wrong = ctl({"vault", "change-passphrase", "--passphrase-file", newFile,
                     "--new-passphrase-file", oldFile},
                    how, env);
    QCOMPARE(wrong.code, 3);
    QVERIFY2(wrong.err.contains("certdeck.inventory: vault passphrase change refused"),
             wrong.err.constData());
    Run change = ctl({"vault", "change-passphrase", "--passphrase-file", oldFile,
                      "--new-passphrase-file", newFile},
                     how, env);
    QVERIFY2(change.code == 0, change.err.constData());
    QVERIFY2(change.err.contains("certdeck.inventory: vault passphrase changed: 1 key(s) "
                                 "re-encrypted"),
             change.err.constData());
    QVERIFY2(change.err.contains("certdeck.cli: vault ended with exit code 0"),
             change.err.constData());
    Run status = ctl({"vault", "status", "--passphrase-file", newFile}, how, env);
    QVERIFY2(status.code == 0, status.err.constData());
    QVERIFY2(status.err.contains("certdeck.inventory: vault unlocked"), status.err.constData());

    for (const Run* r : {&init, &wrong, &change, &status}) {
        const QString leak = leakIn(r->all(), secrets);
        QVERIFY2(leak.isEmpty(), qPrintable(leak + QStringLiteral(" is in the output:\n") +
                                            QString::fromUtf8(r->all())));
    }
}

void TestLoggingSecrets::keyPassphraseAndKeyStayOut_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<LogSwitch>("how");
    QTest::newRow("p256, --verbose") << QStringLiteral("p256") << LogSwitch::VerboseAfter;
    QTest::newRow("rsa2048, CERTDECK_LOG=all") << QStringLiteral("rsa2048") << LogSwitch::EnvAll;
    QTest::newRow("ed25519, --verbose first")
        << QStringLiteral("ed25519") << LogSwitch::VerboseFirst;
}

void TestLoggingSecrets::keyPassphraseAndKeyStayOut()
{
    QFETCH(QString, type);
    QFETCH(LogSwitch, how);
    const QByteArray pass = "key passphrase for " + type.toLatin1();
    const QString passFile = secretFile(QStringLiteral("key-pass-%1.txt").arg(type), pass);
    const QString keyFile = path(QStringLiteral("key-%1.pem").arg(type));
    Run made =
        ctl({"key", "new", "--type", type, "--out", keyFile, "--passphrase-file", passFile}, how);
    QVERIFY2(made.code == 0, made.err.constData());
    QVERIFY2(made.err.contains("certdeck.crypto: generated a"), made.err.constData());
    QVERIFY2(made.err.contains("certdeck.crypto: encrypted a private key as PKCS#8"),
             made.err.constData());
    // Read back through certdeckctl too: the decryption path logs as well.
    Run shown = ctl({"key", "show", keyFile, "--passphrase-file", passFile}, how);
    QVERIFY2(shown.code == 0, shown.err.constData());
    QVERIFY2(shown.err.contains("certdeck.crypto: read a private key from"), shown.err.constData());
    QVERIFY2(shown.err.contains("(encrypted)"), shown.err.constData());

    auto secrets = keyMaterial(keyFile, passFile);
    QVERIFY2(secrets.size() >= 3, "openssl could not read the key back");
    secrets.append({QStringLiteral("the key's passphrase"), pass});
    for (const Run* r : {&made, &shown}) {
        const QString leak = leakIn(r->all(), secrets);
        QVERIFY2(leak.isEmpty(), qPrintable(leak + QStringLiteral(" is in the output:\n") +
                                            QString::fromUtf8(r->all())));
    }
}

void TestLoggingSecrets::startPebble()
{
    if (m_pebble) {
        return;
    }
    auto* rng = QRandomGenerator::system();
    PebbleFixture::Options opt;
    opt.externalAccountBindingRequired = true;
    opt.authzReusePercent = 0;
    for (const QString& kid : {QStringLiteral("kid-verbose"), QStringLiteral("kid-env")}) {
        QByteArray mac(32, Qt::Uninitialized);
        rng->fillRange(reinterpret_cast<quint32*>(mac.data()), mac.size() / 4);
        m_eabKeys.insert(kid, mac);
        opt.eabKeys.insert(kid, QString::fromLatin1(mac.toBase64(QByteArray::Base64UrlEncoding |
                                                                 QByteArray::OmitTrailingEquals)));
    }
    m_pebble = std::make_unique<PebbleFixture>();
    if (!m_pebble->start(opt)) {
        const QString why = m_pebble->errorString();
        m_pebble.reset();
        QFAIL(qPrintable(why));
    }
}

void TestLoggingSecrets::acmeEabKeyAndAccountKeyStayOut_data()
{
    QTest::addColumn<QString>("kid");
    QTest::addColumn<LogSwitch>("how");
    QTest::newRow("--verbose") << QStringLiteral("kid-verbose") << LogSwitch::VerboseAfter;
    QTest::newRow("CERTDECK_LOG=all") << QStringLiteral("kid-env") << LogSwitch::EnvAll;
}

void TestLoggingSecrets::acmeEabKeyAndAccountKeyStayOut()
{
    QFETCH(QString, kid);
    QFETCH(LogSwitch, how);
    startPebble();
    QVERIFY(m_pebble);
    const QByteArray mac = m_eabKeys.value(kid);
    const QString macFile =
        secretFile(kid + QStringLiteral(".mac"),
                   mac.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    const QStringList server{"--directory", m_pebble->directoryUrl(), "--ca-file",
                             m_pebble->caFile()};
    const QStringList eab{"--eab-kid", kid, "--eab-hmac-file", macFile};
    const QString accountKey = path(kid + QStringLiteral("-account.key"));

    Run made = ctl(QStringList{"acme", "account", "new"} + server + eab +
                       QStringList{"--account-key", accountKey, "--agree-tos", "--json"},
                   how);
    QVERIFY2(made.code == 0, made.err.constData());
    QCOMPARE(QJsonDocument::fromJson(made.out).object().value("created").toBool(), true);
    QVERIFY2(
        made.err.contains("certdeck.acme: POST " + m_pebble->directoryUrl().toUtf8().chopped(3)),
        made.err.constData());
    QVERIFY2(made.err.contains("with external account binding, key ID " + kid.toUtf8()),
             made.err.constData());
    QVERIFY2(made.err.contains("certdeck.acme: account created:"), made.err.constData());

    // An order with the account: the order flow and the challenge logs.
    const QString certKey = path(kid + QStringLiteral("-site.key"));
    Run issued = ctl(QStringList{"acme", "issue"} + server + eab +
                         QStringList{"--account-key", accountKey, "--agree-tos", "-d",
                                     kid + QStringLiteral(".logs.test"), "--challenge", "http-01",
                                     "--http-port", QString::number(m_pebble->httpPort()),
                                     "--http-address", "127.0.0.1", "--key-out", certKey,
                                     "--cert-out", path(kid + QStringLiteral("-site.pem"))},
                     how);
    QVERIFY2(issued.code == 0, issued.err.constData());
    QVERIFY2(issued.err.contains("certdeck.acme: order:"), issued.err.constData());
    QVERIFY2(issued.err.contains("certificate issued"), issued.err.constData());

    auto secrets = keyMaterial(accountKey);
    QVERIFY2(secrets.size() >= 3, "openssl could not read the account key back");
    const auto certKeySecrets = keyMaterial(certKey);
    QVERIFY2(certKeySecrets.size() >= 3, "openssl could not read the certificate key back");
    secrets += certKeySecrets;
    secrets.append({QStringLiteral("the EAB MAC key"), mac});
    for (const Run* r : {&made, &issued}) {
        const QString leak = leakIn(r->all(), secrets);
        QVERIFY2(leak.isEmpty(), qPrintable(leak + QStringLiteral(" is in the output:\n") +
                                            QString::fromUtf8(r->all())));
    }
}

void TestLoggingSecrets::tsigSecretStaysOut()
{
    BindFixture bind;
    QVERIFY2(bind.start(QStringLiteral("logs.test")), qPrintable(bind.errorString()));
    PebbleFixture pebble;
    PebbleFixture::Options opt;
    opt.dnsServerPort = bind.port();
    opt.authzReusePercent = 0;
    QVERIFY2(pebble.start(opt), qPrintable(pebble.errorString()));
    const QStringList server{"--directory", pebble.directoryUrl(), "--ca-file", pebble.caFile()};
    const QString account = path(QStringLiteral("dns-account.key"));
    QCOMPARE(ctl(QStringList{"acme", "account", "new"} + server +
                     QStringList{"--account-key", account, "--agree-tos"},
                 LogSwitch::EnvAll)
                 .code,
             0);
    Run r = ctl(QStringList{"acme", "issue"} + server +
                    QStringList{"--account-key", account, "-d", "*.logs.test", "--challenge",
                                "dns-01", "--dns-server",
                                QStringLiteral("127.0.0.1:%1").arg(bind.port()), "--tsig-key-file",
                                bind.keyFilePath(), "--key-out", path(QStringLiteral("wild.key")),
                                "--cert-out", path(QStringLiteral("wild.pem"))},
                LogSwitch::VerboseAfter);
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.err.contains("certdeck.dns: UPDATE adding TXT _acme-challenge.logs.test"),
             r.err.constData());
    QVERIFY2(r.err.contains("signed with TSIG key " + bind.keyName().toUtf8()), r.err.constData());
    QVERIFY2(r.err.contains("answered NOERROR"), r.err.constData());
    QVERIFY2(r.err.contains("answer's TSIG verified"), r.err.constData());

    const QByteArray secret = QByteArray::fromBase64(bind.keySecretBase64());
    QCOMPARE(secret.size(), 32);
    auto secrets = keyMaterial(account);
    QVERIFY(secrets.size() >= 3);
    secrets += keyMaterial(path(QStringLiteral("wild.key")));
    secrets.append({QStringLiteral("the TSIG secret"), secret});
    const QString leak = leakIn(r.all(), secrets);
    QVERIFY2(leak.isEmpty(), qPrintable(leak + QStringLiteral(" is in the output:\n") +
                                        QString::fromUtf8(r.all())));
}

void TestLoggingSecrets::osKeyringSecretsStayOut()
{
    m_keyring = std::make_unique<SecretServiceFixture>();
    QVERIFY2(m_keyring->start(), qPrintable(m_keyring->errorString()));
    // Before the first D-Bus use in this process: only the private bus.
    QVERIFY2(m_keyring->useBusInThisProcess(), qPrintable(m_keyring->errorString()));

    // certdeckctl probes the keyring for `vault status`.
    const QByteArray pass = "vault passphrase with a keyring";
    const QString passFile = secretFile(QStringLiteral("keyring-vault.txt"), pass);
    QProcessEnvironment env;
    env.insert(QStringLiteral("CERTDECK_DB"), path(QStringLiteral("keyring.sqlite")));
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_keyring->busAddress());
    QCOMPARE(ctl({"vault", "init", "--passphrase-file", passFile}, LogSwitch::EnvAll, env).code, 0);
    Run status =
        ctl({"vault", "status", "--passphrase-file", passFile}, LogSwitch::VerboseAfter, env);
    QVERIFY2(status.code == 0, status.err.constData());
    QVERIFY2(status.out.contains("OS keyring: available"), status.out.constData());
    QVERIFY2(status.err.contains("certdeck.inventory: OS keyring read CertDeck/"),
             status.err.constData());
    QVERIFY2(!status.all().contains(pass), status.all().constData());

    // A key held in the keyring, stored and read back in this process with
    // every log on, caught as it would reach stderr.
    auto store = inventory::Store::openSqlite(path(QStringLiteral("keyring-keys.sqlite")));
    QVERIFY(store);
    auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    QVERIFY(key);
    logging::configure(true, QString());
    captured().clear();
    const QtMessageHandler previous = qInstallMessageHandler(capture);
    const inventory::OsKeyring keyring(QStringLiteral("CertDeck-logs"));
    inventory::KeyringKeys keys(**store, keyring);
    auto id = keys.storeKey(*key);
    auto loaded = id ? keys.loadKey(*id) : Result<crypto::PrivateKey>(tl::unexpected(id.error()));
    qInstallMessageHandler(previous);
    logging::configure(false, QString());
    QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error().toString()));
    const QByteArray log = captured().join(u'\n').toUtf8();
    QVERIFY2(log.contains("certdeck.inventory: OS keyring write CertDeck-logs/certdeck-key-"),
             log.constData());
    QVERIFY2(log.contains("held in the OS keyring as certdeck-key-"), log.constData());
    QVERIFY2(log.contains("read from the OS keyring entry"), log.constData());

    QVERIFY(m_dir->write(QStringLiteral("keyring-key.pem"), key->toPkcs8Pem()));
    const auto secrets = keyMaterial(path(QStringLiteral("keyring-key.pem")));
    QFile::remove(path(QStringLiteral("keyring-key.pem")));
    QVERIFY(secrets.size() >= 3);
    const QString leak = leakIn(log, secrets);
    QVERIFY2(leak.isEmpty(),
             qPrintable(leak + QStringLiteral(" is in the log:\n") + QString::fromUtf8(log)));
    QVERIFY(keyring.remove((*store)->keys().get(*id)->keyringId).has_value());
}

QTEST_GUILESS_MAIN(TestLoggingSecrets)
#include "test_logging_secrets.moc"
