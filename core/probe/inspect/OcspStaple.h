// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "revocation/CertStatus.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::probe {

/// The certificate status an OCSP response gives for the served leaf.
enum class StapleStatus
{
    Good,
    Revoked,
    Unknown,
};

/// "good", "revoked", "unknown".
[[nodiscard]] QString stapleStatusName(StapleStatus status);

/// A stapled OCSP response (RFC 6066 status_request), checked against the
/// served chain.
struct StapleInfo
{
    bool requested = false; ///< the handshake asked for a staple
    bool present = false;   ///< the server stapled a response
    QByteArray der;
    /// The status for the leaf; unset when the response does not parse,
    /// is not "successful", or has no entry for the leaf.
    std::optional<StapleStatus> status;
    QDateTime thisUpdate;
    QDateTime nextUpdate; ///< null when the responder gave none
    QDateTime revocationTime;
    QString revocationReason; ///< "keyCompromise"
    /// The signature verifies with the leaf's issuer, or with a responder
    /// certificate that issuer delegated (RFC 6960 4.2.2.2).
    bool signatureValid = false;
    QString responder; ///< the signer's subject, or the responder ID
    /// Why the staple cannot be relied on, one sentence each ("the signature
    /// does not verify", "expired on ..."); empty for a good, valid staple.
    QStringList problems;

    /// Present, signed by the issuer, current, and saying good or revoked.
    [[nodiscard]] bool usable() const
    {
        return present && problems.isEmpty() && status && *status != StapleStatus::Unknown;
    }
};

/// How much clock skew thisUpdate/nextUpdate are allowed (seconds): the
/// same as for fetched OCSP responses.
constexpr int kStapleClockSkewSeconds = revocation::kClockSkewSeconds;

/// Decodes a DER OCSP response and checks it for the served chain (`chain`:
/// DER certificates as served, leaf first; the issuer is looked up among
/// them) at time `now`, with revocation::checkOcspResponse: the same check
/// fetched OCSP responses get. Pure function: no I/O, no trust store beyond
/// the served issuer. Sets `present`, `der` and everything it can decode;
/// problems name what is wrong.
[[nodiscard]] StapleInfo parseStaple(const QByteArray& der, const QList<QByteArray>& chain,
                                     const QDateTime& now);

} // namespace certdeck::probe
