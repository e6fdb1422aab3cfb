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

} // namespace certdeck::inventory::internal
