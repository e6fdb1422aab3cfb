// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>

namespace certdeck::revocation {

/// What a verified OCSP response or CRL says about one certificate.
enum class CertStatus
{
    Good,
    Revoked,
    Unknown, ///< the responder does not know the certificate, or a CRL does not cover it
};

/// "good", "revoked", "unknown".
[[nodiscard]] QString certStatusName(CertStatus status);

/// How far thisUpdate may lie in the future, and nextUpdate in the past,
/// before an answer is refused (seconds): clocks drift.
constexpr int kClockSkewSeconds = 300;

/// The RFC 5280 CRLReason name ("keyCompromise"); "reason N" for codes
/// outside the list; empty for a negative code (no reason given).
[[nodiscard]] QString revocationReasonName(int code);

/// "2026-05-02 13:45:07 UTC": how revocation times and updates are printed.
[[nodiscard]] QString utcStamp(const QDateTime& t);

} // namespace certdeck::revocation
