// SPDX-License-Identifier: GPL-3.0-or-later
// An ACME account's key is stored with the account record, in one
// transaction: a refused record leaves no key, and a rollover swaps the keys
// without ever holding one that nothing uses.
#include "acme/protocol/JwsKey.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "services/AcmeAccountStore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using certdeck::acme::AccountInfo;
using certdeck::acme::AcmeAccountStore;
using certdeck::acme::JwsKey;

class TestAcmeAccountStore : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void addStoresTheKeyWithTheAccount();
    void aRefusedAccountLeavesNoKey();
    void aLockedVaultStoresNothing();
    void rolloverSwapsTheKeysInOneTransaction();
    void aRefusedRolloverKeepsTheOldKeyOnly();

private:
    static JwsKey newKey();
    [[nodiscard]] int keyCount() const;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<KeyVault> m_vault;
    std::unique_ptr<AcmeAccountStore> m_accounts;
    AccountInfo m_info;
    const QUrl m_directory{QStringLiteral("https://127.0.0.1:14000/dir")};
};

JwsKey TestAcmeAccountStore::newKey()
{
    auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    Q_ASSERT(key);
    auto jws = JwsKey::fromPrivateKey(*key);
    Q_ASSERT(jws);
    return *jws;
}

int TestAcmeAccountStore::keyCount() const
{
    auto all = m_store->keys().usage();
    return all ? static_cast<int>(all->size()) : -1;
}

void TestAcmeAccountStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    auto store = Store::openSqlite(m_dir->filePath(QStringLiteral("store.sqlite")));
    QVERIFY(store);
    m_store = std::move(*store);
    m_vault = std::make_unique<KeyVault>(*m_store);
    ScryptCost cheap;
    cheap.n = 1024;
    QVERIFY(m_vault->init("test passphrase", cheap));
    m_accounts = std::make_unique<AcmeAccountStore>(*m_store, *m_vault);
    m_info.url = QUrl(QStringLiteral("https://127.0.0.1:14000/my-account/1"));
    m_info.status = QStringLiteral("valid");
}

void TestAcmeAccountStore::cleanup()
{
    m_accounts.reset();
    m_vault.reset();
    m_store.reset();
    m_dir.reset();
}

void TestAcmeAccountStore::addStoresTheKeyWithTheAccount()
{
    const JwsKey key = newKey();
    auto added = m_accounts->add(QStringLiteral("prod"), m_directory, {}, m_info, key);
    QVERIFY2(added, qPrintable(added ? QString() : added.error().message));
    QVERIFY(added->accountKeyId);
    QCOMPARE(keyCount(), 1);
    auto usage = m_store->keys().usage();
    QCOMPARE(usage->constFirst().key.description, QStringLiteral("ACME account key (prod)"));
    QCOMPARE(usage->constFirst().usedBy.size(), 1);
    auto loaded = m_accounts->loadKey(*added);
    QVERIFY(loaded);
    QCOMPARE(loaded->thumbprint(), key.thumbprint());
}

void TestAcmeAccountStore::aRefusedAccountLeavesNoKey()
{
    QVERIFY(m_accounts->add(QStringLiteral("prod"), m_directory, {}, m_info, newKey()));
    QCOMPARE(keyCount(), 1);
    // The name is taken: the record is refused, and its key goes with it.
    auto again = m_accounts->add(QStringLiteral("prod"), m_directory, {}, m_info, newKey());
    QVERIFY(!again);
    QCOMPARE(keyCount(), 1);
    auto unused = m_store->keys().unused();
    QVERIFY(unused && unused->isEmpty());
    // No key.add then key.remove: the rolled-back add left no "ok" entry.
    auto log = m_store->activity().auditLog(10);
    QVERIFY(log);
    int keyAdds = 0;
    for (const AuditEntry& e : std::as_const(*log)) {
        QVERIFY(e.action != QLatin1String("key.remove"));
        keyAdds += e.action == QLatin1String("key.add") && e.result == QLatin1String("ok") ? 1 : 0;
    }
    QCOMPARE(keyAdds, 1);
}

void TestAcmeAccountStore::aLockedVaultStoresNothing()
{
    m_vault->lock();
    auto added = m_accounts->add(QStringLiteral("prod"), m_directory, {}, m_info, newKey());
    QVERIFY(!added);
    QVERIFY2(added.error().message.contains(QStringLiteral("locked")),
             qPrintable(added.error().message));
    QCOMPARE(keyCount(), 0);
    auto accounts = m_accounts->list();
    QVERIFY(accounts && accounts->isEmpty());
}

void TestAcmeAccountStore::rolloverSwapsTheKeysInOneTransaction()
{
    auto added = m_accounts->add(QStringLiteral("prod"), m_directory, {}, m_info, newKey());
    QVERIFY(added);
    const qint64 oldKeyId = *added->accountKeyId;
    const JwsKey next = newKey();
    auto adopted = m_accounts->adoptKey(*added, next);
    QVERIFY2(adopted, qPrintable(adopted ? QString() : adopted.error().message));
    QVERIFY(*adopted->accountKeyId != oldKeyId);
    QCOMPARE(adopted->keyThumbprint, QString::fromLatin1(next.thumbprint()));
    QCOMPARE(keyCount(), 1);
    QVERIFY(!m_store->keys().get(oldKeyId));
    auto loaded = m_accounts->loadKey(*adopted);
    QVERIFY(loaded);
    QCOMPARE(loaded->thumbprint(), next.thumbprint());
}

void TestAcmeAccountStore::aRefusedRolloverKeepsTheOldKeyOnly()
{
    auto added = m_accounts->add(QStringLiteral("prod"), m_directory, {}, m_info, newKey());
    QVERIFY(added);
    // An account record that is gone meanwhile (deleted by another program):
    // the update fails, and the new key is not kept.
    IssuerRecord ghost = *added;
    ghost.id = 4242;
    QVERIFY(!m_accounts->adoptKey(ghost, newKey()));
    QCOMPARE(keyCount(), 1);
    QVERIFY(m_store->keys().get(*added->accountKeyId));
    auto unused = m_store->keys().unused();
    QVERIFY(unused && unused->isEmpty());
}

QTEST_GUILESS_MAIN(TestAcmeAccountStore)
#include "test_acme_account_store.moc"
