// SPDX-License-Identifier: GPL-3.0-or-later
// Which stored keys something uses, and the removal of those nothing uses:
// a key named by an account or a certificate is never pruned, and every
// column of the schema that references keys is known to the repository.
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"

#include <QDir>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

class TestKeyUsage : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void everyKeyReferenceOfTheSchemaIsKnown();
    void usageNamesWhatUsesEachKey();
    void pruneNeverDeletesAUsedKey();
    void pruneRemovesUnusedKeysInOneTransaction();

private:
    qint64 sealNewKey(const QString& label);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<KeyVault> m_vault;
    qint64 m_accountKey = 0;
    qint64 m_certificateKey = 0;
    qint64 m_orphan = 0;
    qint64 m_accountId = 0;
    qint64 m_certificateId = 0;
};

qint64 TestKeyUsage::sealNewKey(const QString& label)
{
    auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    if (!key) {
        return 0;
    }
    auto id = m_vault->storeKey(*key, label);
    return id ? *id : 0;
}

void TestKeyUsage::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto store = Store::openSqlite(m_dir->filePath(QStringLiteral("store.sqlite")));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    m_store = std::move(*store);
    m_vault = std::make_unique<KeyVault>(*m_store);
    ScryptCost cheap;
    cheap.n = 1024;
    QVERIFY(m_vault->init("test passphrase", cheap));

    m_accountKey = sealNewKey(QStringLiteral("ACME account key (prod)"));
    QVERIFY(m_accountKey > 0);
    IssuerRecord account;
    account.name = QStringLiteral("prod");
    account.directoryUrl = QStringLiteral("https://127.0.0.1:14000/dir");
    account.accountKeyId = m_accountKey;
    auto accountId = m_store->issuers().add(account);
    QVERIFY(accountId);
    m_accountId = *accountId;

    // A certificate whose key is stored: the test PKI's root will do.
    const QString pkiDir = m_dir->filePath(QStringLiteral("pki"));
    QVERIFY(QDir().mkpath(pkiDir));
    test::TestPki pki;
    QVERIFY2(pki.create(pkiDir, {}), qPrintable(pki.errorString()));
    auto bundle = crypto::CertificateReader::readFile(pki.rootCert);
    QVERIFY(bundle && !bundle->certificates.isEmpty());
    m_certificateKey = sealNewKey(QStringLiteral("ECDSA P-256"));
    QVERIFY(m_certificateKey > 0);
    auto certId =
        m_store->certificates().upsert(bundle->certificates.constFirst(), m_certificateKey);
    QVERIFY(certId);
    m_certificateId = *certId;

    // What an interrupted write of an older CertDeck left behind.
    m_orphan = sealNewKey(QStringLiteral("ACME account key (interrupted)"));
    QVERIFY(m_orphan > 0);
}

void TestKeyUsage::cleanup()
{
    m_vault.reset();
    m_store.reset();
    m_dir.reset();
}

void TestKeyUsage::everyKeyReferenceOfTheSchemaIsKnown()
{
    // Read the schema through a connection of its own, as another program.
    QSet<QString> inSchema;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("schema"));
        db.setDatabaseName(m_dir->filePath(QStringLiteral("store.sqlite")));
        QVERIFY(db.open());
        QSqlQuery tables(db);
        QVERIFY(tables.exec(
            QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")));
        QStringList names;
        while (tables.next()) {
            names << tables.value(0).toString();
        }
        QVERIFY(names.contains(QStringLiteral("keys")));
        for (const QString& table : std::as_const(names)) {
            QSqlQuery fks(db);
            QVERIFY(fks.exec(QStringLiteral("PRAGMA foreign_key_list(%1)").arg(table)));
            while (fks.next()) {
                // Columns: id, seq, table, from, to, ...
                if (fks.value(2).toString() == QLatin1String("keys")) {
                    inSchema.insert(table + u'.' + fks.value(3).toString());
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("schema"));
    QSet<QString> known;
    for (const KeyReference& ref : KeyRepository::references()) {
        known.insert(ref.table + u'.' + ref.column);
    }
    QVERIFY(!inSchema.isEmpty());
    QCOMPARE(known, inSchema);
}

void TestKeyUsage::usageNamesWhatUsesEachKey()
{
    auto all = m_store->keys().usage();
    QVERIFY(all);
    QCOMPARE(all->size(), 3);
    QCOMPARE(all->at(0).key.id, m_accountKey);
    QCOMPARE(all->at(0).usedBy,
             QStringList{QStringLiteral("ACME account 'prod' (#%1)").arg(m_accountId)});
    QCOMPARE(all->at(1).key.id, m_certificateKey);
    QCOMPARE(all->at(1).usedBy.size(), 1);
    QVERIFY2(all->at(1).usedBy.constFirst().startsWith(
                 QStringLiteral("certificate #%1 (").arg(m_certificateId)),
             qPrintable(all->at(1).usedBy.constFirst()));
    QCOMPARE(all->at(2).key.id, m_orphan);
    QVERIFY(all->at(2).isUnused());
    QCOMPARE(all->at(2).key.description, QStringLiteral("ACME account key (interrupted)"));
    QVERIFY(all->at(2).key.createdUtc.isValid());
    // The listing never carries ciphertext.
    for (const KeyUsage& u : std::as_const(*all)) {
        QVERIFY(u.key.encrypted.isEmpty());
    }

    auto unused = m_store->keys().unused();
    QVERIFY(unused);
    QCOMPARE(unused->size(), 1);
    QCOMPARE(unused->constFirst().id, m_orphan);
}

void TestKeyUsage::pruneNeverDeletesAUsedKey()
{
    for (const qint64 used : {m_accountKey, m_certificateKey}) {
        // Named alone or with an unused one: refused, and nothing is deleted.
        const Status refused = m_store->keys().removeUnused({m_orphan, used});
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::Conflict);
        QVERIFY2(refused.error().message.contains(QString::number(used)),
                 qPrintable(refused.error().message));
        QVERIFY(m_store->keys().get(m_orphan));
        QVERIFY(m_store->keys().get(used));
        QVERIFY(!m_store->keys().remove(used));
    }
    const Status missing = m_store->keys().removeUnused({m_orphan, 999});
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    QVERIFY(m_store->keys().get(m_orphan));
    // The refusal is in the audit log too.
    auto log = m_store->activity().auditLog(5);
    QVERIFY(log && !log->isEmpty());
    QCOMPARE(log->constFirst().action, QStringLiteral("key.prune"));
    QVERIFY(log->constFirst().result != QLatin1String("ok"));
}

void TestKeyUsage::pruneRemovesUnusedKeysInOneTransaction()
{
    const qint64 second = sealNewKey(QStringLiteral("left over too"));
    QVERIFY(second > 0);
    QVERIFY(m_store->keys().removeUnused({m_orphan, second}));
    QVERIFY(!m_store->keys().get(m_orphan));
    QVERIFY(!m_store->keys().get(second));
    auto unused = m_store->keys().unused();
    QVERIFY(unused && unused->isEmpty());
    QCOMPARE(*m_vault->keyCount(), 2);
    auto log = m_store->activity().auditLog(1);
    QVERIFY(log && log->size() == 1);
    QCOMPARE(log->constFirst().action, QStringLiteral("key.prune"));
    QCOMPARE(log->constFirst().subject, QStringLiteral("keys %1, %2").arg(m_orphan).arg(second));
    QCOMPARE(log->constFirst().result, QStringLiteral("ok"));
    // The keys in use still open.
    QVERIFY(m_vault->loadKey(m_accountKey));
    QVERIFY(m_vault->loadKey(m_certificateKey));
}

QTEST_GUILESS_MAIN(TestKeyUsage)
#include "test_key_usage.moc"
