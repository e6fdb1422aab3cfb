// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/ChainReport.h"
#include "inventory/Records.h"
#include "probe/assess/ProbeAssessment.h"
#include "probe/scan/ProbeResult.h"
#include "services/ScanTarget.h"

#include <QDateTime>
#include <QJsonObject>
#include <optional>

namespace certdeck::services {

/// Everything known about one endpoint after a check: the evidence (every
/// node's handshakes, the OpenSSL inspection, the chain verified against the
/// endpoint's anchors with revocation) and the one assessment made from it.
/// The CLI, the console, the probe history and the watch daemon all show
/// this object, so they all say the same thing.
struct EndpointCheck
{
    ScanTarget target;
    probe::EndpointResult probe; ///< its `inspection` is the OpenSSL inspection
    std::optional<crypto::ChainReport> chain;
    QString chainError; ///< why no chain could be verified
    /// The leaf each answering node served (the inspected node's from the
    /// inspection, the others' from one handshake each).
    QList<probe::ServedLeaf> served;
    probe::ProbeAssessment assessment;
    QDateTime atUtc;

    [[nodiscard]] const probe::TlsInspection* inspection() const { return probe.inspection.get(); }
};

/// The check as JSON: the endpoint's nodes (probe::endpointResultJson()),
/// the inspection, the chain (trusted, summary, anchors used, per link:
/// subject, role, notAfter, findings, revocation), the findings, the grade
/// with its caps and the verdict. This one object is what `probe --json`,
/// `scan --json` and the probe history carry.
[[nodiscard]] QJsonObject endpointCheckJson(const EndpointCheck& check);

/// The check in one line, after "VERDICT host:port - " (certdeckctl scan,
/// the console's scan table, alerts): when OK, the protocols accepted; else
/// why — the unreachable nodes and their reasons, the weaknesses, the
/// differences between nodes, and the titles of the findings that set the
/// verdict.
[[nodiscard]] QString checkSummary(const EndpointCheck& check);

/// The probe-history record of a check (status = verdict, grade, the JSON).
[[nodiscard]] inventory::ProbeRecord probeRecord(const EndpointCheck& check);

} // namespace certdeck::services
