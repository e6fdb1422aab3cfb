// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/ChainReport.h"
#include "crypto/internal/ChainPath.h"

namespace certdeck::crypto::internal {

/// What is wrong with the chain as served, judged against the built chain:
/// missing intermediate, wrong order, duplicates, unrelated certificates and
/// an included root.
[[nodiscard]] QList<ServedFinding> judgeServedChain(const ChainInput& input, const ChainPath& path,
                                                    const QList<ChainLink>& built);

} // namespace certdeck::crypto::internal
