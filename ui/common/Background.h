// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/PoolTask.h"

#include <QFuture>
#include <QObject>
#include <utility>

namespace certdeck::ui {

/// Delivers `future`'s result to `done(result)` on `context`'s thread, always
/// through the event loop (never inside this call, even when the work is
/// already done), and only while `context` lives: when the page or dialog is
/// closed first, the result is dropped and nothing touches it (core's
/// whenFinished()).
template <class T, class Done>
void whenDone(QFuture<T> future, QObject* context, Done done)
{
    whenFinished(std::move(future), context, std::move(done));
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
    runOnPool(context, std::move(work), std::move(done));
}

} // namespace certdeck::ui
