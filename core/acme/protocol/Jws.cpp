// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/Jws.h"

#include "acme/protocol/Base64Url.h"
#include "crypto/OpenSslError.h"

#include <QJsonDocument>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace certdeck::acme {

namespace {

using ossl::MacCtxPtr;
using ossl::MacPtr;

QByteArray compact(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject flattened(const QByteArray& protectedB64, const QByteArray& payloadB64,
                      const QByteArray& signature)
{
    return QJsonObject{{QStringLiteral("protected"), QString::fromLatin1(protectedB64)},
                       {QStringLiteral("payload"), QString::fromLatin1(payloadB64)},
                       {QStringLiteral("signature"), QString::fromLatin1(base64Url(signature))}};
}

Result<QByteArray> hmacSha256(const QByteArray& key, const QByteArray& data)
{
    MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!mac) {
        return fail(ErrorCode::Internal, QStringLiteral("OpenSSL has no HMAC"),
                    ossl::drainErrors());
    }
    MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
    if (!ctx) {
        return fail(ErrorCode::Internal, QStringLiteral("out of memory"), ossl::drainErrors());
    }
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.constData()),
                     static_cast<size_t>(key.size()), params) != 1 ||
        EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.constData()),
                       static_cast<size_t>(data.size())) != 1) {
        return fail(ErrorCode::Crypto, QStringLiteral("HMAC-SHA256 for the EAB failed"),
                    ossl::drainErrors());
    }
    QByteArray out(EVP_MAX_MD_SIZE, '\0');
    size_t len = 0;
    if (EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                      static_cast<size_t>(out.size())) != 1) {
        return fail(ErrorCode::Crypto, QStringLiteral("HMAC-SHA256 for the EAB failed"),
                    ossl::drainErrors());
    }
    out.resize(static_cast<qsizetype>(len));
    return out;
}

} // namespace

Result<QJsonObject> Jws::signObject(const JwsKey& key, const QString& url, const QByteArray& nonce,
                                    const QString& kid, const std::optional<QJsonObject>& payload)
{
    if (key.isNull()) {
        return fail(ErrorCode::Internal, QStringLiteral("no key to sign the ACME request with"));
    }
    QJsonObject header{{QStringLiteral("alg"), jwsAlgorithmName(key.algorithm())},
                       {QStringLiteral("url"), url}};
    if (!nonce.isEmpty()) {
        header.insert(QStringLiteral("nonce"), QString::fromLatin1(nonce));
    }
    // RFC 8555 6.2: exactly one of "jwk" and "kid".
    if (kid.isEmpty()) {
        header.insert(QStringLiteral("jwk"), key.jwk());
    } else {
        header.insert(QStringLiteral("kid"), kid);
    }
    const QByteArray protectedB64 = base64Url(compact(header));
    const QByteArray payloadB64 = payload ? base64Url(compact(*payload)) : QByteArray();
    auto sig = key.sign(protectedB64 + '.' + payloadB64);
    if (!sig) {
        return tl::unexpected(sig.error());
    }
    return flattened(protectedB64, payloadB64, *sig);
}

Result<QByteArray> Jws::sign(const JwsKey& key, const QString& url, const QByteArray& nonce,
                             const QString& kid, const std::optional<QJsonObject>& payload)
{
    auto o = signObject(key, url, nonce, kid, payload);
    if (!o) {
        return tl::unexpected(o.error());
    }
    return compact(*o);
}

Result<QJsonObject> Jws::externalAccountBinding(const QString& eabKeyId, const QByteArray& hmacKey,
                                                const QJsonObject& accountJwk,
                                                const QString& newAccountUrl)
{
    if (eabKeyId.isEmpty() || hmacKey.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("external account binding needs a key ID and an HMAC key"));
    }
    const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("HS256")},
                             {QStringLiteral("kid"), eabKeyId},
                             {QStringLiteral("url"), newAccountUrl}};
    const QByteArray protectedB64 = base64Url(compact(header));
    const QByteArray payloadB64 = base64Url(compact(accountJwk));
    auto mac = hmacSha256(hmacKey, protectedB64 + '.' + payloadB64);
    if (!mac) {
        return tl::unexpected(mac.error());
    }
    return flattened(protectedB64, payloadB64, *mac);
}

} // namespace certdeck::acme
