// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/OpenSslPtr.h"

#include <QByteArray>
#include <QString>
#include <functional>
#include <optional>

namespace certdeck::crypto {

class Certificate;

/// The key types CertDeck generates. Imported keys may be of other kinds
/// (RSA 1024, P-521, Ed448); those have no KeyType.
enum class KeyType
{
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EcdsaP256,
    EcdsaP384,
    Ed25519,
};

/// The algorithm family of any key, generated or imported.
enum class KeyAlgorithm
{
    Rsa,
    Ec,
    Ed25519,
    Ed448,
    Other,
};

/// The CLI's and the store's name of a key type: "rsa2048", "p256", "ed25519".
[[nodiscard]] QString keyTypeName(KeyType type);
/// The inverse of keyTypeName(), case-insensitive; nullopt for anything else.
[[nodiscard]] std::optional<KeyType> keyTypeFromName(const QString& name);

/// What OpenSSL's prime search reports while it runs (RSA keys, DH
/// parameters). It cannot say how far it is: only how much it has tried.
struct PrimeSearchProgress
{
    int candidatesTested = 0; ///< candidates generated so far
    int primesFound = 0;      ///< primes accepted so far (RSA needs 2)
};

/// Called from inside OpenSSL's generation loop, on the generating thread.
/// Returning false stops the search; generation then fails with
/// ErrorCode::Cancelled.
using PrimeSearchCallback = std::function<bool(const PrimeSearchProgress&)>;

/// A private key: a cheap-to-copy value (copies share the OpenSSL object by
/// reference count; the key material is never copied). Reads PKCS#8 (plain
/// and encrypted) and traditional RSA/EC keys in PEM or DER, writes PKCS#8,
/// and answers which certificate or CSR belongs to it.
///
/// Passphrases are QByteArrays (UTF-8 bytes); every copy this class makes is
/// wiped with OPENSSL_cleanse. An empty passphrase means "none supplied".
class PrivateKey
{
public:
    PrivateKey() = default;
    /// Takes ownership of `pkey`.
    explicit PrivateKey(ossl::PKeyPtr pkey);
    PrivateKey(const PrivateKey& other);
    PrivateKey& operator=(const PrivateKey& other);
    PrivateKey(PrivateKey&&) noexcept = default;
    PrivateKey& operator=(PrivateKey&&) noexcept = default;
    ~PrivateKey() = default;

    /// Generates a key on the calling thread (KeyGenerator runs this off the
    /// GUI thread). `onProgress` sees RSA's prime search and can stop it.
    [[nodiscard]] static Result<PrivateKey> generate(KeyType type,
                                                     const PrimeSearchCallback& onProgress = {});

    /// Reads the first private key in PEM text: "PRIVATE KEY",
    /// "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" (also with
    /// legacy Proc-Type encryption). Other blocks (a certificate before the
    /// key) are skipped. `origin` ("site.key") names the input in errors,
    /// which give line numbers for framing and base64 problems.
    [[nodiscard]] static Result<PrivateKey>
    fromPem(const QByteArray& pem, const QByteArray& passphrase = {}, const QString& origin = {});
    /// Reads a DER PrivateKeyInfo, EncryptedPrivateKeyInfo or traditional
    /// RSA/EC key; trailing bytes are an error.
    [[nodiscard]] static Result<PrivateKey>
    fromDer(const QByteArray& der, const QByteArray& passphrase = {}, const QString& origin = {});
    /// PEM if the data contains "-----BEGIN", DER otherwise.
    [[nodiscard]] static Result<PrivateKey>
    fromData(const QByteArray& data, const QByteArray& passphrase = {}, const QString& origin = {});
    /// True if the key in `data` (PEM or DER) is passphrase-protected, so
    /// the caller knows to ask for one before calling fromData().
    [[nodiscard]] static bool isEncrypted(const QByteArray& data);

    [[nodiscard]] bool isNull() const { return !m_pkey; }
    /// The OpenSSL object, still owned by this key (for CSR and CA signing).
    [[nodiscard]] EVP_PKEY* handle() const { return m_pkey.get(); }

    /// Unencrypted PKCS#8 ("BEGIN PRIVATE KEY"); empty on a null key.
    [[nodiscard]] QByteArray toPkcs8Pem() const;
    [[nodiscard]] QByteArray toPkcs8Der() const;
    /// Encrypted PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY"): AES-256-CBC with a
    /// key from scrypt (N=2^14, r=8, p=5; see the .cpp for why). An empty
    /// passphrase is refused.
    [[nodiscard]] Result<QByteArray> toEncryptedPkcs8Pem(const QByteArray& passphrase) const;

    /// DER SubjectPublicKeyInfo of the public half.
    [[nodiscard]] QByteArray publicKeyDer() const;
    /// SHA-256 of publicKeyDer(): the HPKP/SPKI pin (base64 it for a pin-sha256).
    [[nodiscard]] QByteArray spkiSha256() const;

    [[nodiscard]] KeyAlgorithm algorithm() const;
    /// The generation type this key matches, if any.
    [[nodiscard]] std::optional<KeyType> keyType() const;
    /// Modulus size for RSA, field size for EC, 256 for Ed25519.
    [[nodiscard]] int bits() const;
    /// "RSA 3072", "ECDSA P-256", "Ed25519", "EC secp256k1".
    [[nodiscard]] QString description() const;

    /// The certificate carries this key's public half.
    [[nodiscard]] bool matchesCertificate(const Certificate& certificate) const;
    /// `spkiDer` (a CSR's or a certificate's SubjectPublicKeyInfo) is this
    /// key's public half; an error if `spkiDer` is not a public key.
    [[nodiscard]] Result<bool> matchesPublicKeyDer(const QByteArray& spkiDer) const;

private:
    ossl::PKeyPtr m_pkey;
};

} // namespace certdeck::crypto
