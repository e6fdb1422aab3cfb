// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// OpenSSL owners used only by core/acme (see crypto/OpenSslPtr.h for the rest).

#include "crypto/OpenSslPtr.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

namespace certdeck::acme::internal {

using BignumPtr = ossl::Owner<BIGNUM, BN_free>;
using EcdsaSigPtr = ossl::Owner<ECDSA_SIG, ECDSA_SIG_free>;
using AsnObjectPtr = ossl::Owner<ASN1_OBJECT, ASN1_OBJECT_free>;
using AsnOctetStringPtr = ossl::Owner<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using AsnIntegerPtr = ossl::Owner<ASN1_INTEGER, ASN1_INTEGER_free>;
using X509ExtensionPtr = ossl::Owner<X509_EXTENSION, X509_EXTENSION_free>;
using GeneralNamePtr = ossl::Owner<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = ossl::Owner<GENERAL_NAMES, GENERAL_NAMES_free>;

} // namespace certdeck::acme::internal
