// SPDX-License-Identifier: GPL-3.0-or-later
// Private keys in the OS keyring, against a real GNOME Keyring on a private
// session bus (tests/support/SecretServiceFixture): secrets round-trip
// through QtKeychain and are seen by `secret-tool` (the oracle); a keyring-
// held key leaves no key material in the store; a wrong or missing entry is
// a clear error; without a Secret Service the probe says so.
#include "PeerProcess.h"
#include "SecretServiceFixture.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyringKeys.h"
#include "inventory/OsKeyring.h"
#include "inventory/Store.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using namespace certdeck::test;

class TestOsKeyring : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void secretsRoundTrip();
    void keyringHeldKeyLeavesNothingInTheStore();
    void wrongOrMissingEntryIsAClearError();
    void vaultStatusReportsTheKeyring();
    void noSecretServiceIsReported();

private:
    SecretServiceFixture m_keyring;
    QTemporaryDir m_tmp;
};

void TestOsKeyring::initTestCase()
{
    QVERIFY2(m_keyring.start(), qPrintable(m_keyring.errorString()));
    // Before the first D-Bus use in this process: only the private bus.
    QVERIFY2(m_keyring.useBusInThisProcess(), qPrintable(m_keyring.errorString()));
    QVERIFY2(OsKeyring().probe().has_value(), "the probe does not see the keyring");
}

void TestOsKeyring::secretsRoundTrip()
{
    const OsKeyring keyring(QStringLiteral("CertDeck-test"));
    const QByteArray secret("\x00\x01binary\xff secret\n", 17);
    QVERIFY(keyring.write(QStringLiteral("entry-1"), secret).has_value());
    auto back = keyring.read(QStringLiteral("entry-1"));
    QVERIFY2(back.has_value(), qPrintable(back ? QString() : back.error().toString()));
    QCOMPARE(*back, secret);

    // The oracle: the Secret Service itself holds an item for it.
    QByteArray out;
    QCOMPARE(m_keyring.secretTool({QStringLiteral("search"), QStringLiteral("--all"),
                                   QStringLiteral("user"), QStringLiteral("entry-1")},
                                  &out),
             0);
    QVERIFY2(out.contains("CertDeck-test"), out.constData());

    QVERIFY(keyring.remove(QStringLiteral("entry-1")).has_value());
    auto gone = keyring.read(QStringLiteral("entry-1"));
    QVERIFY(!gone.has_value());
    QCOMPARE(gone.error().code, ErrorCode::NotFound);
    QVERIFY(keyring.remove(QStringLiteral("entry-1")).has_value()); // idempotent
    out.clear();
    m_keyring.secretTool({QStringLiteral("search"), QStringLiteral("--all"), QStringLiteral("user"),
                          QStringLiteral("entry-1")},
                         &out);
    QVERIFY2(!out.contains("CertDeck-test"), out.constData());
}

void TestOsKeyring::keyringHeldKeyLeavesNothingInTheStore()
{
    const QString dbPath = m_tmp.filePath(QStringLiteral("keys.sqlite"));
    auto store = Store::openSqlite(dbPath);
    QVERIFY(store.has_value());
    auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    QVERIFY(key.has_value());
    const OsKeyring keyring;
    KeyringKeys keys(**store, keyring);
    auto id = keys.storeKey(*key, QStringLiteral("api.example.test"));
    QVERIFY2(id.has_value(), qPrintable(id ? QString() : id.error().toString()));

    auto record = (*store)->keys().get(*id);
    QCOMPARE(record->protection, KeyProtection::OsKeyring);
    QVERIFY(record->encrypted.isEmpty());
    QVERIFY(record->keyringId.startsWith(QLatin1String("certdeck-key-")));
    QCOMPARE(record->spkiSha256, key->spkiSha256());
    // The database file holds no part of the private key.
    (*store).reset();
    QFile db(dbPath);
    QVERIFY(db.open(QIODevice::ReadOnly));
    const QByteArray bytes = db.readAll() + [&] {
        QFile wal(dbPath + QStringLiteral("-wal"));
        return wal.open(QIODevice::ReadOnly) ? wal.readAll() : QByteArray();
    }();
    const QByteArray der = key->toPkcs8Der();
    QVERIFY(!bytes.contains(der.right(32)));

    store = Store::openSqlite(dbPath);
    KeyringKeys again(**store, keyring);
    auto loaded = again.loadKey(*id);
    QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error().toString()));
    QCOMPARE(loaded->spkiSha256(), key->spkiSha256());
    QCOMPARE(loaded->toPkcs8Der(), der);
}

void TestOsKeyring::wrongOrMissingEntryIsAClearError()
{
    auto store = Store::openSqlite(m_tmp.filePath(QStringLiteral("wrong.sqlite")));
    QVERIFY(store.has_value());
    const OsKeyring keyring;
    KeyringKeys keys(**store, keyring);
    auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    auto id = keys.storeKey(*key);
    QVERIFY(id.has_value());
    const QString entry = (*store)->keys().get(*id)->keyringId;

    // Someone replaced the entry with another key.
    auto other = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    QVERIFY(keyring.write(entry, other->toPkcs8Der()).has_value());
    auto swapped = keys.loadKey(*id);
    QVERIFY(!swapped.has_value());
    QCOMPARE(swapped.error().code, ErrorCode::Crypto);
    QVERIFY2(swapped.error().message.contains(QLatin1String("holds another key")),
             qPrintable(swapped.error().toString()));

    // Garbage in the entry.
    QVERIFY(keyring.write(entry, "not a key").has_value());
    auto garbage = keys.loadKey(*id);
    QVERIFY(!garbage.has_value());
    QVERIFY2(garbage.error().message.contains(QLatin1String("is not a private key")),
             qPrintable(garbage.error().toString()));

    // The entry was deleted from the keyring.
    QVERIFY(keyring.remove(entry).has_value());
    auto missing = keys.loadKey(*id);
    QVERIFY(!missing.has_value());
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    QVERIFY2(missing.error().message.startsWith(QStringLiteral("Key %1").arg(*id)),
             qPrintable(missing.error().toString()));
}

void TestOsKeyring::vaultStatusReportsTheKeyring()
{
    const QString ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY(QFile::exists(ctl));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_keyring.busAddress());
    env.insert(QStringLiteral("CERTDECK_DB"), m_tmp.filePath(QStringLiteral("cli.sqlite")));
    p.setProcessEnvironment(env);
    p.start(ctl, {QStringLiteral("vault"), QStringLiteral("status")});
    QVERIFY(p.waitForFinished(60000));
    const QByteArray out = p.readAllStandardOutput();
    QVERIFY2(out.contains("OS keyring: available"), out.constData());

    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
               QStringLiteral("unix:path=") + m_tmp.filePath(QStringLiteral("no-bus")));
    p.setProcessEnvironment(env);
    p.start(ctl, {QStringLiteral("vault"), QStringLiteral("status"), QStringLiteral("--json")});
    QVERIFY(p.waitForFinished(60000));
    const QByteArray json = p.readAllStandardOutput();
    QVERIFY2(json.contains("\"osKeyring\": false"), json.constData());
    QVERIFY2(json.contains("\"osKeyringProblem\": \"No usable OS keyring here"), json.constData());
}

void TestOsKeyring::noSecretServiceIsReported()
{
    // The keyring goes away; the bus stays: the probe names the problem.
    m_keyring.stopKeyring();
    const OsKeyring keyring(QStringLiteral("CertDeck"), 20000);
    const Status s = keyring.probe();
    QVERIFY(!s.has_value());
    QCOMPARE(s.error().code, ErrorCode::Unsupported);
    QVERIFY2(!s.error().detail.isEmpty(), qPrintable(s.error().toString()));
}

QTEST_GUILESS_MAIN(TestOsKeyring)
#include "test_os_keyring.moc"
