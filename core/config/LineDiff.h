// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace certdeck::config {

/// A unified diff ("--- a", "+++ b", "@@ -l,n +l,n @@" hunks with
/// `context` lines around each change) that turns `before` into `after`,
/// line by line; empty when the texts have the same lines. Lines end at
/// '\n'; a last line without one counts as a line ("\ No newline at end of
/// file" is written as diff(1) does). The alignment is a longest common
/// subsequence of lines after the common head and tail are set aside; past
/// 4 million line pairs in between, that middle is shown as removed and
/// added whole rather than aligned (a generated block is never that big).
[[nodiscard]] QString unifiedDiff(const QString& before, const QString& after,
                                  const QString& beforeLabel, const QString& afterLabel,
                                  int context = 3);

} // namespace certdeck::config
