// SPDX-License-Identifier: GPL-3.0-or-later
#include "StoreThread.h"

#include "OpenedStore.h"
#include "Store.h"
#include "inventory/internal/Log.h"

#include <QCoreApplication>
#include <QHash>
#include <QThread>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace certdeck::inventory {

// A plain queue instead of the thread's event loop: stop() must be able to
// drop what has not started, and nothing here needs events.
class StoreThread::Worker : public QThread
{
public:
    explicit Worker(QString location)
        : m_location(std::move(location))
    {
        setObjectName(QStringLiteral("certdeck-store"));
    }

    void enqueue(Task task)
    {
        {
            const std::lock_guard lock(m_mutex);
            if (!m_stopping) {
                m_tasks.push_back(std::move(task));
            }
        }
        // Refused after stop(): dropping the task cancels its future, here,
        // outside the lock.
        task = nullptr;
        m_wake.notify_one();
    }

    void stop()
    {
        std::deque<Task> dropped;
        {
            const std::lock_guard lock(m_mutex);
            m_stopping = true;
            dropped.swap(m_tasks);
        }
        m_wake.notify_one();
        // Cancelled at once (their promises go with them), not after the
        // running task: nothing of them ran.
        dropped.clear();
        wait();
    }

protected:
    void run() override
    {
        // Made, used and destroyed on this thread only.
        std::unique_ptr<Store> store;
        for (;;) {
            Task task;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_tasks.empty(); });
                if (m_stopping) {
                    break;
                }
                task = std::move(m_tasks.front());
                m_tasks.pop_front();
            }
            Error error;
            if (!store) {
                auto opened = OpenedStore::connectTo(m_location);
                if (opened) {
                    store = std::move(*opened);
                } else {
                    error = opened.error();
                    qCDebug(lcInventory).noquote()
                        << "store thread: cannot open" << m_location << "-" << error.message;
                }
            }
            task(store.get(), error);
        }
    }

private:
    const QString m_location;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Task> m_tasks;
    bool m_stopping = false;
};

namespace {

std::mutex& threadsMutex()
{
    static std::mutex m;
    return m;
}

QHash<QString, std::shared_ptr<StoreThread>>& threads()
{
    static QHash<QString, std::shared_ptr<StoreThread>> all;
    return all;
}

} // namespace

StoreThread::StoreThread(QString location)
    : m_location(std::move(location))
    , m_worker(std::make_unique<Worker>(m_location))
{
    m_worker->start();
}

StoreThread::~StoreThread()
{
    stop();
}

void StoreThread::stop()
{
    m_worker->stop();
}

void StoreThread::enqueue(Task task)
{
    m_worker->enqueue(std::move(task));
}

std::shared_ptr<StoreThread> StoreThread::forLocation(const QString& location)
{
    const std::lock_guard lock(threadsMutex());
    auto& all = threads();
    // The connections must close while Qt is still there, not in static
    // destructors after main().
    static bool cleanupAdded = false;
    if (!cleanupAdded && QCoreApplication::instance() != nullptr) {
        qAddPostRoutine(&StoreThread::stopAll);
        cleanupAdded = true;
    }
    auto it = all.find(location);
    if (it == all.end()) {
        it = all.insert(location, std::make_shared<StoreThread>(location));
    }
    return *it;
}

void StoreThread::stopAll()
{
    QHash<QString, std::shared_ptr<StoreThread>> all;
    {
        const std::lock_guard lock(threadsMutex());
        all.swap(threads());
    }
    // Each waits for its running task only; the threads end one after another.
    for (const auto& t : std::as_const(all)) {
        t->stop();
    }
}

} // namespace certdeck::inventory
