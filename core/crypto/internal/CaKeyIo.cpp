// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaKeyIo.h"

#include "crypto/OpenSslError.h"

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
    ossl::PKeyPtr key;
    switch (type) {
    case CaKeyType::EcP256:
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
        break;
    case CaKeyType::EcP384:
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
        break;
    case CaKeyType::Rsa2048:
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048)));
        break;
    case CaKeyType::Rsa3072:
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(3072)));
        break;
    case CaKeyType::Rsa4096:
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(4096)));
        break;
    case CaKeyType::Ed25519:
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        break;
    }
    if (!key) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("Generating a %1 key failed").arg(caKeyTypeName(type)),
                    ossl::drainErrors());
    }
    return key;
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
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) {
        return fail(ErrorCode::Internal, QStringLiteral("Out of memory"), ossl::drainErrors());
    }
    const EVP_CIPHER* cipher = passphrase.isEmpty() ? nullptr : EVP_aes_256_cbc();
    // The passphrase goes in as an explicit buffer, never through a callback
    // that might prompt on a terminal.
    QByteArray pass = passphrase;
    if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key, cipher,
                                      pass.isEmpty() ? nullptr : pass.data(), int(pass.size()),
                                      nullptr, nullptr) != 1) {
        pass.fill('\0');
        return fail(ErrorCode::Crypto, QStringLiteral("Cannot encode the private key"),
                    ossl::drainErrors());
    }
    pass.fill('\0');
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(len));
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
