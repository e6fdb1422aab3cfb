// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private to PrivateKey: refuses an EncryptedPrivateKeyInfo whose key
// derivation would run for minutes or hours. The cost is chosen by whoever
// wrote the file, and OpenSSL's decryption cannot be cancelled, so a damaged
// or hostile file with 2^31 PBKDF2 iterations would otherwise hang an import.

#include "crypto/OpenSslPtr.h"

#include <QByteArray>
#include <QString>
#include <openssl/asn1.h>
#include <openssl/objects.h>

namespace certdeck::crypto::internal {

using namespace ossl; // the owner types of crypto/OpenSslPtr.h

/// 600,000 is OWASP's PBKDF2-HMAC-SHA256 advice; 10 million is about ten
/// seconds on a slow core.
constexpr uint64_t kMaxPbkdf2Iterations = 10'000'000;
/// scrypt's memory is capped by OpenSSL (32 MiB); its time also grows with p.
constexpr uint64_t kMaxScryptN = 1U << 20;
constexpr uint64_t kMaxScryptP = 64;

/// Why decrypting `der` (if it is an EncryptedPrivateKeyInfo) would cost too
/// much, or empty. Anything it cannot read is left to OpenSSL to reject.
inline QString excessiveKdfCost(const QByteArray& der)
{
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    X509SigPtr sig(d2i_X509_SIG(nullptr, &p, der.size()));
    if (!sig) {
        return {};
    }
    const X509_ALGOR* alg = nullptr;
    const ASN1_OCTET_STRING* digest = nullptr;
    X509_SIG_get0(sig.get(), &alg, &digest);
    if (alg == nullptr || OBJ_obj2nid(alg->algorithm) != NID_pbes2 || alg->parameter == nullptr) {
        return {};
    }
    Pbe2ParamPtr pbe2(static_cast<PBE2PARAM*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)));
    if (!pbe2 || pbe2->keyfunc == nullptr || pbe2->keyfunc->parameter == nullptr) {
        return {};
    }
    const int kdf = OBJ_obj2nid(pbe2->keyfunc->algorithm);
    uint64_t value = 0;
    if (kdf == NID_id_pbkdf2) {
        Pbkdf2ParamPtr params(static_cast<PBKDF2PARAM*>(
            ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)));
        if (params && params->iter != nullptr &&
            (ASN1_INTEGER_get_uint64(&value, params->iter) != 1 || value > kMaxPbkdf2Iterations)) {
            return QStringLiteral("asks for more than %1 PBKDF2 iterations")
                .arg(kMaxPbkdf2Iterations);
        }
    } else if (kdf == NID_id_scrypt) {
        ScryptParamsPtr params(static_cast<SCRYPT_PARAMS*>(
            ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(SCRYPT_PARAMS), pbe2->keyfunc->parameter)));
        if (!params) {
            return {};
        }
        uint64_t n = 0;
        uint64_t par = 0;
        if (params->costParameter != nullptr &&
            (ASN1_INTEGER_get_uint64(&n, params->costParameter) != 1 || n > kMaxScryptN)) {
            return QStringLiteral("asks for a scrypt cost N above %1").arg(kMaxScryptN);
        }
        if (params->parallelizationParameter != nullptr &&
            (ASN1_INTEGER_get_uint64(&par, params->parallelizationParameter) != 1 ||
             par > kMaxScryptP)) {
            return QStringLiteral("asks for a scrypt parallelism p above %1").arg(kMaxScryptP);
        }
    }
    return {};
}

} // namespace certdeck::crypto::internal
