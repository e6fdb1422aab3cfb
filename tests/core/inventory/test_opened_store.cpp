// SPDX-License-Identifier: GPL-3.0-or-later
// The store is opened, checked and migrated once per process: later opens and
// other threads only connect. The store thread runs its work in order on one
// connection and drops what has not started when it stops.
// test_store_postgres runs the same on PostgreSQL.
#include "inventory/OpenedStore.h"
#include "inventory/Store.h"
#include "inventory/StoreThread.h"

#include <QFile>
#include <QFuture>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>
#include <thread>

using namespace certdeck;
using namespace certdeck::inventory;

class TestOpenedStore : public QObject
{
    Q_OBJECT
private slots:
    void secondOpenOnlyConnects();
    void workerThreadConnectionSkipsChecks();
    void racingFirstOpensCheckOnce();
    void closedLocationIsCheckedAgain();
    void storeThreadRunsInOrderOnItsOwnThread();
    void storeThreadReportsAnOpenErrorToEachTask();
    void stopDropsQueuedWorkAndWaitsForTheRunningTask();

private:
    QTemporaryDir m_tmp;
    int m_n = 0;
    QString freshPath() { return m_tmp.filePath(QStringLiteral("s%1.sqlite").arg(++m_n)); }
};

void TestOpenedStore::secondOpenOnlyConnects()
{
    const QString path = freshPath();
    const int before = OpenedStore::fullOpenCount();
    auto a = Store::openSqlite(path);
    QVERIFY2(a.has_value(), qPrintable(a ? QString() : a.error().toString()));
    QCOMPARE(OpenedStore::fullOpenCount(), before + 1);
    auto b = Store::openUrl(QStringLiteral("sqlite:") + path);
    QVERIFY(b.has_value());
    auto c = (*a)->opened()->connect();
    QVERIFY(c.has_value());
    QCOMPARE(OpenedStore::fullOpenCount(), before + 1);
    QCOMPARE((*b)->opened(), (*a)->opened());
    // Separate connections to one database: a write through one is seen by
    // the others.
    Endpoint e;
    e.host = QStringLiteral("once.example.test");
    QVERIFY((*b)->endpoints().add(e).has_value());
    QCOMPARE((*a)->endpoints().list()->size(), 1);
    QCOMPARE((*c)->endpoints().list()->size(), 1);
    QCOMPARE((*c)->info()->location, path);
}

void TestOpenedStore::workerThreadConnectionSkipsChecks()
{
    const QString path = freshPath();
    auto main = Store::openSqlite(path);
    QVERIFY(main.has_value());
    const int before = OpenedStore::fullOpenCount();
    const std::shared_ptr<const OpenedStore> opened = (*main)->opened();
    Qt::HANDLE workerThread = nullptr;
    // Both ways a worker gets a connection: from the handed-over store, and
    // by location as the jobs do.
    QFuture<QString> done = QtConcurrent::run([opened, path, &workerThread]() -> QString {
        workerThread = QThread::currentThreadId();
        auto mine = opened->connect();
        if (!mine) {
            return mine.error().toString();
        }
        Endpoint e;
        e.host = QStringLiteral("worker.example.test");
        if (auto added = (*mine)->endpoints().add(e); !added) {
            return added.error().toString();
        }
        auto byLocation = Store::openUrl(path);
        if (!byLocation) {
            return byLocation.error().toString();
        }
        if ((*byLocation)->opened() != opened) {
            return QStringLiteral("a second opened store for the same location");
        }
        return (*byLocation)->endpoints().list()->size() == 1 ? QString()
                                                              : QStringLiteral("endpoint not seen");
    });
    done.waitForFinished();
    QVERIFY2(done.result().isEmpty(), qPrintable(done.result()));
    QVERIFY(workerThread != QThread::currentThreadId());
    QCOMPARE(OpenedStore::fullOpenCount(), before);
    auto listed = (*main)->endpoints().list();
    QVERIFY(listed && listed->size() == 1);
    QCOMPARE(listed->first().host, QStringLiteral("worker.example.test"));
}

void TestOpenedStore::racingFirstOpensCheckOnce()
{
    const QString path = freshPath();
    const int before = OpenedStore::fullOpenCount();
    // All hold their connection until every one has opened, so the location
    // stays open throughout.
    // Threads of their own: the global pool may have fewer than four.
    constexpr int kThreads = 4;
    QSemaphore opened;
    QSemaphore release;
    QStringList errors(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i, path] {
            auto s = Store::openUrl(path);
            opened.release();
            release.acquire();
            errors[i] = s ? QString() : s.error().toString();
        });
    }
    opened.acquire(kThreads);
    release.release(kThreads);
    for (auto& t : threads) {
        t.join();
    }
    QCOMPARE(errors, QStringList(kThreads));
    QCOMPARE(OpenedStore::fullOpenCount(), before + 1);
}

void TestOpenedStore::closedLocationIsCheckedAgain()
{
    // Once no connection is left, the file may be replaced behind our back:
    // the next open checks it again and refuses a damaged one.
    const QString path = freshPath();
    {
        auto s = Store::openSqlite(path);
        QVERIFY(s.has_value());
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek(100);
    f.write(QByteArray(f.size() - 100, '\x5a'));
    f.close();
    QFile::remove(path + QStringLiteral("-wal"));
    QFile::remove(path + QStringLiteral("-shm"));
    const int before = OpenedStore::fullOpenCount();
    auto again = Store::openSqlite(path);
    QVERIFY(!again.has_value());
    QVERIFY2(again.error().message.contains(QLatin1String("left as it is")),
             qPrintable(again.error().toString()));
    QCOMPARE(OpenedStore::fullOpenCount(), before + 1);
}

void TestOpenedStore::storeThreadRunsInOrderOnItsOwnThread()
{
    const QString path = freshPath();
    const int before = OpenedStore::fullOpenCount();
    StoreThread thread(path);
    QList<QFuture<Result<int>>> results;
    for (int i = 0; i < 5; ++i) {
        results << thread.run<int>([i](Store& s) -> Result<int> {
            if (QThread::currentThread()->objectName() != QLatin1String("certdeck-store")) {
                return fail(ErrorCode::Internal, QStringLiteral("not on the store thread"));
            }
            Endpoint e;
            e.host = QStringLiteral("h%1.example.test").arg(i);
            if (auto added = s.endpoints().add(e); !added) {
                return tl::unexpected(added.error());
            }
            // Each task sees exactly the ones queued before it.
            auto all = s.endpoints().list();
            if (!all) {
                return tl::unexpected(all.error());
            }
            return int(all->size());
        });
    }
    for (int i = 0; i < results.size(); ++i) {
        results[i].waitForFinished();
        const Result<int> r = results[i].result();
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(*r, i + 1);
    }
    QCOMPARE(OpenedStore::fullOpenCount(), before + 1);
}

void TestOpenedStore::storeThreadReportsAnOpenErrorToEachTask()
{
    const QString path = freshPath();
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not a database\n");
    f.close();
    StoreThread thread(path);
    for (int i = 0; i < 2; ++i) {
        auto r = thread.run<int>([](Store&) -> Result<int> { return 1; });
        r.waitForFinished();
        QVERIFY(!r.result().has_value());
        QVERIFY2(r.result().error().message.contains(QLatin1String("not an SQLite database")),
                 qPrintable(r.result().error().toString()));
    }
}

void TestOpenedStore::stopDropsQueuedWorkAndWaitsForTheRunningTask()
{
    StoreThread thread(freshPath());
    QSemaphore started;
    QSemaphore gate;
    bool ranToEnd = false;
    auto running = thread.run<int>([&](Store&) -> Result<int> {
        started.release();
        gate.acquire();
        ranToEnd = true;
        return 1;
    });
    bool queuedRan = false;
    auto queued = thread.run<int>([&](Store&) -> Result<int> {
        queuedRan = true;
        return 2;
    });
    started.acquire();
    std::thread stopper([&thread] { thread.stop(); });
    // The queued task is dropped at once, while the running one still runs.
    QTRY_VERIFY(queued.isFinished());
    QVERIFY(queued.isCanceled());
    QCOMPARE(queued.resultCount(), 0);
    QVERIFY(!running.isFinished());
    gate.release();
    stopper.join();
    QVERIFY(ranToEnd);
    QVERIFY(!queuedRan);
    QCOMPARE(running.result().value_or(0), 1);
    // After stop(), work is refused at once.
    auto late = thread.run<int>([](Store&) -> Result<int> { return 3; });
    QVERIFY(late.isCanceled());
}

QTEST_GUILESS_MAIN(TestOpenedStore)
#include "test_opened_store.moc"
