// SPDX-License-Identifier: GPL-3.0-or-later
// The master-passphrase key vault on SQLite: what a user sees when the
// passphrase is right or wrong, a key is damaged, or a change fails half-way.
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

namespace {

const QByteArray kPass = QByteArrayLiteral("correct horse battery staple");
const QByteArray kNewPass = QByteArrayLiteral("new passphrase, longer and better");

// Runs `sql` (with `binds`) through a second connection of its own, as
// another program would; returns the first column of the first row.
QVariant rawSql(const QString& path, const QString& sql, const QVariantList& binds = {},
                QString* error = nullptr)
{
    QVariant out;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        QSqlQuery q(db);
        if (!db.open() || !q.prepare(sql)) {
            if (error) {
                *error = db.lastError().text() + q.lastError().text();
            }
        } else {
            for (const QVariant& v : binds) {
                q.addBindValue(v);
            }
            if (!q.exec() && error) {
                *error = q.lastError().text();
            }
            if (q.next()) {
                out = q.value(0);
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    return out;
}

QByteArray rawCiphertext(const QString& path, qint64 id)
{
    return rawSql(path, QStringLiteral("SELECT encrypted FROM keys WHERE id = ?"), {id})
        .toByteArray();
}

void setRawCiphertext(const QString& path, qint64 id, const QByteArray& blob)
{
    QString error;
    rawSql(path, QStringLiteral("UPDATE keys SET encrypted = ? WHERE id = ?"), {blob, id}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

crypto::PrivateKey makeKey(crypto::KeyType type)
{
    auto key = crypto::PrivateKey::generate(type);
    return key ? *key : crypto::PrivateKey();
}

} // namespace

class TestKeyVault : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void initUnlockAndWrongPassphrase();
    void initRefusesEmptyAndSecondInit();
    void vaultTableHoldsNoSecret();
    void lockedVaultRefusesKeys();
    void roundTrip_data();
    void roundTrip();
    void ciphertextHidesTheKey();
    void tamperedKeyIsAnError_data();
    void tamperedKeyIsAnError();
    void changePassphraseReencryptsEveryKey();
    void changeWithWrongOldPassphraseChangesNothing();
    void failedChangeKeepsTheOldPassphrase();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    std::unique_ptr<Store> m_store;
};

void TestKeyVault::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = m_dir->filePath(QStringLiteral("vault.sqlite"));
    auto store = Store::openSqlite(m_path);
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    m_store = std::move(*store);
}

void TestKeyVault::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void TestKeyVault::initUnlockAndWrongPassphrase()
{
    {
        KeyVault vault(*m_store);
        QCOMPARE(*vault.isInitialized(), false);
        const auto locked = vault.unlock(kPass);
        QVERIFY(!locked);
        QCOMPARE(locked.error().code, ErrorCode::NotFound);
        QVERIFY(vault.init(kPass).has_value());
        QVERIFY(vault.isUnlocked());
        QCOMPARE(*vault.isInitialized(), true);
        QCOMPARE(vault.cost()->n, std::uint64_t{1} << 15);
    }
    KeyVault vault(*m_store);
    QVERIFY(!vault.isUnlocked());
    const auto wrong = vault.unlock(QByteArrayLiteral("correct horse battery stapler"));
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, ErrorCode::Crypto);
    QCOMPARE(wrong.error().message, QStringLiteral("wrong master passphrase"));
    QVERIFY(!vault.isUnlocked());
    QVERIFY(vault.unlock(kPass).has_value());
    QVERIFY(vault.isUnlocked());
    vault.lock();
    QVERIFY(!vault.isUnlocked());
}

void TestKeyVault::initRefusesEmptyAndSecondInit()
{
    KeyVault vault(*m_store);
    const auto empty = vault.init({});
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, ErrorCode::InvalidInput);
    QCOMPARE(*vault.isInitialized(), false);
    QVERIFY(vault.init(kPass).has_value());
    KeyVault other(*m_store);
    const auto again = other.init(kNewPass);
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::Conflict);
    // The first passphrase still rules.
    QVERIFY(other.unlock(kPass).has_value());
    QVERIFY(!other.unlock(kNewPass));
    // A cost that would exhaust memory is refused before any work.
    const auto huge =
        KeyVault(*m_store).changePassphrase(kPass, kNewPass, {std::uint64_t{1} << 30, 8, 1});
    QVERIFY(!huge);
    QCOMPARE(huge.error().code, ErrorCode::InvalidInput);
}

void TestKeyVault::vaultTableHoldsNoSecret()
{
    KeyVault vault(*m_store);
    QVERIFY(vault.init(kPass).has_value());
    QByteArray row;
    for (const char* column : {"kdf", "salt", "verifier", "scrypt_n"}) {
        row += rawSql(m_path, QStringLiteral("SELECT %1 FROM vault").arg(QLatin1String(column)))
                   .toByteArray();
    }
    QVERIFY(row.contains("scrypt"));
    QVERIFY(!row.contains(kPass));
    QVERIFY(!row.contains(kPass.left(8)));
    QCOMPARE(rawSql(m_path, QStringLiteral("SELECT count(*) FROM vault")).toInt(), 1);
    QCOMPARE(rawSql(m_path, QStringLiteral("SELECT length(salt) FROM vault")).toInt(), 16);
}

void TestKeyVault::lockedVaultRefusesKeys()
{
    KeyVault vault(*m_store);
    QVERIFY(vault.init(kPass).has_value());
    const auto key = makeKey(crypto::KeyType::EcdsaP256);
    const auto id = vault.storeKey(key);
    QVERIFY(id.has_value());
    KeyVault locked(*m_store);
    const auto load = locked.loadKey(*id);
    QVERIFY(!load);
    QVERIFY2(load.error().message.contains(QLatin1String("locked")),
             qPrintable(load.error().message));
    QVERIFY(!locked.storeKey(key));
    QVERIFY(!vault.loadKey(*id + 100));
    QCOMPARE(vault.loadKey(*id + 100).error().code, ErrorCode::NotFound);
}

void TestKeyVault::roundTrip_data()
{
    QTest::addColumn<crypto::KeyType>("type");
    QTest::addRow("p256") << crypto::KeyType::EcdsaP256;
    QTest::addRow("rsa2048") << crypto::KeyType::Rsa2048;
    QTest::addRow("ed25519") << crypto::KeyType::Ed25519;
}

void TestKeyVault::roundTrip()
{
    QFETCH(crypto::KeyType, type);
    const auto key = makeKey(type);
    QVERIFY(!key.isNull());
    qint64 id = 0;
    {
        KeyVault vault(*m_store);
        QVERIFY(vault.init(kPass).has_value());
        auto stored = vault.storeKey(key, QStringLiteral("api.example.test"));
        QVERIFY2(stored.has_value(), qPrintable(stored ? QString() : stored.error().toString()));
        id = *stored;
    }
    const auto record = m_store->keys().get(id);
    QVERIFY(record.has_value());
    QCOMPARE(record->protection, KeyProtection::MasterPassphrase);
    QCOMPARE(record->description, QStringLiteral("api.example.test"));
    QCOMPARE(record->spkiSha256, key.spkiSha256());

    KeyVault vault(*m_store);
    QVERIFY(vault.unlock(kPass).has_value());
    QCOMPARE(*vault.keyCount(), 1);
    const auto loaded = vault.loadKey(id);
    QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error().toString()));
    QCOMPARE(loaded->publicKeyDer(), key.publicKeyDer());
    QCOMPARE(loaded->toPkcs8Der(), key.toPkcs8Der());
    QCOMPARE(loaded->description(), key.description());
}

void TestKeyVault::ciphertextHidesTheKey()
{
    KeyVault vault(*m_store);
    QVERIFY(vault.init(kPass).has_value());
    const auto key = makeKey(crypto::KeyType::EcdsaP256);
    const QByteArray der = key.toPkcs8Der();
    QVERIFY(der.size() > 100);
    const auto a = vault.storeKey(key);
    const auto b = vault.storeKey(key);
    QVERIFY(a && b);
    const QByteArray ca = rawCiphertext(m_path, *a);
    const QByteArray cb = rawCiphertext(m_path, *b);
    QVERIFY(ca.size() >= der.size());
    QVERIFY(!ca.contains(der));
    for (qsizetype i = 0; i + 16 <= der.size(); ++i) {
        QVERIFY2(!ca.contains(der.mid(i, 16)), qPrintable(QStringLiteral("offset %1").arg(i)));
    }
    QVERIFY(!ca.contains("PRIVATE KEY"));
    // A fresh nonce per key: the same key twice is two different ciphertexts.
    QVERIFY(ca != cb);
    QVERIFY(ca.mid(1, 12) != cb.mid(1, 12));
}

void TestKeyVault::tamperedKeyIsAnError_data()
{
    QTest::addColumn<QString>("how");
    QTest::addRow("format byte") << QStringLiteral("format");
    QTest::addRow("nonce") << QStringLiteral("nonce");
    QTest::addRow("body") << QStringLiteral("body");
    QTest::addRow("tag") << QStringLiteral("tag");
    QTest::addRow("truncated") << QStringLiteral("truncated");
    QTest::addRow("garbage") << QStringLiteral("garbage");
    QTest::addRow("other key's ciphertext") << QStringLiteral("swap");
}

void TestKeyVault::tamperedKeyIsAnError()
{
    QFETCH(QString, how);
    KeyVault vault(*m_store);
    QVERIFY(vault.init(kPass).has_value());
    const auto id = vault.storeKey(makeKey(crypto::KeyType::EcdsaP256));
    const auto other = vault.storeKey(makeKey(crypto::KeyType::EcdsaP256));
    QVERIFY(id && other);
    QByteArray blob = rawCiphertext(m_path, *id);
    if (how == QLatin1String("format")) {
        blob[0] = 0x02;
    } else if (how == QLatin1String("nonce")) {
        blob[5] = static_cast<char>(blob[5] ^ 0x01);
    } else if (how == QLatin1String("body")) {
        blob[40] = static_cast<char>(blob[40] ^ 0x80);
    } else if (how == QLatin1String("tag")) {
        blob[blob.size() - 1] = static_cast<char>(blob[blob.size() - 1] ^ 0x01);
    } else if (how == QLatin1String("truncated")) {
        blob.chop(20);
    } else if (how == QLatin1String("garbage")) {
        blob = QByteArray(3, 'x');
    } else {
        // Right key, right format, but sealed for another key's SPKI.
        blob = rawCiphertext(m_path, *other);
    }
    setRawCiphertext(m_path, *id, blob);
    const auto loaded = vault.loadKey(*id);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().code, ErrorCode::Crypto);
    QVERIFY2(loaded.error().message.startsWith(QStringLiteral("Key %1 ").arg(*id)),
             qPrintable(loaded.error().message));
    // The other key is untouched.
    QVERIFY(vault.loadKey(*other).has_value());
}

void TestKeyVault::changePassphraseReencryptsEveryKey()
{
    KeyVault vault(*m_store);
    QVERIFY(vault.init(kPass).has_value());
    const auto p256 = makeKey(crypto::KeyType::EcdsaP256);
    const auto rsa = makeKey(crypto::KeyType::Rsa2048);
    const auto a = vault.storeKey(p256);
    const auto b = vault.storeKey(rsa);
    QVERIFY(a && b);
    const QByteArray before = rawCiphertext(m_path, *a);

    const auto changed = vault.changePassphrase(kPass, kNewPass);
    QVERIFY2(changed.has_value(), qPrintable(changed ? QString() : changed.error().toString()));
    QVERIFY(vault.isUnlocked());
    QVERIFY(rawCiphertext(m_path, *a) != before);
    QCOMPARE(vault.loadKey(*a)->publicKeyDer(), p256.publicKeyDer());

    KeyVault again(*m_store);
    const auto old = again.unlock(kPass);
    QVERIFY(!old);
    QCOMPARE(old.error().message, QStringLiteral("wrong master passphrase"));
    QVERIFY(again.unlock(kNewPass).has_value());
    QCOMPARE(again.loadKey(*a)->publicKeyDer(), p256.publicKeyDer());
    QCOMPARE(again.loadKey(*b)->publicKeyDer(), rsa.publicKeyDer());
    // The old ciphertext no longer opens under the new key.
    setRawCiphertext(m_path, *a, before);
    QVERIFY(!again.loadKey(*a));

    const auto log = m_store->activity().auditLog(10);
    QVERIFY(log.has_value());
    QCOMPARE(log->first().action, QStringLiteral("vault.change-passphrase"));
    QCOMPARE(log->first().result, QStringLiteral("ok"));
}

void TestKeyVault::changeWithWrongOldPassphraseChangesNothing()
{
    KeyVault vault(*m_store);
    QVERIFY(vault.init(kPass).has_value());
    const auto id = vault.storeKey(makeKey(crypto::KeyType::EcdsaP256));
    QVERIFY(id.has_value());
    const auto changed = vault.changePassphrase(QByteArrayLiteral("guess"), kNewPass);
    QVERIFY(!changed);
    QCOMPARE(changed.error().message, QStringLiteral("wrong master passphrase"));
    KeyVault again(*m_store);
    QVERIFY(!again.unlock(kNewPass));
    QVERIFY(again.unlock(kPass).has_value());
    QVERIFY(again.loadKey(*id).has_value());
    const auto empty = vault.changePassphrase(kPass, {});
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, ErrorCode::InvalidInput);
}

void TestKeyVault::failedChangeKeepsTheOldPassphrase()
{
    KeyVault vault(*m_store);
    QVERIFY(vault.init(kPass).has_value());
    QList<crypto::PrivateKey> keys;
    QList<qint64> ids;
    for (int i = 0; i < 3; ++i) {
        keys << makeKey(crypto::KeyType::EcdsaP256);
        const auto id = vault.storeKey(keys.last());
        QVERIFY(id.has_value());
        ids << *id;
    }
    const QByteArray firstBefore = rawCiphertext(m_path, ids[0]);
    // Key 2 is damaged: the change re-encrypts key 1, then must give up.
    QByteArray damaged = rawCiphertext(m_path, ids[1]);
    damaged[30] = static_cast<char>(damaged[30] ^ 0x55);
    setRawCiphertext(m_path, ids[1], damaged);

    const auto changed = vault.changePassphrase(kPass, kNewPass);
    QVERIFY(!changed);
    QCOMPARE(changed.error().code, ErrorCode::Crypto);
    QVERIFY2(changed.error().message.contains(
                 QStringLiteral("Key %1 cannot be decrypted, so the master passphrase was not "
                                "changed")
                     .arg(ids[1])),
             qPrintable(changed.error().message));

    // Everything is as before: key 1's ciphertext too, not only the verifier.
    QCOMPARE(rawCiphertext(m_path, ids[0]), firstBefore);
    KeyVault again(*m_store);
    const auto next = again.unlock(kNewPass);
    QVERIFY(!next);
    QCOMPARE(next.error().message, QStringLiteral("wrong master passphrase"));
    QVERIFY(again.unlock(kPass).has_value());
    QCOMPARE(again.loadKey(ids[0])->publicKeyDer(), keys[0].publicKeyDer());
    QCOMPARE(again.loadKey(ids[2])->publicKeyDer(), keys[2].publicKeyDer());
    QVERIFY(!again.loadKey(ids[1]));
    // The refusal is in the audit log.
    const auto log = m_store->activity().auditLog(1);
    QCOMPARE(log->first().action, QStringLiteral("vault.change-passphrase"));
    QVERIFY(log->first().result != QLatin1String("ok"));
}

QTEST_GUILESS_MAIN(TestKeyVault)
#include "test_keyvault.moc"
