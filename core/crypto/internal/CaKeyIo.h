// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private key loading, generation and encrypted PKCS#8 output for the CSR
// and local-CA code. A stop-gap: the integrator replaces it with
// crypto/PrivateKey once that lands.

#include "common/Result.h"
#include "crypto/OpenSslPtr.h"

#include <QByteArray>
#include <QString>

namespace certdeck::crypto::internal {

enum class CaKeyType
{
    EcP256,
    EcP384,
    Rsa2048,
    Rsa3072,
    Rsa4096,
    Ed25519
};

/// "p256", "p384", "rsa2048", "rsa3072", "rsa4096", "ed25519".
[[nodiscard]] Result<CaKeyType> parseCaKeyType(const QString& name);
[[nodiscard]] QString caKeyTypeName(CaKeyType type);

/// A fresh key pair of `type`.
[[nodiscard]] Result<ossl::PKeyPtr> generateKey(CaKeyType type);

/// Reads a PEM private key (PKCS#8, encrypted PKCS#8 or traditional).
/// `passphrase` is used only if the key is encrypted; an encrypted key
/// without one, or with the wrong one, is a clear error naming `origin`.
[[nodiscard]] Result<ossl::PKeyPtr>
readPrivateKeyPem(const QByteArray& pem, const QByteArray& passphrase, const QString& origin);

/// PKCS#8 PEM encrypted with AES-256-CBC under `passphrase` (PBKDF2), or
/// unencrypted when `passphrase` is empty.
[[nodiscard]] Result<QByteArray> privateKeyToPkcs8Pem(EVP_PKEY* key, const QByteArray& passphrase);

/// The signature digest that fits the key: none for Ed25519/Ed448, SHA-384
/// for P-384 and larger, SHA-256 otherwise.
[[nodiscard]] const EVP_MD* digestForKey(EVP_PKEY* key);

} // namespace certdeck::crypto::internal
