// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl vault keys [prune] and store check with a key nothing uses,
// run as a user would: the planted orphan is named by `store check`, listed
// as UNUSED by `vault keys`, and pruned (after asking on a terminal, or with
// --force); a key in use is never pruned.
#include "CtlRun.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using certdeck::test::CtlRun;

class TestVaultKeys : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void storeCheckNamesAnUnusedKey();
    void vaultKeysListsWhatUsesEachKey();
    void pruneRefusesToAskWithoutATerminal();
    void pruneAsksOnTheTerminal();
    void pruneForceRemovesOnlyUnusedKeys();
    void aKeyInUseIsNeverPruned();

private:
    CtlRun ctl(QStringList args);
    /// `certdeckctl ARGS` on a pseudo-terminal (script(1)), typing `answer`.
    CtlRun ctlOnTerminal(const QStringList& args, const QByteArray& answer);
    [[nodiscard]] bool keyExists(qint64 id);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_db;
    QProcessEnvironment m_env;
    qint64 m_used = 0;
    qint64 m_orphan = 0;
};

CtlRun TestVaultKeys::ctl(QStringList args)
{
    args << QStringLiteral("--db") << m_db;
    return test::runCtl(args, m_env, 60000);
}

CtlRun TestVaultKeys::ctlOnTerminal(const QStringList& args, const QByteArray& answer)
{
    QStringList quoted{test::certdeckctlPath()};
    for (const QString& a : args + QStringList{QStringLiteral("--db"), m_db}) {
        quoted << u'\'' + a + u'\'';
    }
    QProcess p;
    p.start(QStringLiteral("script"),
            {QStringLiteral("-qec"), quoted.join(u' '), QStringLiteral("/dev/null")});
    CtlRun r;
    if (!p.waitForStarted(10000)) {
        return r;
    }
    p.write(answer);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit) {
        return r;
    }
    r.code = p.exitCode();
    r.out = p.readAllStandardOutput(); // the terminal: both streams, in order
    return r;
}

bool TestVaultKeys::keyExists(qint64 id)
{
    auto store = inventory::Store::openSqlite(m_db);
    return store && (*store)->keys().get(id).has_value();
}

void TestVaultKeys::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_db = m_dir->filePath(QStringLiteral("store.sqlite"));
    m_env = QProcessEnvironment();
    m_env.insert(QStringLiteral("VAULT_PASS"), QStringLiteral("vault keys test passphrase"));
    const CtlRun made = ctl({QStringLiteral("vault"), QStringLiteral("init"),
                             QStringLiteral("--passphrase-env"), QStringLiteral("VAULT_PASS")});
    QVERIFY2(made.code == 0, made.err.constData());
    // A stored account with its key, and a key left behind by an
    // interrupted write of an older CertDeck.
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store);
    inventory::KeyVault vault(**store);
    QVERIFY(vault.unlock("vault keys test passphrase"));
    auto accountKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    auto orphanKey = crypto::PrivateKey::generate(crypto::KeyType::Rsa2048);
    QVERIFY(accountKey && orphanKey);
    auto used = vault.storeKey(*accountKey, QStringLiteral("ACME account key (prod)"));
    QVERIFY(used);
    m_used = *used;
    inventory::IssuerRecord account;
    account.name = QStringLiteral("prod");
    account.directoryUrl = QStringLiteral("https://127.0.0.1:14000/dir");
    account.accountKeyId = m_used;
    QVERIFY((*store)->issuers().add(account));
    auto orphan = vault.storeKey(*orphanKey, QStringLiteral("ACME account key (interrupted)"));
    QVERIFY(orphan);
    m_orphan = *orphan;
}

void TestVaultKeys::storeCheckNamesAnUnusedKey()
{
    const CtlRun r = ctl({QStringLiteral("store"), QStringLiteral("check")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.out.startsWith("STORE WARNING - "), r.out.constData());
    QVERIFY2(r.out.contains(QStringLiteral("1 unused key(s): #%1 'ACME account key (interrupted)'")
                                .arg(m_orphan)
                                .toUtf8()),
             r.out.constData());
    QVERIFY2(!r.out.contains("(prod)"), r.out.constData());
    // vault status counts them beside the keys.
    const CtlRun status = ctl({QStringLiteral("vault"), QStringLiteral("status")});
    QCOMPARE(status.code, 0);
    QVERIFY2(status.out.startsWith("VAULT OK - master passphrase set, 2 key(s) (1 unused: see "
                                   "`certdeckctl vault keys`)"),
             status.out.constData());

    const CtlRun j =
        ctl({QStringLiteral("store"), QStringLiteral("check"), QStringLiteral("--json")});
    QCOMPARE(j.code, 1);
    const QJsonObject o = j.json();
    QCOMPARE(o.value(QStringLiteral("ok")).toBool(true), false);
    QCOMPARE(o.value(QStringLiteral("integrity")).toString(), QStringLiteral("ok"));
    const QJsonArray unused = o.value(QStringLiteral("unusedKeys")).toArray();
    QCOMPARE(unused.size(), 1);
    QCOMPARE(unused.at(0).toObject().value(QStringLiteral("id")).toInteger(), m_orphan);
    QCOMPARE(unused.at(0).toObject().value(QStringLiteral("label")).toString(),
             QStringLiteral("ACME account key (interrupted)"));
}

void TestVaultKeys::vaultKeysListsWhatUsesEachKey()
{
    const CtlRun r = ctl({QStringLiteral("vault"), QStringLiteral("keys")});
    QCOMPARE(r.code, 0);
    const QList<QByteArray> lines = r.out.split('\n');
    QVERIFY2(lines.size() >= 4, r.out.constData());
    QVERIFY2(lines.at(0).startsWith("ID  TYPE"), r.out.constData());
    QVERIFY2(lines.at(1).startsWith(QByteArray::number(m_used) + ' '), r.out.constData());
    QVERIFY2(lines.at(1).endsWith("ACME account 'prod' (#1)"), r.out.constData());
    QVERIFY2(lines.at(2).startsWith(QByteArray::number(m_orphan) + ' '), r.out.constData());
    QVERIFY2(lines.at(2).contains("ACME account key (interrupted)"), r.out.constData());
    QVERIFY2(lines.at(2).endsWith("UNUSED"), r.out.constData());
    QVERIFY2(r.out.contains("2 key(s), 1 unused"), r.out.constData());

    // With the master passphrase, each key's type is read from the key.
    const CtlRun typed =
        ctl({QStringLiteral("vault"), QStringLiteral("keys"), QStringLiteral("--json"),
             QStringLiteral("--passphrase-env"), QStringLiteral("VAULT_PASS")});
    QCOMPARE(typed.code, 0);
    const QJsonObject o = typed.json();
    QCOMPARE(o.value(QStringLiteral("unused")).toInt(), 1);
    const QJsonArray keys = o.value(QStringLiteral("keys")).toArray();
    QCOMPARE(keys.size(), 2);
    QCOMPARE(keys.at(0).toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("ECDSA P-256"));
    QCOMPARE(keys.at(0).toObject().value(QStringLiteral("usedBy")).toArray().size(), 1);
    QCOMPARE(keys.at(1).toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("RSA 2048"));
    QCOMPARE(keys.at(1).toObject().value(QStringLiteral("unused")).toBool(), true);
    QVERIFY(!typed.out.contains("BEGIN") && !typed.err.contains("vault keys test passphrase"));

    const CtlRun wrong = [&] {
        m_env.insert(QStringLiteral("WRONG"), QStringLiteral("not it"));
        return ctl({QStringLiteral("vault"), QStringLiteral("keys"),
                    QStringLiteral("--passphrase-env"), QStringLiteral("WRONG")});
    }();
    QCOMPARE(wrong.code, 3);
    QVERIFY2(wrong.err.contains("wrong master passphrase"), wrong.err.constData());
}

void TestVaultKeys::pruneRefusesToAskWithoutATerminal()
{
    const CtlRun r =
        ctl({QStringLiteral("vault"), QStringLiteral("keys"), QStringLiteral("prune")});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("not a terminal: give --force"), r.err.constData());
    QVERIFY(keyExists(m_orphan));
}

void TestVaultKeys::pruneAsksOnTheTerminal()
{
    if (QStandardPaths::findExecutable(QStringLiteral("script")).isEmpty()) {
        QSKIP("script(1) is not installed: no pseudo-terminal to answer on");
    }
    CtlRun r = ctlOnTerminal(
        {QStringLiteral("vault"), QStringLiteral("keys"), QStringLiteral("prune")}, "n\n");
    QCOMPARE(r.code, 3);
    QVERIFY2(r.out.contains("ACME account key (interrupted)"), r.out.constData());
    QVERIFY2(r.out.contains("Delete 1 key(s)? This cannot be undone. [y/N]"), r.out.constData());
    QVERIFY2(r.out.contains("nothing was pruned"), r.out.constData());
    QVERIFY(keyExists(m_orphan));

    r = ctlOnTerminal({QStringLiteral("vault"), QStringLiteral("keys"), QStringLiteral("prune")},
                      "y\n");
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QStringLiteral("Pruned key %1").arg(m_orphan).toUtf8()),
             r.out.constData());
    QVERIFY(!keyExists(m_orphan));
    QVERIFY(keyExists(m_used));
}

void TestVaultKeys::pruneForceRemovesOnlyUnusedKeys()
{
    const CtlRun r = ctl({QStringLiteral("vault"), QStringLiteral("keys"), QStringLiteral("prune"),
                          QStringLiteral("--force"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QJsonArray pruned = r.json().value(QStringLiteral("pruned")).toArray();
    QCOMPARE(pruned.size(), 1);
    QCOMPARE(pruned.at(0).toObject().value(QStringLiteral("id")).toInteger(), m_orphan);
    QVERIFY(!keyExists(m_orphan));
    QVERIFY(keyExists(m_used));

    const CtlRun check = ctl({QStringLiteral("store"), QStringLiteral("check")});
    QCOMPARE(check.code, 0);
    QVERIFY2(check.out.startsWith("STORE OK - "), check.out.constData());
    const CtlRun again = ctl({QStringLiteral("vault"), QStringLiteral("keys"),
                              QStringLiteral("prune"), QStringLiteral("--force")});
    QCOMPARE(again.code, 0);
    QCOMPARE(again.out, QByteArray("No unused keys: nothing to prune\n"));
    // The account's key still opens.
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store);
    inventory::KeyVault vault(**store);
    QVERIFY(vault.unlock("vault keys test passphrase"));
    QVERIFY(vault.loadKey(m_used));
}

void TestVaultKeys::aKeyInUseIsNeverPruned()
{
    const CtlRun r =
        ctl({QStringLiteral("vault"), QStringLiteral("keys"), QStringLiteral("prune"),
             QString::number(m_orphan), QString::number(m_used), QStringLiteral("--force")});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(
                 QStringLiteral("key %1 is used by ACME account 'prod'").arg(m_used).toUtf8()),
             r.err.constData());
    QVERIFY2(r.err.contains("nothing was pruned"), r.err.constData());
    QVERIFY(keyExists(m_orphan));
    QVERIFY(keyExists(m_used));

    const CtlRun bad =
        ctl({QStringLiteral("vault"), QStringLiteral("keys"), QStringLiteral("prune"),
             QStringLiteral("seven"), QStringLiteral("--force")});
    QCOMPARE(bad.code, 3);
    QVERIFY2(bad.err.contains("'seven' is not a key id"), bad.err.constData());

    // Named alone, an unused key is pruned and the other one stays.
    const CtlRun one =
        ctl({QStringLiteral("vault"), QStringLiteral("keys"), QStringLiteral("prune"),
             QString::number(m_orphan), QStringLiteral("--force")});
    QCOMPARE(one.code, 0);
    QVERIFY(!keyExists(m_orphan));
    QVERIFY(keyExists(m_used));
}

QTEST_GUILESS_MAIN(TestVaultKeys)
#include "test_vault_keys.moc"
