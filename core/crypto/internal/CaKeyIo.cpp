// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaKeyIo.h"

#include "crypto/OpenSslError.h"
#include "crypto/PrivateKey.h"

#include <QStringList>
#include <cstring>
#include <openssl/pem.h>

namespace certdeck::crypto::internal {

namespace {

struct PassphraseRequest
{
    const QByteArray* passphrase = nullptr;
    bool asked = false;
};

int passphraseCallback(char* buf, int size, int /*rwflag*/, void* userdata)
{
    auto* req = static_cast<PassphraseRequest*>(userdata);
    req->asked = true;
    if (req->passphrase == nullptr || req->passphrase->isEmpty() ||
        req->passphrase->size() > size) {
        return -1;
    }
    std::memcpy(buf, req->passphrase->constData(), size_t(req->passphrase->size()));
    return int(req->passphrase->size());
}

} // namespace

Result<CaKeyType> parseCaKeyType(const QString& name)
{
    const QString n = name.toLower();
    for (CaKeyType t : {CaKeyType::EcP256, CaKeyType::EcP384, CaKeyType::Rsa2048,
                        CaKeyType::Rsa3072, CaKeyType::Rsa4096, CaKeyType::Ed25519}) {
        if (caKeyTypeName(t) == n) {
            return t;
        }
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("unknown key type '%1' (p256, p384, rsa2048, rsa3072, rsa4096 or "
                               "ed25519)")
                    .arg(name));
}

QString caKeyTypeName(CaKeyType type)
{
    switch (type) {
    case CaKeyType::EcP256:
        return QStringLiteral("p256");
    case CaKeyType::EcP384:
        return QStringLiteral("p384");
    case CaKeyType::Rsa2048:
        return QStringLiteral("rsa2048");
    case CaKeyType::Rsa3072:
        return QStringLiteral("rsa3072");
    case CaKeyType::Rsa4096:
        return QStringLiteral("rsa4096");
    case CaKeyType::Ed25519:
        return QStringLiteral("ed25519");
    }
    return {};
}

Result<ossl::PKeyPtr> generateKey(CaKeyType type)
{
    // One key generator for the whole engine: PrivateKey's.
    KeyType kt = KeyType::EcdsaP256;
    switch (type) {
    case CaKeyType::EcP256:
        kt = KeyType::EcdsaP256;
        break;
    case CaKeyType::EcP384:
        kt = KeyType::EcdsaP384;
        break;
    case CaKeyType::Rsa2048:
        kt = KeyType::Rsa2048;
        break;
    case CaKeyType::Rsa3072:
        kt = KeyType::Rsa3072;
        break;
    case CaKeyType::Rsa4096:
        kt = KeyType::Rsa4096;
        break;
    case CaKeyType::Ed25519:
        kt = KeyType::Ed25519;
        break;
    }
    auto key = PrivateKey::generate(kt);
    if (!key) {
        return tl::unexpected(key.error());
    }
    if (EVP_PKEY_up_ref(key->handle()) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot share the generated key"),
                    ossl::drainErrors());
    }
    return ossl::PKeyPtr(key->handle());
}

Result<ossl::PKeyPtr> readPrivateKeyPem(const QByteArray& pem, const QByteArray& passphrase,
                                        const QString& origin)
{
    ossl::BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    if (!bio) {
        return fail(ErrorCode::Internal, QStringLiteral("Out of memory"), ossl::drainErrors());
    }
    PassphraseRequest req{&passphrase, false};
    ossl::PKeyPtr key(
        PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, passphraseCallback, &req, nullptr, nullptr));
    if (key) {
        return key;
    }
    const QString evidence = ossl::drainErrors();
    if (req.asked && passphrase.isEmpty()) {
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("%1 is encrypted; give its passphrase (--passphrase-file or "
                                   "--passphrase-env)")
                        .arg(origin),
                    evidence);
    }
    if (req.asked) {
        return fail(
            ErrorCode::PermissionDenied,
            QStringLiteral("Wrong passphrase for %1 (or the key file is damaged)").arg(origin),
            evidence);
    }
    if (!pem.contains("-----BEGIN") || !pem.contains("PRIVATE KEY-----")) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 holds no PEM private key").arg(origin), evidence);
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("%1: the private key cannot be read").arg(origin), evidence);
}

Result<QByteArray> privateKeyToPkcs8Pem(EVP_PKEY* key, const QByteArray& passphrase)
{
    // PrivateKey's encoding: scrypt + AES-256-CBC, the same work factor as
    // every other key CertDeck writes (OpenSSL's default PBKDF2 count is low).
    if (key == nullptr || EVP_PKEY_up_ref(key) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("No key to encode"), ossl::drainErrors());
    }
    const PrivateKey pk{ossl::PKeyPtr(key)};
    if (passphrase.isEmpty()) {
        return pk.toPkcs8Pem();
    }
    return pk.toEncryptedPkcs8Pem(passphrase);
}

const EVP_MD* digestForKey(EVP_PKEY* key)
{
    if (EVP_PKEY_is_a(key, "ED25519") == 1 || EVP_PKEY_is_a(key, "ED448") == 1) {
        return nullptr;
    }
    if (EVP_PKEY_is_a(key, "EC") == 1 && EVP_PKEY_get_bits(key) >= 384) {
        return EVP_sha384();
    }
    return EVP_sha256();
}

} // namespace certdeck::crypto::internal
