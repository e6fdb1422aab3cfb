// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Owners for the OpenSSL handles PrivateKey and DhParams use beyond those in
// crypto/OpenSslPtr.h (kept here so parallel work does not collide there).

#include "crypto/OpenSslPtr.h"

#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

namespace certdeck::crypto::internal {

using DecoderCtxPtr = ossl::Owner<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>;
using EncoderCtxPtr = ossl::Owner<OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free>;
using X509AlgorPtr = ossl::Owner<X509_ALGOR, X509_ALGOR_free>;
using X509SigPtr = ossl::Owner<X509_SIG, X509_SIG_free>;
using Pkcs8InfoPtr = ossl::Owner<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using CipherPtr = ossl::Owner<EVP_CIPHER, EVP_CIPHER_free>;

/// OSSL_ENCODER_to_data's buffer, wiped and freed (it may hold key material).
struct ClearFree
{
    size_t size = 0;
    void operator()(unsigned char* p) const noexcept { OPENSSL_clear_free(p, size); }
};
using EncodedBuffer = std::unique_ptr<unsigned char, ClearFree>;

} // namespace certdeck::crypto::internal
