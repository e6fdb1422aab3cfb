// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Owners for the OpenSSL handles the key vault uses beyond crypto/OpenSslPtr.h.

#include "crypto/OpenSslPtr.h"

#include <openssl/kdf.h>

namespace certdeck::inventory::internal {

using KdfPtr = ossl::Owner<EVP_KDF, EVP_KDF_free>;
using KdfCtxPtr = ossl::Owner<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using VaultCipherPtr = ossl::Owner<EVP_CIPHER, EVP_CIPHER_free>;

} // namespace certdeck::inventory::internal
