// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Decoding of X.509 extensions and of the small ASN.1 pieces they share
// (names, general names, OIDs) for CertificateDetails.

#include "crypto/CertificateDetails.h"

#include <openssl/x509v3.h>

namespace certdeck::crypto::internal {

/// Dotted form of an OID ("1.3.6.1.5.5.7.1.1").
[[nodiscard]] QString oidText(const ASN1_OBJECT* object);
/// OpenSSL's long name for an OID, or the dotted form when it has none.
[[nodiscard]] QString oidName(const ASN1_OBJECT* object);
/// An ASN.1 string (any type) as UTF-8 text.
[[nodiscard]] QString asn1Text(const ASN1_STRING* s);
/// A general name as `openssl x509 -text` writes it: "DNS:a.example",
/// "IP Address:127.0.0.1", "URI:http://...", "DirName:CN=...".
[[nodiscard]] QString generalNameText(const GENERAL_NAME* name);
/// One child field per attribute of a distinguished name, in order.
[[nodiscard]] QList<CertificateField> nameFields(const X509_NAME* name);
/// RFC 2253 text of a distinguished name.
[[nodiscard]] QString nameText(const X509_NAME* name);

/// Decodes one extension: appends its node to `node` (name, value, children)
/// and fills the typed members of `details` it is about.
void decodeExtension(X509_EXTENSION* ext, CertificateDetails& details, CertificateField& node);

} // namespace certdeck::crypto::internal
