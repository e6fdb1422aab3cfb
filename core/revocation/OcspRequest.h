// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"

#include <QByteArray>
#include <QUrl>

namespace certdeck::revocation {

/// An encoded OCSPRequest (RFC 6960 4.1) for one certificate.
struct OcspRequest
{
    QByteArray der;
    /// The nonce sent (RFC 8954: 32 random octets), empty when none was.
    QByteArray nonce;
    /// DER of the request's CertID (SHA-1, as RFC 5019 profiles): names the
    /// certificate to a responder and keys the answer cache.
    QByteArray certId;
};

/// Requests larger than this (after base64 and URL escaping) go by POST:
/// RFC 5019 5 keeps GET for requests under 255 bytes.
constexpr qsizetype kMaxGetRequestBytes = 255;

/// Builds a request for `cert`, issued by `issuer`, with a fresh nonce when
/// `withNonce`.
[[nodiscard]] Result<OcspRequest> buildOcspRequest(const crypto::Certificate& cert,
                                                   const crypto::Certificate& issuer,
                                                   bool withNonce);

/// The CertID (SHA-1) of `cert` under `issuer`, DER; empty when either is null.
[[nodiscard]] QByteArray ocspCertId(const crypto::Certificate& cert,
                                    const crypto::Certificate& issuer);

/// The RFC 6960 A.1 GET form: the responder URL, a slash, then the URL
/// encoding of the base64 of the DER request.
[[nodiscard]] QUrl ocspGetUrl(const QUrl& responder, const QByteArray& der);

/// The AIA id-ad-ocsp URIs of `cert`, in order (any scheme: the caller
/// decides what it can fetch).
[[nodiscard]] QList<QUrl> ocspUrls(const crypto::Certificate& cert);

/// The fullName URIs of `cert`'s CRL distribution points, in order.
[[nodiscard]] QList<QUrl> crlUrls(const crypto::Certificate& cert);

} // namespace certdeck::revocation
