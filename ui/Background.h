// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QtConcurrent/QtConcurrentRun>
#include <utility>

namespace certdeck::ui {

/// Runs `work()` on the thread pool, off the GUI thread, then `done(result)`
/// on `context`'s thread, but only while `context` lives: when the page or
/// dialog is closed first, the result is dropped and nothing touches it.
/// `work` takes its inputs by value (captured copies) and returns errors as
/// values; it must not throw, and it must not touch `context`.
///
///     runInBackground(
///         this, [path] { return Store::inspectUrl(path); },
///         [this](const Result<StoreInfo>& info) { show(info); });
template <class Work, class Done>
void runInBackground(QObject* context, Work work, Done done)
{
    // QFuture::then() with a context drops the continuation once the context
    // is destroyed; the worker holds only its own copies, so nobody waits.
    QtConcurrent::run(std::move(work)).then(context, std::move(done));
}

} // namespace certdeck::ui
