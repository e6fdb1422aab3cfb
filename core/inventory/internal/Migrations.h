// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::inventory::internal {

/// The SQL dialects the store speaks.
enum class Dialect
{
    Sqlite,
    Postgres
};

/// Forward-only schema steps: element i upgrades version i to i + 1, written
/// for `dialect`. Released steps are never edited; a change is a new step.
[[nodiscard]] const QList<QStringList>& migrations(Dialect dialect);

/// The SQL of schema step `index` (0-based) for `dialect`, for tests that
/// build an old database by hand.
[[nodiscard]] QStringList migrationStep(Dialect dialect, int index);

} // namespace certdeck::inventory::internal
