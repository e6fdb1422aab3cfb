// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/import/ImportPlan.h"

#include <QList>
#include <QStringList>

namespace certdeck::inventory {

class Store;

/// What applying an import plan did (or, for a dry run, would do). Every
/// count is of records new to the store; what the store already held is
/// counted apart and left as it was.
struct ImportSummary
{
    bool dryRun = false; ///< nothing was kept: see ImportApplier::dryRun()
    int endpointsAdded = 0;
    /// Already in the store (same host, port and SNI name): kept as they were.
    int endpointsExisting = 0;
    int deployTargets = 0; ///< added, for new endpoints only
    /// The same place (SSH host or this machine, and the same files) was
    /// already stored and is linked instead of a copy.
    int deployTargetsExisting = 0;
    int certificates = 0;         ///< added to the store
    int certificatesExisting = 0; ///< already stored (same SHA-256)
    /// Endpoints that got a new current certificate, recorded as issued: a
    /// file names what should be served, only a probe sees what is.
    int certificateVersions = 0;
    int issuers = 0;
    int issuersExisting = 0; ///< same name and directory already stored
    int renewalPolicies = 0; ///< set for endpoints that had none
    /// Parallel to ImportPlan::endpoints: true when the store already had it.
    QList<bool> alreadyKnown;
    /// What the store already had and what changed for known endpoints,
    /// each naming the endpoint (the plan's own warnings are not repeated).
    QStringList notes;

    /// True when applying changes the store at all.
    [[nodiscard]] bool changesAnything() const
    {
        return endpointsAdded + deployTargets + certificates + certificateVersions + issuers +
                   renewalPolicies >
               0;
    }
};

/// Writes an ImportPlan into the store in one transaction: all of it, or
/// nothing of it when any part is refused (the error names the part; the
/// caller says that nothing was kept).
///
/// Applying the same plan again changes nothing: endpoints the store has are
/// kept as they are (deploy targets are only made for new endpoints), known
/// certificates, issuers and renewal policies are not added again, and a
/// certificate that is already an endpoint's current one gets no new
/// version. A new certificate for a known endpoint (a reissue) becomes its
/// current version as issued, never deployed.
class ImportApplier
{
public:
    [[nodiscard]] static Result<ImportSummary> apply(Store& store, const ImportPlan& plan);
    /// Does everything apply() does, with the same checks, in a transaction
    /// that is then rolled back: it refuses what apply() would refuse, with
    /// the same error, and counts what apply() would add. Nothing is kept,
    /// not even the audit entries.
    [[nodiscard]] static Result<ImportSummary> dryRun(Store& store, const ImportPlan& plan);
};

} // namespace certdeck::inventory
