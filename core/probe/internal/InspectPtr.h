// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Owners for the OpenSSL handles only the TLS inspection uses (OCSP staples,
// resumable sessions); kept out of OpenSslPtr.h so parallel work does not
// collide there.

#include "crypto/internal/ChainPtr.h"

#include <openssl/ocsp.h>
#include <openssl/ssl.h>

namespace certdeck::ossl {

using SslSessionPtr = Owner<SSL_SESSION, SSL_SESSION_free>;
using OcspResponsePtr = Owner<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicRespPtr = Owner<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = Owner<OCSP_CERTID, OCSP_CERTID_free>;

} // namespace certdeck::ossl
