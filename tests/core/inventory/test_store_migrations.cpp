// SPDX-License-Identifier: GPL-3.0-or-later
// Schema migrations on SQLite from every older version: the old database is
// built here with the DDL as it was released (not with the code under test),
// filled with data, then opened by the current code.
#include "inventory/Store.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

namespace {

// Schema version 1 exactly as released in 0.1.
const QStringList kV1 = {
    QStringLiteral("CREATE TABLE audit_log ( id INTEGER PRIMARY KEY, at_utc TEXT NOT NULL, actor "
                   "TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL DEFAULT '', result "
                   "TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')"),
    QStringLiteral("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT "
                   "RAISE(ABORT, 'the audit log is append-only'); END"),
    QStringLiteral("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT "
                   "RAISE(ABORT, 'the audit log is append-only'); END"),
    QStringLiteral("PRAGMA user_version = 1"),
};

// Runs `sql` on `path` through a connection of its own; the first error, or empty.
QString runRaw(const QString& path, const QStringList& sql, QStringList* firstColumn = nullptr)
{
    QString error;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            for (const QString& s : sql) {
                if (!q.exec(s)) {
                    error = s + QStringLiteral(": ") + q.lastError().text();
                    break;
                }
                while (firstColumn && q.next()) {
                    *firstColumn << q.value(0).toString();
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    return error;
}

} // namespace

class TestStoreMigrations : public QObject
{
    Q_OBJECT
private slots:
    void fromEveryOlderVersion_data();
    void fromEveryOlderVersion();
    void failedStepKeepsTheOldVersionAndData();
    void reopeningDoesNotMigrateTwice();
};

void TestStoreMigrations::fromEveryOlderVersion_data()
{
    QTest::addColumn<int>("version");
    for (int v = 0; v < Store::latestSchemaVersion(); ++v) {
        QTest::addRow("v%d", v) << v;
    }
}

void TestStoreMigrations::fromEveryOlderVersion()
{
    QFETCH(int, version);
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("old.sqlite"));
    QStringList setup;
    if (version == 0) {
        // A database some earlier tool created: no CertDeck tables at all.
        setup << QStringLiteral("PRAGMA user_version = 0");
    }
    if (version >= 1) {
        setup << kV1
              << QStringLiteral("INSERT INTO audit_log (at_utc, actor, action, subject, result) "
                                "VALUES ('2025-06-01T10:00:00Z', 'carol', 'key.generate', "
                                "'api.example.test', 'ok')");
    }
    // When a version 3 ships, its predecessor's DDL must be added here.
    QVERIFY2(version <= 1, "add the released DDL of this version to the test");
    QCOMPARE(runRaw(path, setup), QString());

    auto store = Store::openSqlite(path);
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    auto info = (*store)->info();
    QCOMPARE(info->schemaVersion, Store::latestSchemaVersion());

    auto log = (*store)->auditLog();
    QVERIFY(log.has_value());
    if (version >= 1) {
        QCOMPARE(log->size(), 1);
        QCOMPARE(log->first().actor, QStringLiteral("carol"));
        QCOMPARE(log->first().atUtc, QDateTime(QDate(2025, 6, 1), QTime(10, 0), Qt::UTC));
    } else {
        QCOMPARE(log->size(), 0);
    }
    // The new tables work, and the audit log is still append-only.
    Endpoint e;
    e.host = QStringLiteral("api.example.test");
    QVERIFY((*store)->addEndpoint(e).has_value());
    QCOMPARE((*store)->auditLog()->size(), version >= 1 ? 2 : 1);
    QVERIFY(!runRaw(path, {QStringLiteral("UPDATE audit_log SET actor = 'mallory'")}).isEmpty());
    QVERIFY(!runRaw(path, {QStringLiteral("DELETE FROM audit_log")}).isEmpty());
    QCOMPARE(*(*store)->integrityCheck(), QStringLiteral("ok"));
}

void TestStoreMigrations::failedStepKeepsTheOldVersionAndData()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("clash.sqlite"));
    // A v1 store where someone created a table that version 2 needs.
    QCOMPARE(runRaw(path, kV1 + QStringList{QStringLiteral("INSERT INTO audit_log (at_utc, actor, "
                                                           "action, result) VALUES "
                                                           "('2025-06-01T10:00:00Z', 'carol', "
                                                           "'x', 'ok')"),
                                            QStringLiteral("CREATE TABLE endpoints (x TEXT)")}),
             QString());
    auto store = Store::openSqlite(path);
    QVERIFY(!store.has_value());
    QCOMPARE(store.error().code, ErrorCode::Database);
    QVERIFY2(store.error().message.contains(QLatin1String("Schema migration 1 -> 2 failed")),
             qPrintable(store.error().toString()));
    QVERIFY2(store.error().detail.contains(QLatin1String("endpoints")),
             qPrintable(store.error().detail));
    // Nothing of step 2 is left behind, and the old data is there.
    QStringList rows;
    QCOMPARE(runRaw(path,
                    {QStringLiteral("PRAGMA user_version"),
                     QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'keys'"),
                     QStringLiteral("SELECT actor FROM audit_log")},
                    &rows),
             QString());
    QCOMPARE(rows,
             (QStringList{QStringLiteral("1"), QStringLiteral("0"), QStringLiteral("carol")}));
}

void TestStoreMigrations::reopeningDoesNotMigrateTwice()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("twice.sqlite"));
    for (int i = 0; i < 3; ++i) {
        auto store = Store::openSqlite(path);
        QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
        Endpoint e;
        e.host = QStringLiteral("h%1.example.test").arg(i);
        QVERIFY((*store)->addEndpoint(e).has_value());
        QCOMPARE((*store)->listEndpoints()->size(), i + 1);
    }
}

QTEST_GUILESS_MAIN(TestStoreMigrations)
#include "test_store_migrations.moc"
