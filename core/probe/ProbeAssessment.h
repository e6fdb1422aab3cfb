// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "probe/Findings.h"
#include "probe/ProbeReport.h"
#include "probe/ProbeResult.h"

namespace certdeck::probe {

/// What the admin is told about one probed endpoint: the monitoring verdict,
/// every finding (most severe first) and the letter grade they lead to.
struct ProbeAssessment
{
    ProbeVerdict verdict = ProbeVerdict::Critical;
    QList<Finding> findings;
    Grade grade;
};

/// The assessment of a probe result (no served chain: fleet scans and the
/// CLI scan grade on what the handshakes showed), with the OpenSSL-handshake
/// inspection's findings when one is given; A+ then needs its HSTS header
/// (hstsLongEnough()).
[[nodiscard]] ProbeAssessment assessProbe(const ProbeResult& result,
                                          const QDateTime& now = QDateTime::currentDateTimeUtc(),
                                          const TlsInspection* inspection = nullptr);

/// The probe-history record of a result: verdict, grade, and the report as
/// JSON with the findings and the grade added.
[[nodiscard]] inventory::ProbeRecord probeRecord(qint64 endpointId, const ProbeResult& result,
                                                 const ProbeAssessment& assessment,
                                                 const QDateTime& atUtc);

/// The assessment of every node behind a name (EndpointResult): the
/// endpoint's verdict (worst node, differences at least a warning), the
/// findings of all nodes with node.* and nodes.differ, and their grade.
/// With the inspection of one node and its verified served chain, their
/// findings join (HSTS, staple, resumption, certificate and chain), and a
/// critical finding makes the verdict critical. With a client profile,
/// client.no-overlap says when that client shares nothing with a node.
[[nodiscard]] ProbeAssessment assessEndpointResult(
    const EndpointResult& result, const QDateTime& now = QDateTime::currentDateTimeUtc(),
    const TlsInspection* inspection = nullptr, const crypto::ChainReport* chain = nullptr,
    const ClientProfile* client = nullptr);

/// The probe-history record of a name with its nodes: one record, the
/// report being endpointResultJson() with the findings and grade added.
[[nodiscard]] inventory::ProbeRecord probeRecord(qint64 endpointId, const EndpointResult& result,
                                                 const ProbeAssessment& assessment,
                                                 const QDateTime& atUtc);

/// A finding as JSON (code, severity, title, evidence, remediation).
[[nodiscard]] QJsonObject findingJson(const Finding& finding);

} // namespace certdeck::probe
