// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/assess/Findings.h"
#include "probe/assess/ProbeReport.h"
#include "probe/assess/ServedCertificates.h"
#include "probe/scan/ProbeResult.h"

#include <QJsonObject>

namespace certdeck::crypto {
struct ChainReport;
}

namespace certdeck::probe {

/// What the admin is told about one probed endpoint: the monitoring verdict,
/// every finding (most severe first) and the letter grade they lead to.
struct ProbeAssessment
{
    ProbeVerdict verdict = ProbeVerdict::Unknown;
    QList<Finding> findings;
    Grade grade;
};

/// The evidence about one endpoint, everything the verdict is made from.
/// Every front-end (certdeckctl probe and scan, the console's probe and
/// fleet scan, the watch daemon) fills it through services::ScanService and
/// hands it to assess(), so one endpoint gets one answer everywhere.
struct Evidence
{
    /// The raw-ClientHello probe of every node behind the name. Required.
    const EndpointResult* endpoint = nullptr;
    /// The OpenSSL-handshake inspection of the first answering node (at
    /// least its main handshake: served chain and staple).
    const TlsInspection* inspection = nullptr;
    /// The served chain verified for the endpoint's name against the
    /// endpoint's trust anchors, with revocation filled in when checked.
    const crypto::ChainReport* chain = nullptr;
    /// Why no chain could be verified (the trust bundle does not load, the
    /// served certificates do not parse); empty otherwise.
    QString chainError;
    /// Where the anchors came from ("system trust store", "bundle
    /// 'internal-ca' of group payments", "--ca-file ca.pem"), for the evidence.
    QString trustSource;
    /// A client that must be able to connect (certdeckctl probe --client).
    const ClientProfile* client = nullptr;
    /// The leaf each answering node served, and the certificate the inventory
    /// records for the endpoint (none outside the inventory): served.differs.
    const QList<ServedLeaf>* served = nullptr;
    std::optional<RecordedCertificate> recorded;
    /// The alert policy's expiry window: fewer days left is a warning.
    int expiryWarnDays = 30;
    QDateTime now = QDateTime::currentDateTimeUtc();
};

/// The one assessment (rules in core/probe/assess/GRADING.md):
/// - findings of every node, the inspection, the verified chain (dates of
///   every link, host name, trust, completeness, revocation) and the client;
/// - the grade with its caps;
/// - the verdict: CRITICAL for any critical finding or an endpoint that
///   cannot be reached; otherwise UNKNOWN when a node answered but its
///   certificate chain could not be obtained or verified (nothing can be said
///   about expiry, trust or revocation); otherwise WARNING for any warning
///   finding (expiring, weak protocol or suite, nodes differ, revocation
///   status unknown); otherwise OK.
[[nodiscard]] ProbeAssessment assess(const Evidence& evidence);

/// Why an assessment has its verdict, in one line for a table row or a
/// monitoring status: the titles of the findings that set it (critical
/// first, then warnings; for UNKNOWN the reason the chain could not be
/// checked); empty when OK.
[[nodiscard]] QString verdictReasons(const ProbeAssessment& assessment);

/// A finding as JSON (code, severity, title, evidence, remediation).
[[nodiscard]] QJsonObject findingJson(const Finding& finding);

} // namespace certdeck::probe
