// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>
#include <utility>

namespace certdeck::ui {

/// Delivers `future`'s result to `done(result)` on `context`'s thread, always
/// through the event loop (never inside this call, even when the work is
/// already done), and only while `context` lives: when the page or dialog is
/// closed first, the result is dropped and nothing touches it. A future
/// cancelled without a result (a store task dropped at shutdown) calls nothing.
template <class T, class Done>
void whenDone(QFuture<T> future, QObject* context, Done done)
{
    // A child of the context: it dies with it, and its signal with it. Qt
    // 6.4's QFuture::then(context) is not used: it runs the continuation
    // inside then() when the work has already finished.
    auto* watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcher<T>::finished, context,
                     [watcher, done = std::move(done)]() mutable {
                         watcher->deleteLater();
                         if (watcher->future().resultCount() == 0) {
                             return;
                         }
                         done(watcher->result());
                     });
    watcher->setFuture(std::move(future));
}

/// Runs `work()` on the thread pool, off the GUI thread, then `done(result)`
/// on `context`'s thread as whenDone() says. `work` takes its inputs by
/// value (captured copies) and returns errors as values; it must not throw,
/// and it must not touch `context`.
///
///     runInBackground(
///         this, [file] { return readPlan(file); },
///         [this](const Result<Plan>& plan) { show(plan); });
template <class Work, class Done>
void runInBackground(QObject* context, Work work, Done done)
{
    whenDone(QtConcurrent::run(std::move(work)), context, std::move(done));
}

} // namespace certdeck::ui
