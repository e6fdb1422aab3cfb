// SPDX-License-Identifier: GPL-3.0-or-later
// A writer killed mid-write (SIGKILL, no chance to clean up) leaves a store
// that passes its integrity check and holds every row whose commit was
// reported. The writer is this same executable, started again with
// CERTDECK_STORE_WRITER set (tests/support/StoreWriterProcess), so no extra
// helper binary is needed. test_store_postgres does the same on PostgreSQL.
#include "StoreWriterChild.h"
#include "inventory/Store.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <utility>

using namespace certdeck;
using namespace certdeck::inventory;

class TestStoreCrash : public QObject
{
    Q_OBJECT
private slots:
    void killedWriterLosesNoCommittedRow();
    void twoWritingProcessesBothCommitEverything();
};

void TestStoreCrash::killedWriterLosesNoCommittedRow()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("crash.sqlite"));
    {
        auto created = Store::openSqlite(path);
        QVERIFY(created.has_value());
    }
    // Let it commit a good number of rows, then kill it while it writes.
    const test::KilledWriter killed = test::killStoreWriterMidWrite(path, 300);
    QVERIFY2(killed.ok, qPrintable(killed.error));
    const QStringList& committed = killed.committed;

    auto store = Store::openSqlite(path);
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    QCOMPARE(*(*store)->integrityCheck(), QStringLiteral("ok"));
    auto all = (*store)->endpoints().list();
    QVERIFY(all.has_value());
    QSet<QString> stored;
    for (const Endpoint& e : *all) {
        stored.insert(e.host);
    }
    for (const QString& host : committed) {
        QVERIFY2(stored.contains(host), qPrintable(host + QStringLiteral(" was lost")));
    }
    // At most the one row in flight was committed without being reported.
    QVERIFY2(
        stored.size() - committed.size() <= 1,
        qPrintable(
            QStringLiteral("%1 stored, %2 reported").arg(stored.size()).arg(committed.size())));
    // Each committed endpoint has its audit line: they were one transaction.
    auto log = (*store)->activity().auditLog(1000000);
    QCOMPARE(log->size(), stored.size());
    // And the store takes new writes.
    Endpoint after;
    after.host = QStringLiteral("after.example.test");
    QVERIFY((*store)->endpoints().add(after).has_value());
}

void TestStoreCrash::twoWritingProcessesBothCommitEverything()
{
    // The console and a CLI script write at the same time: the busy timeout
    // makes each wait its turn instead of failing.
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("shared.sqlite"));
    {
        auto created = Store::openSqlite(path);
        QVERIFY(created.has_value());
    }
    constexpr int kRows = 200;
    QProcess a;
    QProcess b;
    for (auto [proc, prefix] : {std::pair{&a, "a"}, std::pair{&b, "b"}}) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CERTDECK_STORE_WRITER"), path);
        env.insert(QStringLiteral("CERTDECK_STORE_WRITER_PREFIX"), QString::fromLatin1(prefix));
        env.insert(QStringLiteral("CERTDECK_STORE_WRITER_COUNT"), QString::number(kRows));
        proc->setProcessEnvironment(env);
        proc->start(QCoreApplication::applicationFilePath(), {});
    }
    for (QProcess* proc : {&a, &b}) {
        QVERIFY(proc->waitForFinished(120000));
        QVERIFY2(proc->exitStatus() == QProcess::NormalExit && proc->exitCode() == 0,
                 proc->readAllStandardError().constData());
    }
    auto store = Store::openSqlite(path);
    QVERIFY(store.has_value());
    int fromA = 0;
    int fromB = 0;
    const auto all = (*store)->endpoints().list();
    QVERIFY(all.has_value());
    for (const Endpoint& e : *all) {
        fromA += e.host.startsWith(u'a') ? 1 : 0;
        fromB += e.host.startsWith(u'b') ? 1 : 0;
    }
    QCOMPARE(fromA, kRows);
    QCOMPARE(fromB, kRows);
    QCOMPARE((*store)->activity().auditLog(10000)->size(), 2 * kRows);
    QCOMPARE(*(*store)->integrityCheck(), QStringLiteral("ok"));
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (const auto writer = test::runStoreWriterIfAsked()) {
        return *writer;
    }
    TestStoreCrash test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_store_crash.moc"
