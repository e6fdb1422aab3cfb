// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// ASN.1 helpers shared by crypto and revocation: typed SANs to and from
// GeneralNames, names and extensions to text, strict PEM unwrapping.

#include "common/Result.h"
#include "crypto/CsrSpec.h"
#include "crypto/OpenSslPtr.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace certdeck::crypto {

/// GeneralNames for subjectAltName from validated typed SANs.
[[nodiscard]] Result<ossl::GeneralNamesPtr> toGeneralNames(const QList<SubjectAltName>& sans);
/// DNS, IP, e-mail and URI entries of `names`; other types are skipped.
[[nodiscard]] QList<SubjectAltName> fromGeneralNames(const GENERAL_NAMES* names);

/// RFC 2253 text of a name.
[[nodiscard]] QString nameToString(const X509_NAME* name);
/// The value of an extension as `openssl x509 -text` prints it.
[[nodiscard]] QString extensionValueText(X509_EXTENSION* ext);
/// Dotted OID of an ASN.1 object.
[[nodiscard]] QString caOidText(const ASN1_OBJECT* obj);
/// The BIO's memory contents as UTF-8 text.
[[nodiscard]] QString bioText(BIO* bio);

/// Finds the first PEM block whose label is one of `labels` and returns its
/// decoded body. Errors name `origin` and the line. `foundLabel` gets the
/// label that matched.
[[nodiscard]] Result<QByteArray> unwrapPem(const QByteArray& pem, const QStringList& labels,
                                           const QString& origin, QString* foundLabel = nullptr);
/// Wraps DER in a PEM block with 64-column lines.
[[nodiscard]] QByteArray wrapPem(const QByteArray& der, const char* label);

/// An ASN1_TIME as UTC.
[[nodiscard]] QDateTime asn1ToDateTime(const ASN1_TIME* t);

} // namespace certdeck::crypto
