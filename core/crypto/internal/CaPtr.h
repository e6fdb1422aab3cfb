// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Owners for the OpenSSL handles the CSR and local-CA code uses beyond those
// in OpenSslPtr.h (kept here so parallel work does not collide in that file).

#include "crypto/OpenSslPtr.h"

#include <openssl/bn.h>
#include <openssl/x509v3.h>

namespace certdeck::ossl {

using GeneralNamePtr = Owner<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = Owner<GENERAL_NAMES, GENERAL_NAMES_free>;
using X509ExtensionPtr = Owner<X509_EXTENSION, X509_EXTENSION_free>;
using X509NamePtr = Owner<X509_NAME, X509_NAME_free>;
using X509RevokedPtr = Owner<X509_REVOKED, X509_REVOKED_free>;
using Asn1IntegerPtr = Owner<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1EnumeratedPtr = Owner<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;
using Asn1TimePtr = Owner<ASN1_TIME, ASN1_TIME_free>;
using Asn1OctetStringPtr = Owner<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1Ia5StringPtr = Owner<ASN1_IA5STRING, ASN1_IA5STRING_free>;
using ExtendedKeyUsagePtr = Owner<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using BasicConstraintsPtr = Owner<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using NameConstraintsPtr = Owner<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>;
using TlsFeaturePtr = Owner<TLS_FEATURE, TLS_FEATURE_free>;
using BignumPtr = Owner<BIGNUM, BN_free>;

/// A STACK_OF(X509_EXTENSION) with its members.
struct ExtensionStackDeleter
{
    void operator()(STACK_OF(X509_EXTENSION) * s) const noexcept
    {
        sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
    }
};
using ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionStackDeleter>;

/// Memory that OpenSSL allocated for us (ASN1_STRING_to_UTF8, i2d with NULL).
struct OpensslFreeDeleter
{
    void operator()(void* p) const noexcept { OPENSSL_free(p); }
};
using OpensslBytesPtr = std::unique_ptr<unsigned char, OpensslFreeDeleter>;

} // namespace certdeck::ossl
