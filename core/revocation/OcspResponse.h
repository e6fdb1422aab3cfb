// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/Certificate.h"
#include "revocation/CertStatus.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::revocation {

/// What happened to the nonce of the request (RFC 8954).
enum class NonceCheck
{
    NotSent,  ///< no nonce was expected (a staple, or nonces turned off)
    Echoed,   ///< the response carries the request's nonce
    Omitted,  ///< the responder ignored it (allowed: many cache their answers)
    Mismatch, ///< another nonce: a replayed or misdirected answer
};

/// A DER OCSP response decoded and checked for one certificate.
struct OcspResponseCheck
{
    bool decoded = false;    ///< the bytes are an OCSPResponse
    QString responseStatus;  ///< "successful", "trylater", "unauthorized"...; empty if not decoded
    bool successful = false; ///< responseStatus successful(0) with a basic response
    bool matched = false;    ///< the response has an entry (CertID) for the certificate
    /// The status for the certificate; unset when the response has none for it.
    std::optional<CertStatus> status;
    QDateTime producedAt;
    QDateTime thisUpdate;
    QDateTime nextUpdate; ///< null when the responder gave none
    QDateTime revocationTime;
    QString revocationReason; ///< "keyCompromise"; empty when none was given
    /// The signature verifies with the issuer, or with a responder
    /// certificate the issuer issued with id-kp-OCSPSigning (RFC 6960 4.2.2.2).
    bool signatureValid = false;
    QString responder; ///< the signer's subject, or the responder ID
    NonceCheck nonce = NonceCheck::NotSent;
    /// Why the response cannot be relied on, one sentence each; empty for a
    /// response that verifies and is current.
    QStringList problems;

    /// Signed by the issuer (or its delegate), current, matching, and giving
    /// a status (good, revoked or unknown) for the certificate.
    [[nodiscard]] bool verified() const
    {
        return successful && signatureValid && status.has_value() && problems.isEmpty();
    }
};

/// Decodes `der` and checks it for `cert` issued by `issuer` at `now`:
/// responseStatus, the certID (any hash algorithm), the signature, thisUpdate
/// and nextUpdate (kClockSkewSeconds of skew), and the nonce when
/// `expectedNonce` is given. Pure: no I/O, no trust store beyond `issuer`.
///
/// With a null `issuer` the entry is matched by serial number alone and the
/// signature stays unchecked (a problem says so); with a null `cert` only the
/// response itself is decoded.
[[nodiscard]] OcspResponseCheck checkOcspResponse(const QByteArray& der,
                                                  const crypto::Certificate& cert,
                                                  const crypto::Certificate& issuer,
                                                  const QDateTime& now,
                                                  const QByteArray& expectedNonce = {});

} // namespace certdeck::revocation
