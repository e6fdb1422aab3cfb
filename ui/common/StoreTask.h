// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Background.h"
#include "common/Result.h"
#include "inventory/Store.h"

#include <QFuture>
#include <QtConcurrent/QtConcurrentRun>

namespace certdeck::ui {

/// Opens the store at `location` on a pool thread for one piece of work,
/// `fn(Store&) -> Result<T>`; the connection never leaves that thread, and
/// the GUI thread never waits for the database.
template <class T, class Fn>
QFuture<Result<T>> onStore(const QString& location, Fn fn)
{
    return QtConcurrent::run([location, fn]() -> Result<T> {
        auto store = inventory::Store::openUrl(location);
        if (!store) {
            return tl::unexpected(store.error());
        }
        return fn(**store);
    });
}

/// onStore(), then `done(result)` on `context`'s thread through the event
/// loop, while `context` lives (whenDone()).
template <class T, class Fn, class Done>
void runOnStore(QObject* context, const QString& location, Fn fn, Done done)
{
    whenDone(onStore<T>(location, std::move(fn)), context, std::move(done));
}

} // namespace certdeck::ui
