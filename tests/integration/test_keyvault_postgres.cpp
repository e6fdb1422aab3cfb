// SPDX-License-Identifier: GPL-3.0-or-later
// The master-passphrase key vault on a real PostgreSQL 15: the same rules as
// on SQLite, including the all-or-nothing passphrase change.
#include "PostgresFixture.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"

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

QTEST_GUILESS_MAIN(TestKeyVaultPostgres)
#include "test_keyvault_postgres.moc"
