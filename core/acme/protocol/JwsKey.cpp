// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/JwsKey.h"

#include "acme/protocol/Base64Url.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"

#include <QCryptographicHash>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

namespace certdeck::acme {

namespace {

using ossl::BignumPtr;
using ossl::EcdsaSigPtr;

Result<QByteArray> bnParam(EVP_PKEY* pkey, const char* name, int padTo)
{
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
        return fail(ErrorCode::Internal,
                    QStringLiteral("cannot read the public key's %1").arg(QLatin1String(name)),
                    ossl::drainErrors());
    }
    BignumPtr bn(raw);
    const int size = padTo > 0 ? padTo : BN_num_bytes(bn.get());
    QByteArray out(size, '\0');
    const int written =
        padTo > 0 ? BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), size)
                  : BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
    if (written != size) {
        return fail(ErrorCode::Internal,
                    QStringLiteral("the public key's %1 does not fit %2 bytes")
                        .arg(QLatin1String(name))
                        .arg(size),
                    ossl::drainErrors());
    }
    return out;
}

QString requiredString(const QJsonObject& jwk, const char* member, bool* missing)
{
    const QJsonValue v = jwk.value(QLatin1String(member));
    // A quote or backslash would change the canonical JSON's structure; no
    // legitimate member value (base64url, curve names) contains one.
    if (!v.isString() || v.toString().isEmpty() || v.toString().contains(u'"') ||
        v.toString().contains(u'\\')) {
        *missing = true;
    }
    return v.toString();
}

// r||s as JWS wants it (RFC 7518 3.4) from the DER ECDSA-Sig-Value OpenSSL makes.
Result<QByteArray> ecdsaDerToRaw(const QByteArray& der, int half)
{
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) {
        return fail(ErrorCode::Internal,
                    QStringLiteral("OpenSSL produced an unreadable ECDSA signature"),
                    ossl::drainErrors());
    }
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    QByteArray raw(2 * half, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(r, out, half) != half || BN_bn2binpad(s, out + half, half) != half) {
        return fail(ErrorCode::Internal, QStringLiteral("ECDSA signature value too large"),
                    ossl::drainErrors());
    }
    return raw;
}

} // namespace

QString jwsAlgorithmName(JwsAlgorithm algorithm)
{
    switch (algorithm) {
    case JwsAlgorithm::Es256:
        return QStringLiteral("ES256");
    case JwsAlgorithm::Es384:
        return QStringLiteral("ES384");
    case JwsAlgorithm::Rs256:
        return QStringLiteral("RS256");
    case JwsAlgorithm::EdDsa:
        return QStringLiteral("EdDSA");
    }
    return {};
}

Result<JwsKey> JwsKey::fromPrivateKey(const crypto::PrivateKey& key)
{
    if (key.isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("no account key was given"));
    }
    JwsKey out;
    out.m_key = key;
    EVP_PKEY* pkey = key.handle();
    switch (key.algorithm()) {
    case crypto::KeyAlgorithm::Ec: {
        char group[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &len) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("cannot read the EC key's curve"),
                        ossl::drainErrors());
        }
        const QByteArray curve(group, static_cast<qsizetype>(len));
        int half = 0;
        QString crv;
        if (curve == "prime256v1" || curve == "P-256") {
            out.m_algorithm = JwsAlgorithm::Es256;
            half = 32;
            crv = QStringLiteral("P-256");
        } else if (curve == "secp384r1" || curve == "P-384") {
            out.m_algorithm = JwsAlgorithm::Es384;
            half = 48;
            crv = QStringLiteral("P-384");
        } else {
            return fail(
                ErrorCode::Unsupported,
                QStringLiteral("an ACME key on curve %1 cannot sign JWS; use P-256 or P-384")
                    .arg(QString::fromLatin1(curve)));
        }
        auto x = bnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_X, half);
        auto y = bnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, half);
        if (!x || !y) {
            return tl::unexpected(!x ? x.error() : y.error());
        }
        out.m_jwk = QJsonObject{{QStringLiteral("kty"), QStringLiteral("EC")},
                                {QStringLiteral("crv"), crv},
                                {QStringLiteral("x"), QString::fromLatin1(base64Url(*x))},
                                {QStringLiteral("y"), QString::fromLatin1(base64Url(*y))}};
        break;
    }
    case crypto::KeyAlgorithm::Rsa: {
        if (key.bits() < 2048) {
            return fail(
                ErrorCode::Unsupported,
                QStringLiteral("an RSA %1 key is too weak for an ACME account; use 2048 bits "
                               "or more")
                    .arg(key.bits()));
        }
        out.m_algorithm = JwsAlgorithm::Rs256;
        auto n = bnParam(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
        auto e = bnParam(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
        if (!n || !e) {
            return tl::unexpected(!n ? n.error() : e.error());
        }
        out.m_jwk = QJsonObject{{QStringLiteral("kty"), QStringLiteral("RSA")},
                                {QStringLiteral("n"), QString::fromLatin1(base64Url(*n))},
                                {QStringLiteral("e"), QString::fromLatin1(base64Url(*e))}};
        break;
    }
    case crypto::KeyAlgorithm::Ed25519: {
        out.m_algorithm = JwsAlgorithm::EdDsa;
        unsigned char pub[32];
        size_t len = sizeof pub;
        if (EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 || len != sizeof pub) {
            return fail(ErrorCode::Internal, QStringLiteral("cannot read the Ed25519 public key"),
                        ossl::drainErrors());
        }
        const QByteArray x(reinterpret_cast<const char*>(pub), static_cast<qsizetype>(len));
        out.m_jwk = QJsonObject{{QStringLiteral("kty"), QStringLiteral("OKP")},
                                {QStringLiteral("crv"), QStringLiteral("Ed25519")},
                                {QStringLiteral("x"), QString::fromLatin1(base64Url(x))}};
        break;
    }
    default:
        return fail(ErrorCode::Unsupported,
                    QStringLiteral("a %1 key cannot sign ACME requests; use ECDSA P-256, P-384, "
                                   "RSA or Ed25519")
                        .arg(key.description()));
    }
    return out;
}

QByteArray JwsKey::thumbprint() const
{
    auto t = thumbprintOf(m_jwk);
    return t ? *t : QByteArray();
}

Result<QByteArray> JwsKey::thumbprintOf(const QJsonObject& jwk)
{
    // RFC 7638 3.2: only the required members, in lexicographic order, no
    // whitespace. Written out by hand so the order does not depend on how a
    // JSON library happens to sort.
    bool missing = false;
    const QString kty = requiredString(jwk, "kty", &missing);
    QString canonical;
    if (kty == QLatin1String("EC")) {
        canonical =
            QStringLiteral(R"({"crv":"%1","kty":"EC","x":"%2","y":"%3"})")
                .arg(requiredString(jwk, "crv", &missing), requiredString(jwk, "x", &missing),
                     requiredString(jwk, "y", &missing));
    } else if (kty == QLatin1String("RSA")) {
        canonical =
            QStringLiteral(R"({"e":"%1","kty":"RSA","n":"%2"})")
                .arg(requiredString(jwk, "e", &missing), requiredString(jwk, "n", &missing));
    } else if (kty == QLatin1String("OKP")) {
        canonical =
            QStringLiteral(R"({"crv":"%1","kty":"OKP","x":"%2"})")
                .arg(requiredString(jwk, "crv", &missing), requiredString(jwk, "x", &missing));
    } else {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("JWK key type '%1' has no thumbprint rule here").arg(kty));
    }
    if (missing) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("the %1 JWK lacks a required member or has a malformed one").arg(kty));
    }
    return base64Url(QCryptographicHash::hash(canonical.toUtf8(), QCryptographicHash::Sha256));
}

Result<QByteArray> JwsKey::sign(const QByteArray& signingInput) const
{
    if (m_key.isNull()) {
        return fail(ErrorCode::Internal, QStringLiteral("signing with an empty JWS key"));
    }
    ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx) {
        return fail(ErrorCode::Internal, QStringLiteral("out of memory"), ossl::drainErrors());
    }
    const char* digest = nullptr;
    switch (m_algorithm) {
    case JwsAlgorithm::Es256:
    case JwsAlgorithm::Rs256:
        digest = "SHA256";
        break;
    case JwsAlgorithm::Es384:
        digest = "SHA384";
        break;
    case JwsAlgorithm::EdDsa:
        break; // Ed25519 hashes internally: no digest
    }
    if (EVP_DigestSignInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, m_key.handle(),
                              nullptr) != 1) {
        return fail(ErrorCode::Crypto, QStringLiteral("cannot start a JWS signature"),
                    ossl::drainErrors());
    }
    const auto* in = reinterpret_cast<const unsigned char*>(signingInput.constData());
    size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, in, static_cast<size_t>(signingInput.size())) !=
        1) {
        return fail(ErrorCode::Crypto, QStringLiteral("cannot size the JWS signature"),
                    ossl::drainErrors());
    }
    QByteArray sig(static_cast<qsizetype>(len), '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                       static_cast<size_t>(signingInput.size())) != 1) {
        return fail(ErrorCode::Crypto, QStringLiteral("signing the JWS failed"),
                    ossl::drainErrors());
    }
    sig.resize(static_cast<qsizetype>(len));
    if (m_algorithm == JwsAlgorithm::Es256) {
        return ecdsaDerToRaw(sig, 32);
    }
    if (m_algorithm == JwsAlgorithm::Es384) {
        return ecdsaDerToRaw(sig, 48);
    }
    return sig;
}

} // namespace certdeck::acme
