// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/PrivateKey.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace certdeck::acme {

/// JWS algorithms an ACME account (or certificate) key signs with.
enum class JwsAlgorithm
{
    Es256, ///< ECDSA P-256 + SHA-256, signature r||s (64 bytes), the default
    Es384, ///< ECDSA P-384 + SHA-384, signature r||s (96 bytes)
    Rs256, ///< RSASSA-PKCS1-v1_5 + SHA-256
    EdDsa, ///< Ed25519 (RFC 8037)
};

/// The "alg" header value ("ES256", "RS256", "EdDSA").
[[nodiscard]] QString jwsAlgorithmName(JwsAlgorithm algorithm);

/// A private key seen as a JWS signer: its algorithm, its public JWK
/// (RFC 7517) and the RFC 7638 thumbprint that key authorizations use.
/// Cheap to copy (the key is shared by reference count).
class JwsKey
{
public:
    JwsKey() = default;

    /// Picks the algorithm from the key: P-256 -> ES256, P-384 -> ES384,
    /// RSA (2048 bits or more) -> RS256, Ed25519 -> EdDSA. Anything else is
    /// an Unsupported error naming the key.
    [[nodiscard]] static Result<JwsKey> fromPrivateKey(const crypto::PrivateKey& key);

    [[nodiscard]] bool isNull() const { return m_key.isNull(); }
    [[nodiscard]] JwsAlgorithm algorithm() const { return m_algorithm; }
    [[nodiscard]] const crypto::PrivateKey& privateKey() const { return m_key; }

    /// The public JWK: only the required members, so it is also the input
    /// of the thumbprint.
    [[nodiscard]] QJsonObject jwk() const { return m_jwk; }
    /// base64url(SHA-256(canonical JWK)), RFC 7638.
    [[nodiscard]] QByteArray thumbprint() const;

    /// RFC 7638 thumbprint of any public JWK (EC, RSA or OKP); an
    /// InvalidInput error when a required member is missing.
    [[nodiscard]] static Result<QByteArray> thumbprintOf(const QJsonObject& jwk);

    /// Signs `signingInput` (ASCII "protected.payload") and returns the raw
    /// JWS signature bytes (not base64url): r||s for ECDSA, not DER.
    [[nodiscard]] Result<QByteArray> sign(const QByteArray& signingInput) const;

private:
    crypto::PrivateKey m_key;
    JwsAlgorithm m_algorithm = JwsAlgorithm::Es256;
    QJsonObject m_jwk;
};

} // namespace certdeck::acme
