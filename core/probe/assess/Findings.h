// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/scan/ProbeResult.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <optional>

namespace certdeck::crypto {
struct ChainReport;
}

namespace certdeck::probe {

struct TlsInspection;

/// How urgent a finding is.
enum class FindingSeverity
{
    Info,     ///< worth knowing; no action needed now
    Warning,  ///< fix it in the next maintenance window
    Critical, ///< broken or exploitable: clients fail or are at risk now
};

/// "info", "warning", "critical".
[[nodiscard]] QString findingSeverityName(FindingSeverity severity);

/// One problem with an endpoint: a stable code for scripts and alerts
/// ("protocol.tls10"), how urgent it is, a title in plain words, the
/// evidence that shows it, and what to do about it.
struct Finding
{
    QString code;
    FindingSeverity severity = FindingSeverity::Warning;
    QString title;
    QString evidence;
    QString remediation;
};

/// What a given client can speak ("Java 8", "Android 4.4", an internal
/// agent): the endpoint must share at least one protocol and suite with it.
struct ClientProfile
{
    QString name;
    QList<TlsVersion> versions;
    QList<quint16> suites;
};

/// What the findings are made from. `probe` (or `nodes`) is required; the
/// others add their findings when given.
struct FindingInputs
{
    const ProbeResult* probe = nullptr;
    /// Every node behind the name (EndpointResult::nodes). With two or more,
    /// the protocol and cipher findings are those of every reachable node
    /// (evidence names the nodes when not all share it), a node that cannot
    /// be reached gives node.<reason> (critical), and differences between
    /// reachable nodes give nodes.differ (warning). `probe` may then be null.
    const QList<ProbeResult>* nodes = nullptr;
    /// The served chain verified for the endpoint's host name.
    const crypto::ChainReport* chain = nullptr;
    /// The clock the certificate dates are judged by.
    QDateTime now = QDateTime::currentDateTimeUtc();
    /// A certificate with fewer days left than this is "expiring".
    int expiryWarnDays = 30;
    std::optional<ClientProfile> client;
    /// The OpenSSL-handshake inspection (HSTS, OCSP staple, resumption, ALPN).
    const TlsInspection* inspection = nullptr;
};

/// Every finding for one endpoint, most severe first.
[[nodiscard]] QList<Finding> assessEndpoint(const FindingInputs& inputs);

/// A letter grade and the rules that capped it. The rules are written down
/// in core/probe/assess/GRADING.md, next to this code, and applied by
/// gradeEndpoint() from the finding codes alone.
struct Grade
{
    QString letter;     ///< "A+", "A", "A-", "B", "C", "F"
    QStringList capped; ///< "B: protocol.tls10 (TLSv1.0 is enabled)", one per rule applied
};

/// The grade of an endpoint from its findings. `hstsLongEnough`: the
/// endpoint sends HSTS with max-age of at least 180 days (A+ needs it).
[[nodiscard]] Grade gradeEndpoint(const QList<Finding>& findings, bool hstsLongEnough = false);

/// True when the inspection saw a valid HSTS header with max-age of at least
/// 180 days (kHstsGoodMaxAge): the `hstsLongEnough` of gradeEndpoint().
/// False for a null inspection.
[[nodiscard]] bool hstsLongEnough(const TlsInspection* inspection);

} // namespace certdeck::probe
