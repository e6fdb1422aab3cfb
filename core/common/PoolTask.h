// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>
#include <type_traits>
#include <utility>

namespace certdeck {

/// Calls `done(result)` with `future`'s result on `receiver`'s thread, always
/// from its event loop (never inside this call, even when the work is done
/// already), and only while `receiver` lives. Nothing waits for the work:
/// when the receiver dies first, the result is dropped; a future cancelled
/// without a result (a store task dropped at shutdown) calls nothing.
///
/// Returns the object that receives the result, a child of `receiver` that
/// deletes itself once `done` ran: deleting it earlier drops the result (a
/// cancel that does not wait for the work).
///
/// Qt 6.4's QFuture::then(context) is not used: it runs the continuation
/// inside then() when the work has already finished.
template <class T, class Done>
QObject* whenFinished(QFuture<T> future, QObject* receiver, Done done)
{
    auto* watcher = new QFutureWatcher<T>(receiver);
    QObject::connect(watcher, &QFutureWatcher<T>::finished, receiver,
                     [watcher, done = std::move(done)]() mutable {
                         watcher->deleteLater();
                         if (watcher->future().resultCount() == 0) {
                             return; // cancelled without a result (a dropped store task)
                         }
                         done(watcher->result());
                     });
    watcher->setFuture(std::move(future));
    return watcher;
}

/// Runs `work()` on the global thread pool, then `done(result)` on
/// `receiver`'s thread as whenFinished() says. `work` owns copies of its
/// inputs, returns errors as values, never throws and never touches
/// `receiver`; so it may outlive the receiver.
///
///     m_verify = runOnPool(
///         this, [der, cert] { return checkResponse(der, cert); },
///         [this](const ResponseCheck& r) { conclude(r); });
template <class Work, class Done>
QObject* runOnPool(QObject* receiver, Work work, Done done)
{
    return whenFinished(QtConcurrent::run(std::move(work)), receiver, std::move(done));
}

} // namespace certdeck
