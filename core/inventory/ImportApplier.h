// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/import/ImportPlan.h"

#include <QStringList>

namespace certdeck::inventory {

class Store;

/// What applying an import plan did.
struct ImportSummary
{
    int endpointsAdded = 0;
    int endpointsExisting =
        0; ///< already in the store (same host, port and SNI): kept as they were
    int deployTargets = 0;
    int certificates = 0;
    int certificateVersions = 0;
    int issuers = 0;
    int renewalPolicies = 0;
    QStringList notes;
};

/// What applying a plan would do to the endpoints, before anything is written.
struct ImportPreview
{
    /// Parallel to ImportPlan::endpoints: true when the store already has an
    /// endpoint with the same host, port and SNI name (it is kept as it is).
    QList<bool> alreadyKnown;
    int newEndpoints = 0;
    int knownEndpoints = 0;
};

/// Writes an ImportPlan into the store in one transaction: all of it, or
/// nothing of it when any part is refused (the error names the part).
class ImportApplier
{
public:
    [[nodiscard]] static Result<ImportSummary> apply(Store& store, const ImportPlan& plan);
    /// Compares the plan with the store (one query) and changes nothing.
    [[nodiscard]] static Result<ImportPreview> preview(const Store& store, const ImportPlan& plan);
};

} // namespace certdeck::inventory
