// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// OpenSSL owners used only by core/acme (see crypto/OpenSslPtr.h for the rest).

#include "crypto/OpenSslPtr.h"

#include <openssl/bn.h>
#include <openssl/ec.h>

namespace certdeck::acme::internal {

using BignumPtr = ossl::Owner<BIGNUM, BN_free>;
using EcdsaSigPtr = ossl::Owner<ECDSA_SIG, ECDSA_SIG_free>;

} // namespace certdeck::acme::internal
