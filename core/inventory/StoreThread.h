// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QFuture>
#include <QPromise>
#include <QString>
#include <functional>
#include <memory>

namespace certdeck::inventory {

class Store;

/// One thread that owns a connection to the store at a location, for a
/// program whose main thread must never wait for the database (the console).
/// Work queued with run() executes there one task at a time, in the order it
/// was queued; its result arrives through the returned QFuture.
///
/// The connection is made by the first task (through OpenedStore, so the
/// location is checked and migrated once per process) and kept for the
/// thread's life. When it cannot be made, each task gets that error and the
/// next task tries again.
///
/// Destruction (or stop()) drops the tasks not yet started (their futures
/// are cancelled) and waits only for the one running.
class StoreThread
{
public:
    explicit StoreThread(QString location);
    ~StoreThread();
    StoreThread(const StoreThread&) = delete;
    StoreThread& operator=(const StoreThread&) = delete;

    [[nodiscard]] QString location() const { return m_location; }

    /// Queues `fn(Store&) -> Result<T>`. `fn` takes its inputs by value and
    /// must not throw; it runs on the store thread, never on the caller's.
    template <class T, class Fn>
    QFuture<Result<T>> run(Fn fn)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        QFuture<Result<T>> future = promise->future();
        enqueue([promise, fn = std::move(fn)](Store* store, const Error& error) mutable {
            promise->start();
            promise->addResult(store != nullptr ? fn(*store) : Result<T>(tl::unexpected(error)));
            promise->finish();
        });
        return future;
    }

    /// Drops the queued tasks, lets the running one end, and ends the thread;
    /// later run() calls are cancelled at once. Idempotent.
    void stop();

    /// The process's store thread for `location`, started on first use and
    /// kept until stopAll().
    [[nodiscard]] static std::shared_ptr<StoreThread> forLocation(const QString& location);
    /// Stops every thread forLocation() started (at the program's end).
    static void stopAll();

private:
    /// `task(store, error)`: store is null when no connection could be made.
    using Task = std::function<void(Store*, const Error&)>;
    void enqueue(Task task);

    class Worker;
    QString m_location;
    std::unique_ptr<Worker> m_worker;
};

} // namespace certdeck::inventory
