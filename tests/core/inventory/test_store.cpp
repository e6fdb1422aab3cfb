// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/Store.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

class TestStore : public QObject
{
    Q_OBJECT
private slots:
    void createsPrivateFileInPrivateFolder();
    void reopenKeepsSchemaAndWal();
    void twoOpenersShareTheStore();
    void auditLogIsAppendOnly();
    void notADatabaseIsLeftUntouched();
    void damagedDatabaseIsLeftUntouched();
    void newerSchemaIsRefused();

private:
    static QByteArray sha256Of(const QString& path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            return {};
        }
        return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
    }
};

void TestStore::createsPrivateFileInPrivateFolder()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("new/sub/certdeck.sqlite"));
    auto store = Store::openSqlite(path);
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    const QFileInfo file(path);
    QVERIFY(file.exists());
    QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther |
                                   QFileDevice::WriteGroup | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    const QFileInfo folder(tmp.filePath(QStringLiteral("new/sub")));
    QCOMPARE(folder.permissions() & (QFileDevice::ReadOther | QFileDevice::ExeOther |
                                     QFileDevice::ReadGroup | QFileDevice::ExeGroup),
             QFileDevice::Permissions());
}

void TestStore::reopenKeepsSchemaAndWal()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("certdeck.sqlite"));
    {
        auto store = Store::openSqlite(path);
        QVERIFY(store.has_value());
    }
    auto info = Store::inspectSqlite(path);
    QVERIFY2(info.has_value(), qPrintable(info ? QString() : info.error().toString()));
    QCOMPARE(info->backend, QStringLiteral("SQLite"));
    QCOMPARE(info->schemaVersion, Store::latestSchemaVersion());
    QCOMPARE(info->journalMode, QStringLiteral("wal"));
    QVERIFY(info->engineVersion.startsWith(u'3'));
}

void TestStore::twoOpenersShareTheStore()
{
    // The console and the CLI hold the store open at the same time.
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("certdeck.sqlite"));
    auto a = Store::openSqlite(path);
    auto b = Store::openSqlite(path);
    QVERIFY(a.has_value());
    QVERIFY(b.has_value());
    auto check = (*b)->integrityCheck();
    QVERIFY(check.has_value());
    QCOMPARE(*check, QStringLiteral("ok"));
}

void TestStore::auditLogIsAppendOnly()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("certdeck.sqlite"));
    {
        auto store = Store::openSqlite(path);
        QVERIFY(store.has_value());
    }
    // An independent connection plays the part of a careless script.
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("INSERT INTO audit_log(at_utc, actor, action, result) "
                                      "VALUES ('2026-01-01T00:00:00Z', 'alice', 'test', 'ok')")));
        QVERIFY(!q.exec(QStringLiteral("UPDATE audit_log SET actor = 'mallory'")));
        QVERIFY(!q.exec(QStringLiteral("DELETE FROM audit_log")));
        QVERIFY(q.exec(QStringLiteral("SELECT actor FROM audit_log")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("alice"));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
}

void TestStore::notADatabaseIsLeftUntouched()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("certdeck.sqlite"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("-----BEGIN CERTIFICATE-----\nnot a database at all\n");
    f.close();
    const QByteArray before = sha256Of(path);
    auto store = Store::openSqlite(path);
    QVERIFY(!store.has_value());
    QCOMPARE(store.error().code, ErrorCode::Database);
    QVERIFY2(store.error().message.contains(QLatin1String("not an SQLite database")),
             qPrintable(store.error().message));
    QVERIFY(store.error().detail.contains(path));
    QCOMPARE(sha256Of(path), before);
}

void TestStore::damagedDatabaseIsLeftUntouched()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("certdeck.sqlite"));
    {
        auto store = Store::openSqlite(path);
        QVERIFY(store.has_value());
    }
    // Keep the valid header but scribble over the schema pages.
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.size() >= 4096);
    f.seek(100);
    f.write(QByteArray(f.size() - 100, '\x5a'));
    f.close();
    const QByteArray before = sha256Of(path);
    auto store = Store::openSqlite(path);
    QVERIFY(!store.has_value());
    QCOMPARE(store.error().code, ErrorCode::Database);
    QVERIFY2(store.error().message.contains(QLatin1String("left as it is")),
             qPrintable(store.error().toString()));
    QCOMPARE(sha256Of(path), before);
}

void TestStore::newerSchemaIsRefused()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("certdeck.sqlite"));
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("future"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 999")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("future"));
    auto store = Store::openSqlite(path);
    QVERIFY(!store.has_value());
    QVERIFY2(store.error().message.contains(QLatin1String("newer CertDeck")),
             qPrintable(store.error().message));
}

QTEST_GUILESS_MAIN(TestStore)
#include "test_store.moc"
