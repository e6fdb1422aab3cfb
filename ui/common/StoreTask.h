// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Background.h"
#include "common/Result.h"
#include "inventory/Store.h"
#include "inventory/StoreThread.h"

#include <QFuture>

namespace certdeck::ui {

/// Queues one piece of work, `fn(Store&) -> Result<T>`, on the console's
/// store thread for `location` (inventory::StoreThread): all store work runs
/// there in order on one connection, opened and checked once per process; the
/// GUI thread never waits for the database.
template <class T, class Fn>
QFuture<Result<T>> onStore(const QString& location, Fn fn)
{
    return inventory::StoreThread::forLocation(location)->run<T>(std::move(fn));
}

/// onStore(), then `done(result)` on `context`'s thread through the event
/// loop, while `context` lives (whenDone()).
template <class T, class Fn, class Done>
void runOnStore(QObject* context, const QString& location, Fn fn, Done done)
{
    whenDone(onStore<T>(location, std::move(fn)), context, std::move(done));
}

} // namespace certdeck::ui
