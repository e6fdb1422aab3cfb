// SPDX-License-Identifier: GPL-3.0-or-later
#include "ThreadedOperation.h"

#include "common/OpensslThreadCleanup.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QThread>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>

namespace certdeck {

namespace detail {

/// What the caller's side and the worker thread share. `front` is cleared
/// (under the mutex) when the ThreadedOperation dies, so the worker posts to
/// a live object or not at all; `flow` is set while the flow exists, so a
/// cancel is queued to a live object (events posted to an object deleted
/// later are discarded by Qt).
struct WorkerShared
{
    std::mutex mutex;
    Operation* front = nullptr;
    Operation* flow = nullptr;
    bool cancelRequested = false;

    void postToFront(std::function<void(Operation&)> event)
    {
        std::lock_guard lock(mutex);
        if (front == nullptr) {
            return;
        }
        Operation* target = front;
        QMetaObject::invokeMethod(
            target,
            [target, event = std::move(event)] {
                if (!target->isFinished()) {
                    event(*target);
                }
            },
            Qt::QueuedConnection);
    }
};

} // namespace detail

namespace {

// Threads still running their flow, for waitForAll().
std::mutex g_runningMutex;
std::condition_variable g_runningDone;
int g_running = 0;
std::atomic<int> g_live{0};

Error internalFailure(const QString& message, const QString& detail = {})
{
    return Error{ErrorCode::Internal, message, detail};
}

/// One worker thread: makes the flow, runs the loop until the flow has
/// finished, then tears everything down on this thread.
class WorkerThread : public QThread
{
public:
    WorkerThread(std::shared_ptr<detail::WorkerShared> shared, WorkerLink link,
                 OperationThread::MakeFlow make, OperationThread::Harvest harvest,
                 OperationThread::Failure failure)
        : m_shared(std::move(shared))
        , m_link(std::move(link))
        , m_make(std::move(make))
        , m_harvest(std::move(harvest))
        , m_failure(std::move(failure))
    {
        ++g_live;
        std::lock_guard lock(g_runningMutex);
        ++g_running;
    }
    ~WorkerThread() override { --g_live; }
    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;

protected:
    void run() override
    {
        {
            // Declared first, so OpenSSL's per-thread state goes after the
            // flow and everything it made.
            const OpensslThreadCleanup cleanup;
            runFlow();
            // The closures may hold the last copies of what the flow used.
            m_make = nullptr;
            m_harvest = nullptr;
            m_failure = nullptr;
        }
        std::lock_guard lock(g_runningMutex);
        --g_running;
        g_runningDone.notify_all();
    }

private:
    void runFlow()
    {
        std::unique_ptr<Operation> flow;
        try {
            flow = m_make(m_link);
        } catch (const std::exception& e) {
            deliver(internalFailure(QStringLiteral("the operation could not be set up"),
                                    QString::fromUtf8(e.what())));
            return;
        } catch (...) {
            deliver(internalFailure(QStringLiteral("the operation could not be set up")));
            return;
        }
        if (!flow) {
            deliver(internalFailure(QStringLiteral("the operation could not be set up")));
            return;
        }
        Operation* raw = flow.get();
        QObject::connect(
            raw, &Operation::progress, raw,
            [shared = m_shared](const QString& step, double fraction, const QString& message) {
                shared->postToFront([step, fraction, message](Operation& front) {
                    emit front.progress(step, fraction, message);
                });
            });
        // The result is read here, but delivered only once the flow and all
        // it made are gone: when the caller sees finished(), the flow's
        // sockets are closed and its ports free.
        OperationThread::Delivery delivery;
        QObject::connect(raw, &Operation::finished, raw, [this, raw, &delivery](const Status&) {
            try {
                delivery = m_harvest(*raw);
            } catch (...) {
                delivery = nullptr;
            }
            exit(0);
        });
        bool cancelled = false;
        {
            std::lock_guard lock(m_shared->mutex);
            m_shared->flow = raw;
            cancelled = m_shared->cancelRequested;
        }
        if (cancelled) {
            raw->cancel(); // start() then finishes with Cancelled at once
        }
        raw->start();
        exec();
        {
            std::lock_guard lock(m_shared->mutex);
            m_shared->flow = nullptr;
        }
        flow.reset();
        // What the flow deleted later goes now, before the caller hears of it.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        if (delivery) {
            m_shared->postToFront(std::move(delivery));
        } else {
            deliver(internalFailure(QStringLiteral("the operation's result could not be "
                                                   "handed over")));
        }
    }

    // For failures outside the flow: the front ends with `error`.
    void deliver(const Error& error) { m_shared->postToFront(m_failure(error)); }

    std::shared_ptr<detail::WorkerShared> m_shared;
    WorkerLink m_link;
    OperationThread::MakeFlow m_make;
    OperationThread::Harvest m_harvest;
    OperationThread::Failure m_failure;
};

} // namespace

WorkerLink::WorkerLink(std::shared_ptr<detail::WorkerShared> shared)
    : m_shared(std::move(shared))
{}

void WorkerLink::post(std::function<void(Operation& front)> event) const
{
    m_shared->postToFront(std::move(event));
}

OperationThread::OperationThread(Operation* front)
    : m_shared(std::make_shared<detail::WorkerShared>())
{
    m_shared->front = front;
}

OperationThread::~OperationThread()
{
    // Nobody will read the result: stop the flow and drop its deliveries,
    // without waiting for the thread (it deletes itself when done).
    std::lock_guard lock(m_shared->mutex);
    m_shared->front = nullptr;
    m_shared->cancelRequested = true;
    if (Operation* flow = m_shared->flow) {
        QMetaObject::invokeMethod(
            flow, [flow] { flow->cancel(); }, Qt::QueuedConnection);
    }
}

void OperationThread::start(MakeFlow make, Harvest harvest, Failure failure)
{
    auto* thread = new WorkerThread(m_shared, WorkerLink(m_shared), std::move(make),
                                    std::move(harvest), std::move(failure));
    thread->setObjectName(QStringLiteral("certdeck-operation"));
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

void OperationThread::cancel()
{
    std::lock_guard lock(m_shared->mutex);
    m_shared->cancelRequested = true;
    if (Operation* flow = m_shared->flow) {
        QMetaObject::invokeMethod(
            flow, [flow] { flow->cancel(); }, Qt::QueuedConnection);
    }
}

int OperationThread::liveThreads()
{
    return g_live.load();
}

bool OperationThread::waitForAll(QDeadlineTimer deadline)
{
    std::unique_lock lock(g_runningMutex);
    return g_runningDone.wait_until(lock, deadline.deadline<std::chrono::steady_clock>(),
                                    [] { return g_running == 0; });
}

} // namespace certdeck
