// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Owners for the OpenSSL handles only the proxy uses (kept here so parallel
// work on crypto/OpenSslPtr.h does not collide).

#include "crypto/OpenSslPtr.h"

#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>

namespace certdeck::proxy::internal {

inline void freeX509Stack(STACK_OF(X509) * s)
{
    sk_X509_pop_free(s, X509_free);
}

using X509StackPtr = ossl::Owner<STACK_OF(X509), freeX509Stack>;
using GeneralNamesPtr = ossl::Owner<GENERAL_NAMES, GENERAL_NAMES_free>;
using EvpCipherPtr = ossl::Owner<EVP_CIPHER, EVP_CIPHER_free>;
using EvpMacPtr = ossl::Owner<EVP_MAC, EVP_MAC_free>;
using ProviderPtr = ossl::Owner<OSSL_PROVIDER, OSSL_PROVIDER_unload>;

} // namespace certdeck::proxy::internal
