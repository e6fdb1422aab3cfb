// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Owners for the decoded extension, PKCS#7 and PKCS#12 types that
// CertificateDetails, CertificateReader and Pkcs12 use (kept apart from
// OpenSslPtr.h so parallel work on core/crypto does not collide there).

#include "crypto/OpenSslPtr.h"

#include <openssl/ct.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

namespace certdeck::crypto::internal {

inline void freeX509Stack(STACK_OF(X509) * s)
{
    sk_X509_pop_free(s, X509_free);
}

using BasicConstraintsPtr = ossl::Owner<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using BitStringPtr = ossl::Owner<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using OctetStringPtr = ossl::Owner<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using ExtendedKeyUsagePtr = ossl::Owner<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using GeneralNamesPtr = ossl::Owner<GENERAL_NAMES, GENERAL_NAMES_free>;
using AuthorityKeyIdPtr = ossl::Owner<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using AuthorityInfoAccessPtr = ossl::Owner<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free>;
using CrlDistPointsPtr = ossl::Owner<CRL_DIST_POINTS, CRL_DIST_POINTS_free>;
using CertificatePoliciesPtr = ossl::Owner<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>;
using NameConstraintsPtr = ossl::Owner<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>;
using TlsFeaturePtr = ossl::Owner<TLS_FEATURE, TLS_FEATURE_free>;
using SctListPtr = ossl::Owner<STACK_OF(SCT), SCT_LIST_free>;
using Pkcs7Ptr = ossl::Owner<PKCS7, PKCS7_free>;
using Pkcs12Ptr = ossl::Owner<PKCS12, PKCS12_free>;
using X509StackPtr = ossl::Owner<STACK_OF(X509), freeX509Stack>;

} // namespace certdeck::crypto::internal
