// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Builds and signs the local CA's certificates and CRLs with OpenSSL's X509
// API (no `openssl ca` config files), so that every extension is chosen here
// and none is copied by accident.

#include "common/Result.h"
#include "crypto/OpenSslPtr.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace certdeck::crypto::internal {

/// 16 random bytes with the top bit clear: a positive 128-bit-class serial
/// (RFC 5280 allows up to 20 octets; CA/B asks for at least 64 random bits).
[[nodiscard]] Result<QByteArray> randomSerial();
/// Upper-case hex without colons, as the serial index stores it.
[[nodiscard]] QString serialToHex(const ASN1_INTEGER* serial);

/// What goes into a certificate besides its extensions.
struct CertFrame
{
    X509_NAME* subject = nullptr;   ///< borrowed
    EVP_PKEY* publicKey = nullptr;  ///< borrowed (subject's key)
    X509* issuer = nullptr;         ///< borrowed; null for a self-signed root
    EVP_PKEY* signingKey = nullptr; ///< borrowed
    QByteArray serial;
    QDateTime notBefore;
    QDateTime notAfter;
};

/// A new X509 v3 with the frame's fields, not yet signed.
[[nodiscard]] Result<ossl::X509Ptr> startCertificate(const CertFrame& frame);
/// Adds an extension written in OpenSSL's config syntax ("critical,CA:TRUE"),
/// with the issuer/subject context set (for SKI "hash", AKI "keyid:always").
[[nodiscard]] Status addConfExtension(X509* cert, X509* issuer, int nid, const QString& value);
/// Signs with the digest that fits the key (none for Ed25519).
[[nodiscard]] Status signCertificate(X509* cert, EVP_PKEY* key);

/// One revoked certificate for a CRL.
struct CrlEntry
{
    QString serialHex;
    QDateTime revokedAt;
    int reason = 0; ///< CRLReason; 0 (unspecified) is left out, as RFC 5280 asks
};

/// A v2 CRL signed by `issuer`/`key` with AKI and CRL number.
[[nodiscard]] Result<ossl::X509CrlPtr> makeCrl(X509* issuer, EVP_PKEY* key,
                                               const QList<CrlEntry>& entries, qint64 crlNumber,
                                               const QDateTime& thisUpdate,
                                               const QDateTime& nextUpdate);

} // namespace certdeck::crypto::internal
