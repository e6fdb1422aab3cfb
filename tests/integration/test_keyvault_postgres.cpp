// SPDX-License-Identifier: GPL-3.0-or-later
// The master-passphrase key vault on a real PostgreSQL 15: the same rules as
// on SQLite, including the all-or-nothing passphrase change.
#include "PostgresFixture.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "services/AcmeAccountStore.h"

#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using namespace certdeck::test;

class TestKeyVaultPostgres : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void roundTripAndFailedChange();
    void accountKeyIsStoredWithItsRecordOrNotAtAll();
    void unusedKeysAreFoundAndPruned();
    void cleanupTestCase();

private:
    PostgresFixture m_pg;
};

void TestKeyVaultPostgres::initTestCase()
{
    QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
    QVERIFY2(m_pg.createDatabase(QStringLiteral("vault")), qPrintable(m_pg.errorString()));
}

void TestKeyVaultPostgres::cleanupTestCase()
{
    m_pg.stop();
}

void TestKeyVaultPostgres::roundTripAndFailedChange()
{
    auto store = Store::openUrl(m_pg.url(QStringLiteral("vault")));
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    KeyVault vault(**store);
    QVERIFY(vault.init("pg secret").has_value());
    const auto p256 = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    const auto rsa = crypto::PrivateKey::generate(crypto::KeyType::Rsa2048);
    QVERIFY(p256 && rsa);
    const auto a = vault.storeKey(*p256);
    const auto b = vault.storeKey(*rsa);
    QVERIFY2(a && b, qPrintable(a ? (b ? QString() : b.error().toString()) : a.error().toString()));

    KeyVault other(**store);
    const auto wrong = other.unlock("pg secret?");
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().message, QStringLiteral("wrong master passphrase"));
    QVERIFY(other.unlock("pg secret").has_value());
    QCOMPARE(other.loadKey(*a)->publicKeyDer(), p256->publicKeyDer());
    QCOMPARE(other.loadKey(*b)->publicKeyDer(), rsa->publicKeyDer());

    // Damage key b through psql: the change must roll back key a's new
    // ciphertext and the verifier.
    QVERIFY2(m_pg.runSql(QStringLiteral("UPDATE keys SET encrypted = decode('01' || repeat('00', "
                                        "60), 'hex') WHERE id = %1")
                             .arg(*b),
                         QStringLiteral("vault")),
             qPrintable(m_pg.errorString()));
    const auto changed = vault.changePassphrase("pg secret", "pg new secret");
    QVERIFY(!changed);
    QVERIFY2(changed.error().message.contains(QStringLiteral("Key %1 cannot be decrypted").arg(*b)),
             qPrintable(changed.error().message));
    KeyVault after(**store);
    QVERIFY(!after.unlock("pg new secret"));
    QVERIFY(after.unlock("pg secret").has_value());
    QCOMPARE(after.loadKey(*a)->publicKeyDer(), p256->publicKeyDer());

    // Without the damaged key, the change goes through.
    QVERIFY2(m_pg.runSql(QStringLiteral("DELETE FROM keys WHERE id = %1").arg(*b),
                         QStringLiteral("vault")),
             qPrintable(m_pg.errorString()));
    QVERIFY(vault.changePassphrase("pg secret", "pg new secret").has_value());
    KeyVault last(**store);
    QVERIFY(!last.unlock("pg secret"));
    QVERIFY(last.unlock("pg new secret").has_value());
    QCOMPARE(last.loadKey(*a)->publicKeyDer(), p256->publicKeyDer());
}

void TestKeyVaultPostgres::accountKeyIsStoredWithItsRecordOrNotAtAll()
{
    QVERIFY2(m_pg.createDatabase(QStringLiteral("accounts")), qPrintable(m_pg.errorString()));
    auto store = Store::openUrl(m_pg.url(QStringLiteral("accounts")));
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    KeyVault vault(**store);
    QVERIFY(vault.init("pg secret").has_value());
    acme::AcmeAccountStore accounts(**store, vault);
    acme::AccountInfo info;
    info.url = QUrl(QStringLiteral("https://127.0.0.1:14000/my-account/1"));
    info.status = QStringLiteral("valid");
    const QUrl directory(QStringLiteral("https://127.0.0.1:14000/dir"));
    auto newKey = [] {
        auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
        return acme::JwsKey::fromPrivateKey(*key);
    };
    auto first = newKey();
    QVERIFY(first);
    QVERIFY(accounts.add(QStringLiteral("prod"), directory, {}, info, *first));
    // A name clash fails inside PostgreSQL's transaction, after the key's
    // insert: the key goes with it, and the connection is usable after.
    auto second = newKey();
    QVERIFY(second);
    QVERIFY(!accounts.add(QStringLiteral("prod"), directory, {}, info, *second));
    QCOMPARE(*vault.keyCount(), 1);
    auto unused = (*store)->keys().unused();
    QVERIFY2(unused, qPrintable(unused ? QString() : unused.error().toString()));
    QVERIFY(unused->isEmpty());
}

void TestKeyVaultPostgres::unusedKeysAreFoundAndPruned()
{
    QVERIFY2(m_pg.createDatabase(QStringLiteral("usage")), qPrintable(m_pg.errorString()));
    auto store = Store::openUrl(m_pg.url(QStringLiteral("usage")));
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    KeyVault vault(**store);
    QVERIFY(vault.init("pg secret").has_value());
    const auto k1 = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    const auto k2 = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    QVERIFY(k1 && k2);
    const auto used = vault.storeKey(*k1, QStringLiteral("ACME account key (prod)"));
    const auto orphan = vault.storeKey(*k2, QStringLiteral("left over"));
    QVERIFY(used && orphan);
    IssuerRecord account;
    account.name = QStringLiteral("prod");
    account.directoryUrl = QStringLiteral("https://127.0.0.1:14000/dir");
    account.accountKeyId = *used;
    QVERIFY((*store)->issuers().add(account));

    auto usage = (*store)->keys().usage();
    QVERIFY2(usage, qPrintable(usage ? QString() : usage.error().toString()));
    QCOMPARE(usage->size(), 2);
    QCOMPARE(usage->at(0).usedBy.size(), 1);
    QVERIFY(usage->at(1).isUnused());
    const Status refused = (*store)->keys().removeUnused({*orphan, *used});
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Conflict);
    QCOMPARE((*store)->keys().unused()->size(), 1);
    QVERIFY((*store)->keys().removeUnused({*orphan}));
    QVERIFY((*store)->keys().unused()->isEmpty());
    QVERIFY(vault.loadKey(*used));
}

QTEST_GUILESS_MAIN(TestKeyVaultPostgres)
#include "test_keyvault_postgres.moc"
