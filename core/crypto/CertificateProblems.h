// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/Certificate.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace certdeck::crypto {

/// One thing wrong with a certificate on its own (no chain, no host), as
/// `certdeckctl cert show` and the console list it.
struct CertificateProblem
{
    enum class Severity
    {
        Warning,  ///< needs attention soon: expires within the threshold
        Critical, ///< wrong now: clients reject it, or should
    };

    /// Stable identifier for scripts: "expired", "not-yet-valid", "expiring",
    /// "weak-key", "weak-signature", "unknown-critical-extension",
    /// "malformed-extension".
    QString code;
    Severity severity = Severity::Critical;
    /// Plain words: "weak key: RSA 1024 bits (RSA and DSA need at least 2048
    /// bits, EC at least 256)".
    QString message;
};

/// "warning" or "critical".
[[nodiscard]] QString problemSeverityName(CertificateProblem::Severity severity);

/// What is wrong with `certificate` at `now` (UTC), worst first:
/// - critical: expired; not yet valid; an RSA or DSA key under 2048 bits or
///   an EC key under 256; an MD5 or SHA-1 signature on a certificate that is
///   not self-signed; a critical extension OpenSSL does not understand (RFC
///   5280 says a verifier must then reject the certificate); a critical
///   extension whose value does not parse;
/// - warning: fewer than `warnDays` whole days left; a non-critical
///   extension whose value does not parse.
/// An empty list means nothing is wrong with the certificate itself.
[[nodiscard]] QList<CertificateProblem> certificateProblems(const Certificate& certificate,
                                                            const QDateTime& now, int warnDays);

/// The verdict over any number of problems: "ok", "warning" or "critical",
/// which are also the monitoring-plugin exit codes 0, 1 and 2.
[[nodiscard]] QString problemsVerdict(const QList<CertificateProblem>& problems);

} // namespace certdeck::crypto
