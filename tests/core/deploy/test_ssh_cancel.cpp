// SPDX-License-Identifier: GPL-3.0-or-later
// SshCancel: listeners run once, at once, on the cancelling thread; a late
// subscriber runs immediately; an unsubscribed one never does.
#include "deploy/ssh/SshCancel.h"

#include <QTest>
#include <atomic>
#include <thread>

using namespace certdeck::deploy;

class TestSshCancel : public QObject
{
    Q_OBJECT
private slots:
    void listenersRunOnce();
    void lateSubscriberRunsAtOnce();
    void unsubscribedNeverRuns();
    void copiesShareState();
    void cancelFromAnotherThread();
};

void TestSshCancel::listenersRunOnce()
{
    SshCancel cancel;
    int calls = 0;
    cancel.subscribe([&] { ++calls; });
    QVERIFY(!cancel.isCancelled());
    QCOMPARE(calls, 0);
    cancel.cancel();
    cancel.cancel();
    QVERIFY(cancel.isCancelled());
    QCOMPARE(calls, 1);
}

void TestSshCancel::lateSubscriberRunsAtOnce()
{
    SshCancel cancel;
    cancel.cancel();
    int calls = 0;
    const int id = cancel.subscribe([&] { ++calls; });
    QCOMPARE(calls, 1);
    cancel.unsubscribe(id);
}

void TestSshCancel::unsubscribedNeverRuns()
{
    SshCancel cancel;
    int calls = 0;
    const int id = cancel.subscribe([&] { ++calls; });
    cancel.unsubscribe(id);
    cancel.cancel();
    QCOMPARE(calls, 0);
}

void TestSshCancel::copiesShareState()
{
    SshCancel original;
    const SshCancel copy = original; // NOLINT(performance-unnecessary-copy-initialization)
    int calls = 0;
    copy.subscribe([&] { ++calls; });
    original.cancel();
    QVERIFY(copy.isCancelled());
    QCOMPARE(calls, 1);
}

void TestSshCancel::cancelFromAnotherThread()
{
    SshCancel cancel;
    std::atomic<std::thread::id> ranOn{};
    cancel.subscribe([&] { ranOn = std::this_thread::get_id(); });
    std::thread other([cancel] { cancel.cancel(); });
    const std::thread::id otherId = other.get_id();
    other.join();
    QVERIFY(cancel.isCancelled());
    QVERIFY(ranOn.load() == otherId);
}

QTEST_GUILESS_MAIN(TestSshCancel)
#include "test_ssh_cancel.moc"
