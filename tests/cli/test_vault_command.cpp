// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl vault init|status|change-passphrase, run as a user would;
// the stored key is then opened through the library to see what changed.
#include "CtlRun.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;

class TestVaultCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void statusBeforeInitIsAWarning();
    void initNeedsAPassphraseFromFileOrEnv();
    void statusChecksThePassphrase();
    void changePassphraseReencryptsStoredKeys();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(QStringList args, const QProcessEnvironment& extraEnv = {});
    QString writeSecret(const QString& name, const QByteArray& line);
    QString m_ctl;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_db;
};

TestVaultCommand::Run TestVaultCommand::ctl(QStringList args, const QProcessEnvironment& extraEnv)
{
    args << QStringLiteral("--db") << m_db;
    return certdeck::test::runCtl(args, extraEnv, 60000);
}

QString TestVaultCommand::writeSecret(const QString& name, const QByteArray& line)
{
    const QString path = m_dir->filePath(name);
    QFile f(path);
    if (f.open(QIODevice::WriteOnly)) {
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        f.write(line + '\n');
    }
    return path;
}

void TestVaultCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(m_ctl), "CERTDECKCTL must name the built certdeckctl");
}

void TestVaultCommand::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = m_dir->filePath(QStringLiteral("store.sqlite"));
}

void TestVaultCommand::statusBeforeInitIsAWarning()
{
    const Run r = ctl({QStringLiteral("vault"), QStringLiteral("status")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.out.startsWith("VAULT WARNING - no master passphrase yet"), r.out.constData());
    const Run j =
        ctl({QStringLiteral("vault"), QStringLiteral("status"), QStringLiteral("--json")});
    QCOMPARE(j.code, 1);
    const QJsonObject o = QJsonDocument::fromJson(j.out).object();
    QCOMPARE(o.value(QStringLiteral("initialized")).toBool(true), false);
}

void TestVaultCommand::initNeedsAPassphraseFromFileOrEnv()
{
    Run r = ctl({QStringLiteral("vault"), QStringLiteral("init")});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("--passphrase-file"), r.err.constData());
    // There is no way to give the passphrase itself as an argument.
    r = ctl({QStringLiteral("vault"), QStringLiteral("init"), QStringLiteral("--passphrase"),
             QStringLiteral("secret")});
    QCOMPARE(r.code, 3);
    r = ctl({QStringLiteral("vault"), QStringLiteral("bogus")});
    QCOMPARE(r.code, 3);

    const QString file = writeSecret(QStringLiteral("pass.txt"), "first secret");
    r = ctl({QStringLiteral("vault"), QStringLiteral("init"), QStringLiteral("--passphrase-file"),
             file});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QByteArray("Master passphrase set\n"));
    QVERIFY(!r.out.contains("first secret") && !r.err.contains("first secret"));
    // A second init does not replace the passphrase.
    r = ctl({QStringLiteral("vault"), QStringLiteral("init"), QStringLiteral("--passphrase-file"),
             writeSecret(QStringLiteral("other.txt"), "other secret")});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("already has a master passphrase"), r.err.constData());
}

void TestVaultCommand::statusChecksThePassphrase()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("VAULT_PASS"), QStringLiteral("env secret"));
    env.insert(QStringLiteral("WRONG_PASS"), QStringLiteral("not it"));
    Run r = ctl({QStringLiteral("vault"), QStringLiteral("init"),
                 QStringLiteral("--passphrase-env"), QStringLiteral("VAULT_PASS")},
                env);
    QCOMPARE(r.code, 0);
    r = ctl({QStringLiteral("vault"), QStringLiteral("status"), QStringLiteral("--passphrase-env"),
             QStringLiteral("WRONG_PASS")},
            env);
    QCOMPARE(r.code, 3);
    // The status line first (monitoring-plugin style), then where keys can live.
    const QList<QByteArray> lines = r.out.split('\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.at(0), QByteArray("VAULT UNKNOWN - wrong master passphrase"));
    QVERIFY2(lines.at(1).startsWith("OS keyring: "), r.out.constData());
    r = ctl({QStringLiteral("vault"), QStringLiteral("status"), QStringLiteral("--json"),
             QStringLiteral("--passphrase-env"), QStringLiteral("VAULT_PASS")},
            env);
    QCOMPARE(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value(QStringLiteral("initialized")).toBool(), true);
    QCOMPARE(o.value(QStringLiteral("passphraseOk")).toBool(), true);
    QCOMPARE(o.value(QStringLiteral("kdf")).toString(), QStringLiteral("scrypt"));
    QCOMPARE(o.value(QStringLiteral("scryptN")).toInteger(), 32768);
    QCOMPARE(o.value(QStringLiteral("keys")).toInt(), 0);
    QVERIFY(o.value(QStringLiteral("osKeyring")).isBool());
}

void TestVaultCommand::changePassphraseReencryptsStoredKeys()
{
    const QString oldFile = writeSecret(QStringLiteral("old.txt"), "old secret");
    const QString newFile = writeSecret(QStringLiteral("new.txt"), "new secret");
    QCOMPARE(ctl({QStringLiteral("vault"), QStringLiteral("init"),
                  QStringLiteral("--passphrase-file"), oldFile})
                 .code,
             0);
    const auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    QVERIFY(key.has_value());
    qint64 id = 0;
    {
        auto store = inventory::Store::openSqlite(m_db);
        QVERIFY(store.has_value());
        inventory::KeyVault vault(**store);
        QVERIFY(vault.unlock("old secret").has_value());
        const auto stored = vault.storeKey(*key);
        QVERIFY(stored.has_value());
        id = *stored;
    }
    // The wrong old passphrase is refused and changes nothing.
    Run r = ctl({QStringLiteral("vault"), QStringLiteral("change-passphrase"),
                 QStringLiteral("--passphrase-file"), newFile,
                 QStringLiteral("--new-passphrase-file"), oldFile});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("wrong master passphrase"), r.err.constData());
    r = ctl({QStringLiteral("vault"), QStringLiteral("change-passphrase"),
             QStringLiteral("--passphrase-file"), oldFile});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("--new-passphrase-file"), r.err.constData());

    r = ctl({QStringLiteral("vault"), QStringLiteral("change-passphrase"),
             QStringLiteral("--passphrase-file"), oldFile, QStringLiteral("--new-passphrase-file"),
             newFile});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QByteArray("Master passphrase changed; 1 key(s) re-encrypted\n"));

    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store.has_value());
    inventory::KeyVault vault(**store);
    QVERIFY(!vault.unlock("old secret"));
    QVERIFY(vault.unlock("new secret").has_value());
    const auto loaded = vault.loadKey(id);
    QVERIFY(loaded.has_value());
    QCOMPARE(loaded->publicKeyDer(), key->publicKeyDer());
}

QTEST_GUILESS_MAIN(TestVaultCommand)
#include "test_vault_command.moc"
