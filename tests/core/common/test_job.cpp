// SPDX-License-Identifier: GPL-3.0-or-later
// The job contract every long operation relies on: work off the caller's
// thread, progress in order, exactly one finished(), cancel, and no delivery
// to a receiver or a job that is gone.
#include "common/Job.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QThreadPool>
#include <atomic>
#include <stdexcept>

using namespace certdeck;

class TestJob : public QObject
{
    Q_OBJECT
private slots:
    void runsOffThreadAndFinishesOnce();
    void progressArrivesBeforeFinished();
    void cancelStopsTheWork();
    void cancelBeforeStart();
    void errorsAndExceptionsBecomeResults();
    void deadReceiverIsSkipped();
    void destroyedJobCancelsAndDropsDelivery();
};

void TestJob::runsOffThreadAndFinishesOnce()
{
    QThread* mine = QThread::currentThread();
    auto* job = new TypedJob<QThread*>(
        [](const JobControl&) -> Result<QThread*> { return QThread::currentThread(); }, this);
    QSignalSpy finished(job, &Job::finished);
    job->start();
    job->start(); // a second start is ignored
    QVERIFY(finished.wait(10000));
    QVERIFY(job->isFinished());
    QVERIFY(job->result());
    QVERIFY(*job->result() != mine);
    QVERIFY(job->status());
    QVERIFY(!finished.wait(200));
    QCOMPARE(finished.count(), 1);
    job->cancel(); // after the end: no second signal, result unchanged
    QVERIFY(!finished.wait(100));
    QVERIFY(job->result());
    delete job;
}

void TestJob::progressArrivesBeforeFinished()
{
    auto* job = new TypedJob<int>(
        [](const JobControl& c) -> Result<int> {
            c.reportProgress(QStringLiteral("one"), 0.0, QStringLiteral("begin"));
            c.reportProgress(QStringLiteral("two"), 0.5, QStringLiteral("half"));
            c.reportProgress(QStringLiteral("two"), 0.6, QStringLiteral("dropped: too soon"));
            c.reportProgress(QStringLiteral("two"), 1.0, QStringLiteral("end"));
            return 42;
        },
        this);
    QStringList seen;
    connect(job, &Job::progress, this,
            [&seen, job](const QString& step, double fraction, const QString& message) {
                QVERIFY(!job->isFinished());
                seen << QStringLiteral("%1 %2 %3").arg(step).arg(fraction).arg(message);
            });
    QSignalSpy finished(job, &Job::finished);
    job->start();
    QVERIFY(finished.wait(10000));
    QCOMPARE(seen, (QStringList{QStringLiteral("one 0 begin"), QStringLiteral("two 0.5 half"),
                                QStringLiteral("two 1 end")}));
    QCOMPARE(*job->result(), 42);
    delete job;
}

void TestJob::cancelStopsTheWork()
{
    auto iterations = std::make_shared<std::atomic<int>>(0);
    auto* job = new TypedJob<int>(
        [iterations](const JobControl& c) -> Result<int> {
            // Busy work that only ends when cancelled (no sleeping).
            while (!c.isCancelled()) {
                ++*iterations;
            }
            return fail(ErrorCode::Cancelled, QStringLiteral("stopped"));
        },
        this);
    QSignalSpy finished(job, &Job::finished);
    job->start();
    QTRY_VERIFY(*iterations > 0);
    QVERIFY(job->isRunning());
    job->cancel();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.count(), 1);
    const Status status = job->status();
    QVERIFY(!status);
    QCOMPARE(status.error().code, ErrorCode::Cancelled);
    QCOMPARE(job->result().error().code, ErrorCode::Cancelled);
    delete job;
}

void TestJob::cancelBeforeStart()
{
    bool ran = false;
    auto* job = new TypedJob<int>(
        [&ran](const JobControl&) -> Result<int> {
            ran = true;
            return 1;
        },
        this);
    QSignalSpy finished(job, &Job::finished);
    job->cancel();
    job->start();
    QVERIFY(finished.wait(10000));
    QVERIFY(!ran);
    QCOMPARE(job->result().error().code, ErrorCode::Cancelled);
    delete job;
}

void TestJob::errorsAndExceptionsBecomeResults()
{
    auto* failing = new TypedJob<int>(
        [](const JobControl&) -> Result<int> {
            return fail(ErrorCode::Io, QStringLiteral("disk on fire"));
        },
        this);
    QSignalSpy f1(failing, &Job::finished);
    failing->start();
    QVERIFY(f1.wait(10000));
    QCOMPARE(failing->result().error().code, ErrorCode::Io);
    QCOMPARE(failing->status().error().message, QStringLiteral("disk on fire"));

    auto* throwing = new TypedJob<int>(
        [](const JobControl&) -> Result<int> { throw std::runtime_error("boom"); }, this);
    QSignalSpy f2(throwing, &Job::finished);
    throwing->start();
    QVERIFY(f2.wait(10000));
    QCOMPARE(throwing->result().error().code, ErrorCode::Internal);
    QCOMPARE(throwing->result().error().detail, QStringLiteral("boom"));
    delete failing;
    delete throwing;
}

void TestJob::deadReceiverIsSkipped()
{
    auto* job = new TypedJob<int>([](const JobControl&) -> Result<int> { return 7; }, this);
    int called = 0;
    int alsoCalled = 0;
    auto* receiver = new QObject;
    job->onFinished(receiver, [&called](const Result<int>&) { ++called; });
    job->onFinished(this, [&alsoCalled](const Result<int>& r) { alsoCalled = r ? *r : -1; });
    delete receiver;
    QSignalSpy finished(job, &Job::finished);
    job->start();
    QVERIFY(finished.wait(10000));
    QCOMPARE(called, 0);
    QCOMPARE(alsoCalled, 7);
    delete job;
}

void TestJob::destroyedJobCancelsAndDropsDelivery()
{
    auto sawCancel = std::make_shared<std::atomic<bool>>(false);
    auto started = std::make_shared<std::atomic<bool>>(false);
    auto* job = new TypedJob<int>(
        [sawCancel, started](const JobControl& c) -> Result<int> {
            *started = true;
            while (!c.isCancelled()) {
            }
            *sawCancel = true;
            c.reportProgress(QStringLiteral("late"), 1.0, QStringLiteral("nobody listens"));
            return 1;
        },
        this);
    job->start();
    QTRY_VERIFY(*started);
    delete job; // the page closed while the work ran
    QVERIFY(QThreadPool::globalInstance()->waitForDone(10000));
    QVERIFY(*sawCancel);
    // A later job still works; the dropped delivery crashed nothing.
    auto* next = new TypedJob<int>([](const JobControl&) -> Result<int> { return 2; }, this);
    QSignalSpy finished(next, &Job::finished);
    next->start();
    QVERIFY(finished.wait(10000));
    QCOMPARE(*next->result(), 2);
    delete next;
}

QTEST_GUILESS_MAIN(TestJob)
#include "test_job.moc"
