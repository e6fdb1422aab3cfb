// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One owner type per OpenSSL handle, declared once (BoringSSL's bssl::UniquePtr
// is the model). Nothing in CertDeck frees an OpenSSL object by hand.

#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
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

} // namespace certdeck::ossl
