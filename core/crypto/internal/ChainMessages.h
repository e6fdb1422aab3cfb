// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/ChainReport.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace certdeck::crypto::internal {

/// What a finding's message needs to know about its link.
struct LinkContext
{
    Certificate cert;
    Certificate issuer; ///< next link up, if any
    QDateTime now;
    QString host;          ///< for HostnameMismatch
    QString opensslText;   ///< X509_verify_cert_error_string of the error
    QStringList aiaErrors; ///< for UnknownIssuer
    int expiringSoonDays = 30;
};

/// The finding kind of an X509_V_ERR_* code.
[[nodiscard]] LinkProblem problemForVerifyError(int error);

/// The plain-words message of `problem` on the link ("Expired 10 days ago, on
/// 2026-11-15 UTC").
[[nodiscard]] QString linkMessage(LinkProblem problem, const LinkContext& c);

/// "RSA 1024 bits" and whether it is weak (RSA/DSA < 2048, EC < 256 bits).
[[nodiscard]] bool isWeakKey(const Certificate& cert, QString* description);
/// The signature digest is SHA-1 (or MD5): broken for signatures.
[[nodiscard]] bool hasWeakSignatureDigest(const Certificate& cert, QString* digestName);

/// "2026-11-15 UTC"
[[nodiscard]] QString utcDate(const QDateTime& t);

} // namespace certdeck::crypto::internal
