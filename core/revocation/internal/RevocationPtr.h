// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Owners for the OpenSSL handles only OCSP and CRL checking use; kept out of
// OpenSslPtr.h so parallel work does not collide there. (An alias declared
// again for the same type elsewhere, as probe/internal/InspectPtr.h does for
// the OCSP response types, is the same alias.)

#include "crypto/internal/ChainPtr.h"

#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

namespace certdeck::ossl {

using OcspRequestPtr = Owner<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspResponsePtr = Owner<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicRespPtr = Owner<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = Owner<OCSP_CERTID, OCSP_CERTID_free>;
using IssuingDistPointPtr = Owner<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free>;
using CrlDistPointsPtr = Owner<CRL_DIST_POINTS, CRL_DIST_POINTS_free>;
using Asn1EnumeratedPtr = Owner<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;

} // namespace certdeck::ossl
