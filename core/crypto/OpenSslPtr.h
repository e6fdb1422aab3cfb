// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One owner type per OpenSSL handle, declared once (BoringSSL's bssl::UniquePtr
// is the model). Nothing in CertDeck frees an OpenSSL object by hand.

#include <memory>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core.h>
#include <openssl/ct.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ocsp.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace certdeck::ossl {

template <auto FreeFn>
struct Deleter
{
    template <class T>
    void operator()(T* p) const noexcept
    {
        if (p != nullptr) {
            FreeFn(p);
        }
    }
};

template <class T, auto FreeFn>
using Owner = std::unique_ptr<T, Deleter<FreeFn>>;

using BioPtr = Owner<BIO, BIO_free_all>;
using PKeyPtr = Owner<EVP_PKEY, EVP_PKEY_free>;
using PKeyCtxPtr = Owner<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = Owner<EVP_MD_CTX, EVP_MD_CTX_free>;
using CipherCtxPtr = Owner<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using X509Ptr = Owner<X509, X509_free>;
using X509ReqPtr = Owner<X509_REQ, X509_REQ_free>;
using X509CrlPtr = Owner<X509_CRL, X509_CRL_free>;
using X509StorePtr = Owner<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = Owner<X509_STORE_CTX, X509_STORE_CTX_free>;
using SslCtxPtr = Owner<SSL_CTX, SSL_CTX_free>;
using SslPtr = Owner<SSL, SSL_free>;
using SslSessionPtr = Owner<SSL_SESSION, SSL_SESSION_free>;
using CipherPtr = Owner<EVP_CIPHER, EVP_CIPHER_free>;
using KdfPtr = Owner<EVP_KDF, EVP_KDF_free>;
using KdfCtxPtr = Owner<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using DecoderCtxPtr = Owner<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>;
using EncoderCtxPtr = Owner<OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free>;
using MacPtr = Owner<EVP_MAC, EVP_MAC_free>;
using MacCtxPtr = Owner<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using LibCtxPtr = Owner<OSSL_LIB_CTX, OSSL_LIB_CTX_free>;
using ProviderPtr = Owner<OSSL_PROVIDER, OSSL_PROVIDER_unload>;
using BignumPtr = Owner<BIGNUM, BN_free>;
using EcdsaSigPtr = Owner<ECDSA_SIG, ECDSA_SIG_free>;

// ASN.1 values and X.509 structures.
using Asn1ObjectPtr = Owner<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1IntegerPtr = Owner<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1EnumeratedPtr = Owner<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;
using Asn1TimePtr = Owner<ASN1_TIME, ASN1_TIME_free>;
using Asn1OctetStringPtr = Owner<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1BitStringPtr = Owner<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using Asn1Ia5StringPtr = Owner<ASN1_IA5STRING, ASN1_IA5STRING_free>;
using X509NamePtr = Owner<X509_NAME, X509_NAME_free>;
using X509RevokedPtr = Owner<X509_REVOKED, X509_REVOKED_free>;
using X509AlgorPtr = Owner<X509_ALGOR, X509_ALGOR_free>;
using X509SigPtr = Owner<X509_SIG, X509_SIG_free>;
using X509ExtensionPtr = Owner<X509_EXTENSION, X509_EXTENSION_free>;
using Pkcs8InfoPtr = Owner<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using Pkcs7Ptr = Owner<PKCS7, PKCS7_free>;
using Pkcs12Ptr = Owner<PKCS12, PKCS12_free>;
using Pbe2ParamPtr = Owner<PBE2PARAM, PBE2PARAM_free>;
using Pbkdf2ParamPtr = Owner<PBKDF2PARAM, PBKDF2PARAM_free>;
using ScryptParamsPtr = Owner<SCRYPT_PARAMS, SCRYPT_PARAMS_free>;

// X.509v3 extensions.
using GeneralNamePtr = Owner<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = Owner<GENERAL_NAMES, GENERAL_NAMES_free>;
using BasicConstraintsPtr = Owner<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using ExtendedKeyUsagePtr = Owner<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using AuthorityKeyIdPtr = Owner<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using AuthorityInfoAccessPtr = Owner<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free>;
using CrlDistPointsPtr = Owner<CRL_DIST_POINTS, CRL_DIST_POINTS_free>;
using IssuingDistPointPtr = Owner<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free>;
using CertificatePoliciesPtr = Owner<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>;
using NameConstraintsPtr = Owner<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>;
using TlsFeaturePtr = Owner<TLS_FEATURE, TLS_FEATURE_free>;
using SctListPtr = Owner<STACK_OF(SCT), SCT_LIST_free>;

// OCSP.
using OcspRequestPtr = Owner<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspResponsePtr = Owner<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicRespPtr = Owner<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = Owner<OCSP_CERTID, OCSP_CERTID_free>;

// Stacks: one that owns its certificates, one that only borrows them.
namespace detail {
inline void freeX509Stack(STACK_OF(X509) * s)
{
    sk_X509_pop_free(s, X509_free);
}
inline void freeX509StackOnly(STACK_OF(X509) * s)
{
    sk_X509_free(s);
}
inline void freeExtensionStack(STACK_OF(X509_EXTENSION) * s)
{
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}
} // namespace detail
using X509StackPtr = Owner<STACK_OF(X509), detail::freeX509Stack>;
using X509StackRefPtr = Owner<STACK_OF(X509), detail::freeX509StackOnly>;
using ExtensionStackPtr = Owner<STACK_OF(X509_EXTENSION), detail::freeExtensionStack>;

// Buffers OpenSSL allocated: plain, and one wiped on free (key material).
struct OpensslFreeDeleter
{
    void operator()(void* p) const noexcept { OPENSSL_free(p); }
};
using OpensslBytesPtr = std::unique_ptr<unsigned char, OpensslFreeDeleter>;
struct ClearFree
{
    size_t size = 0;
    void operator()(unsigned char* p) const noexcept { OPENSSL_clear_free(p, size); }
};
using EncodedBuffer = std::unique_ptr<unsigned char, ClearFree>;

} // namespace certdeck::ossl
