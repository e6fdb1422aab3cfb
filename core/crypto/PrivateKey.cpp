// SPDX-License-Identifier: GPL-3.0-or-later
#include "PrivateKey.h"

#include "crypto/Certificate.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/internal/KeyGenCallback.h"
#include "crypto/internal/KeyPbeCost.h"
#include "crypto/internal/KeyPemScanner.h"
#include "crypto/internal/Log.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <cstring>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

namespace certdeck::crypto {

namespace {

using internal::KeyPemBlock;

// Why scrypt N=2^14, r=8, p=5 and not PBKDF2: scrypt is memory-hard, so a
// GPU farm gains far less on it than on PBKDF2. N=2^14, r=8 needs 16 MiB per
// lane, which stays under OpenSSL's default 32 MiB scrypt memory cap: nginx,
// HAProxy and `openssl pkey` read the key without extra options (N=2^15 and
// up would be refused by them). p=5 then brings the work to OWASP's minimum
// scrypt configuration (N=2^14, r=8, p=5; about as costly as N=2^17, p=1).
constexpr uint64_t kScryptN = 1U << 14;
constexpr uint64_t kScryptR = 8;
constexpr uint64_t kScryptP = 5;
constexpr int kSaltBytes = 16;

QString where(const QString& origin)
{
    return origin.isEmpty() ? QStringLiteral("the key") : origin;
}

bool isPrivateKeyLabel(const QByteArray& label)
{
    return label == "PRIVATE KEY" || label == "ENCRYPTED PRIVATE KEY" ||
           label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY" || label == "DSA PRIVATE KEY";
}

QString whatIsThis(const QByteArray& label)
{
    if (label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE" || label == "X509 CERTIFICATE") {
        return QStringLiteral("a certificate");
    }
    if (label == "CERTIFICATE REQUEST" || label == "NEW CERTIFICATE REQUEST") {
        return QStringLiteral("a certificate signing request");
    }
    if (label == "PUBLIC KEY" || label == "RSA PUBLIC KEY") {
        return QStringLiteral("a public key only");
    }
    if (label == "DH PARAMETERS" || label == "X9.42 DH PARAMETERS") {
        return QStringLiteral("DH parameters");
    }
    if (label == "EC PARAMETERS") {
        return QStringLiteral("EC parameters");
    }
    return QStringLiteral("a '%1' block").arg(QString::fromLatin1(label));
}

/// Gives OpenSSL the caller's passphrase without copying it into any buffer
/// of ours, and records that one was asked for (the input is encrypted).
struct PassphraseState
{
    explicit PassphraseState(const QByteArray* p)
        : passphrase(p)
    {}
    const QByteArray* passphrase;
    bool asked = false;

    static int callback(char* buf, size_t size, size_t* len, const OSSL_PARAM[], void* arg)
    {
        auto* self = static_cast<PassphraseState*>(arg);
        self->asked = true;
        const QByteArray& p = *self->passphrase;
        if (p.isEmpty() || static_cast<size_t>(p.size()) > size) {
            return 0;
        }
        std::memcpy(buf, p.constData(), static_cast<size_t>(p.size()));
        *len = static_cast<size_t>(p.size());
        return 1;
    }
};

QByteArray encode(const EVP_PKEY* pkey, int selection, const char* output, const char* structure)
{
    if (pkey == nullptr) {
        return {};
    }
    ossl::EncoderCtxPtr ectx(
        OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, output, structure, nullptr));
    unsigned char* raw = nullptr;
    size_t len = 0;
    if (!ectx || OSSL_ENCODER_to_data(ectx.get(), &raw, &len) != 1) {
        static_cast<void>(ossl::drainErrors());
        return {};
    }
    const ossl::EncodedBuffer buf(raw, ossl::ClearFree{len});
    return QByteArray(reinterpret_cast<const char*>(buf.get()), static_cast<qsizetype>(len));
}

/// Runs OpenSSL's decoders over `data` ("PEM" or "DER" text of one key).
Result<PrivateKey> decodeKey(const QByteArray& data, const char* inputType,
                             const QByteArray& passphrase, const QString& origin)
{
    if (qstrcmp(inputType, "DER") == 0) {
        if (const QString cost = internal::excessiveKdfCost(data); !cost.isEmpty()) {
            static_cast<void>(ossl::drainErrors());
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 %2; refusing to decrypt it (a damaged or hostile "
                                       "file?)")
                            .arg(where(origin), cost));
        }
        static_cast<void>(ossl::drainErrors());
    }
    EVP_PKEY* raw = nullptr;
    ossl::DecoderCtxPtr dctx(OSSL_DECODER_CTX_new_for_pkey(&raw, inputType, nullptr, nullptr,
                                                           EVP_PKEY_KEYPAIR, nullptr, nullptr));
    if (!dctx) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot set up OpenSSL's key decoders"),
                    ossl::drainErrors());
    }
    PassphraseState pass(&passphrase);
    if (OSSL_DECODER_CTX_set_passphrase_cb(dctx.get(), &PassphraseState::callback, &pass) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot set up OpenSSL's key decoders"),
                    ossl::drainErrors());
    }
    const auto* p = reinterpret_cast<const unsigned char*>(data.constData());
    size_t len = static_cast<size_t>(data.size());
    const int ok = OSSL_DECODER_from_data(dctx.get(), &p, &len);
    ossl::PKeyPtr pkey(raw);
    if (ok != 1 || !pkey) {
        const QString detail = ossl::drainErrors();
        if (pass.asked && passphrase.isEmpty()) {
            return fail(
                ErrorCode::Crypto,
                QStringLiteral("%1 is encrypted: a passphrase is needed").arg(where(origin)),
                detail);
        }
        if (pass.asked) {
            return fail(ErrorCode::Crypto,
                        QStringLiteral("wrong passphrase for %1 (or its encrypted body is "
                                       "damaged)")
                            .arg(where(origin)),
                        detail);
        }
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is not a private key OpenSSL can read").arg(where(origin)),
                    detail);
    }
    // A SubjectPublicKeyInfo also satisfies the KEYPAIR selection; a key
    // without its private half cannot be written as PrivateKeyInfo.
    QByteArray probe = encode(pkey.get(), EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo");
    const bool hasPrivateHalf = !probe.isEmpty();
    wipe(probe);
    if (!hasPrivateHalf) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 holds a public key only; the private key is needed")
                        .arg(where(origin)));
    }
    qCDebug(lcCrypto).noquote() << "read a private key from" << where(origin)
                                << (pass.asked ? "(encrypted)" : "(not encrypted)");
    return PrivateKey(std::move(pkey));
}

/// Names what a DER blob that is no private key is, if OpenSSL knows it.
QString identifyDer(const QByteArray& der)
{
    const auto* start = reinterpret_cast<const unsigned char*>(der.constData());
    const long size = static_cast<long>(der.size());
    QString what;
    const unsigned char* p = start;
    if (const ossl::X509Ptr cert(d2i_X509(nullptr, &p, size)); cert && p - start == size) {
        what = QStringLiteral("a certificate");
    }
    p = start;
    if (const ossl::X509ReqPtr req(d2i_X509_REQ(nullptr, &p, size));
        what.isEmpty() && req && p - start == size) {
        what = QStringLiteral("a certificate signing request");
    }
    p = start;
    if (const ossl::PKeyPtr pub(d2i_PUBKEY(nullptr, &p, size));
        what.isEmpty() && pub && p - start == size) {
        what = QStringLiteral("a public key only");
    }
    // The failed attempts queued errors that belong to no one.
    static_cast<void>(ossl::drainErrors());
    return what;
}

QString curveName(const EVP_PKEY* pkey)
{
    char name[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) !=
        1) {
        static_cast<void>(ossl::drainErrors());
        return {};
    }
    return QString::fromUtf8(name, static_cast<qsizetype>(len));
}

} // namespace

QString keyTypeName(KeyType type)
{
    switch (type) {
    case KeyType::Rsa2048:
        return QStringLiteral("rsa2048");
    case KeyType::Rsa3072:
        return QStringLiteral("rsa3072");
    case KeyType::Rsa4096:
        return QStringLiteral("rsa4096");
    case KeyType::EcdsaP256:
        return QStringLiteral("p256");
    case KeyType::EcdsaP384:
        return QStringLiteral("p384");
    case KeyType::Ed25519:
        return QStringLiteral("ed25519");
    }
    return {};
}

std::optional<KeyType> keyTypeFromName(const QString& name)
{
    for (KeyType t : {KeyType::Rsa2048, KeyType::Rsa3072, KeyType::Rsa4096, KeyType::EcdsaP256,
                      KeyType::EcdsaP384, KeyType::Ed25519}) {
        if (name.compare(keyTypeName(t), Qt::CaseInsensitive) == 0) {
            return t;
        }
    }
    return std::nullopt;
}

PrivateKey::PrivateKey(ossl::PKeyPtr pkey)
    : m_pkey(std::move(pkey))
{}

PrivateKey::PrivateKey(const PrivateKey& other)
{
    if (other.m_pkey && EVP_PKEY_up_ref(other.m_pkey.get()) == 1) {
        m_pkey.reset(other.m_pkey.get());
    }
}

PrivateKey& PrivateKey::operator=(const PrivateKey& other)
{
    if (this != &other) {
        PrivateKey copy(other);
        m_pkey = std::move(copy.m_pkey);
    }
    return *this;
}

Result<PrivateKey> PrivateKey::generate(KeyType type, const PrimeSearchCallback& onProgress)
{
    const char* algorithm = "RSA";
    size_t rsaBits = 0;
    const char* group = nullptr;
    switch (type) {
    case KeyType::Rsa2048:
        rsaBits = 2048;
        break;
    case KeyType::Rsa3072:
        rsaBits = 3072;
        break;
    case KeyType::Rsa4096:
        rsaBits = 4096;
        break;
    case KeyType::EcdsaP256:
        algorithm = "EC";
        group = "P-256";
        break;
    case KeyType::EcdsaP384:
        algorithm = "EC";
        group = "P-384";
        break;
    case KeyType::Ed25519:
        algorithm = "ED25519";
        break;
    }
    ossl::PKeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) {
        return fail(
            ErrorCode::Internal,
            QStringLiteral("cannot set up %1 key generation").arg(QString::fromLatin1(algorithm)),
            ossl::drainErrors());
    }
    if (rsaBits != 0) {
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_RSA_BITS, &rsaBits), OSSL_PARAM_END};
        if (EVP_PKEY_CTX_set_params(ctx.get(), params) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("cannot set the RSA key size"),
                        ossl::drainErrors());
        }
    }
    if (group != nullptr && EVP_PKEY_CTX_set_group_name(ctx.get(), group) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot set the EC curve"),
                    ossl::drainErrors());
    }
    internal::KeyGenCallbackState cb(&onProgress);
    cb.attach(ctx.get());
    QElapsedTimer clock;
    clock.start();
    EVP_PKEY* raw = nullptr;
    const int ok = EVP_PKEY_generate(ctx.get(), &raw);
    ossl::PKeyPtr pkey(raw);
    if (ok != 1 || !pkey) {
        const QString detail = ossl::drainErrors();
        if (cb.stopped) {
            return fail(ErrorCode::Cancelled, QStringLiteral("key generation was cancelled"));
        }
        return fail(ErrorCode::Crypto, QStringLiteral("key generation failed"), detail);
    }
    if (lcCrypto().isDebugEnabled()) {
        QString what = QString::fromLatin1(algorithm);
        if (group != nullptr) {
            what += u' ' + QString::fromLatin1(group);
        } else if (rsaBits != 0) {
            what += u' ' + QString::number(rsaBits);
        }
        qCDebug(lcCrypto).noquote() << "generated a" << what << "key in" << clock.elapsed() << "ms";
    }
    return PrivateKey(std::move(pkey));
}

Result<PrivateKey> PrivateKey::fromPem(const QByteArray& pem, const QByteArray& passphrase,
                                       const QString& origin)
{
    const QString name = where(origin);
    if (pem.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 is empty").arg(name));
    }
    const QList<KeyPemBlock> blocks = internal::scanPemBlocks(pem);
    const KeyPemBlock* key = nullptr;
    for (const KeyPemBlock& b : blocks) {
        if (isPrivateKeyLabel(b.label)) {
            key = &b;
            break;
        }
    }
    if (key == nullptr) {
        if (blocks.isEmpty()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 has no PEM block (no '-----BEGIN' line)").arg(name));
        }
        for (const KeyPemBlock& b : blocks) {
            // A damaged block may be the key whose BEGIN line was mangled.
            if (!b.problem.isEmpty()) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("%1 %2; no private key found").arg(name, b.problem));
            }
        }
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 contains %2, not a private key")
                                                 .arg(name, whatIsThis(blocks.first().label)));
    }
    if (!key->problem.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 %2").arg(name, key->problem));
    }
    const QString blockName =
        QStringLiteral("%1 (the key at line %2)").arg(name).arg(key->beginLine);
    if (key->hasHeaders) {
        // Legacy "Proc-Type: 4,ENCRYPTED" keys: only the PEM decoder knows
        // how to use DEK-Info, so give it the block as it stands.
        return decodeKey(key->text, "PEM", passphrase, blockName);
    }
    auto der = QByteArray::fromBase64Encoding(key->base64, QByteArray::AbortOnBase64DecodingErrors);
    if (!der) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 line %2: the base64 body cannot be decoded")
                        .arg(name)
                        .arg(key->beginLine + 1));
    }
    QByteArray bytes = std::move(der.decoded);
    if (const QString problem = internal::derFramingProblem(bytes); !problem.isEmpty()) {
        wipe(bytes);
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the DER inside %2").arg(blockName, problem));
    }
    auto result = decodeKey(bytes, "DER", passphrase, blockName);
    wipe(bytes);
    return result;
}

Result<PrivateKey> PrivateKey::fromDer(const QByteArray& der, const QByteArray& passphrase,
                                       const QString& origin)
{
    const QString name = where(origin);
    if (der.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 is empty").arg(name));
    }
    if (const QString problem = internal::derFramingProblem(der); !problem.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 %2").arg(name, problem));
    }
    if (const QString what = identifyDer(der); !what.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is %2, not a private key").arg(name, what));
    }
    return decodeKey(der, "DER", passphrase, name);
}

Result<PrivateKey> PrivateKey::fromData(const QByteArray& data, const QByteArray& passphrase,
                                        const QString& origin)
{
    if (data.contains("-----BEGIN")) {
        return fromPem(data, passphrase, origin);
    }
    if (!data.isEmpty() && static_cast<unsigned char>(data.at(0)) != 0x30 &&
        !data.trimmed().isEmpty()) {
        // Text without a BEGIN line is more likely a mangled PEM than DER.
        bool printable = true;
        for (char c : data.left(256)) {
            const auto u = static_cast<unsigned char>(c);
            printable = printable && (u >= 0x20 || c == '\n' || c == '\r' || c == '\t');
        }
        if (printable) {
            return fromPem(data, passphrase, origin);
        }
    }
    if (data.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 is empty").arg(where(origin)));
    }
    return fromDer(data, passphrase, origin);
}

bool PrivateKey::isEncrypted(const QByteArray& data)
{
    if (data.contains("-----BEGIN")) {
        for (const KeyPemBlock& b : internal::scanPemBlocks(data)) {
            if (isPrivateKeyLabel(b.label)) {
                return b.label == "ENCRYPTED PRIVATE KEY" || b.encrypted;
            }
        }
        return false;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(data.constData());
    const unsigned char* start = p;
    ossl::X509SigPtr sig(d2i_X509_SIG(nullptr, &p, data.size()));
    static_cast<void>(ossl::drainErrors());
    return sig && p - start == data.size();
}

QByteArray PrivateKey::toPkcs8Pem() const
{
    return encode(m_pkey.get(), EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo");
}

QByteArray PrivateKey::toPkcs8Der() const
{
    return encode(m_pkey.get(), EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo");
}

Result<QByteArray> PrivateKey::toEncryptedPkcs8Pem(const QByteArray& passphrase) const
{
    if (!m_pkey) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("there is no key to encrypt"));
    }
    if (passphrase.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("the passphrase is empty"));
    }
    // OSSL_ENCODER's EncryptedPrivateKeyInfo always uses PBKDF2 with 2048
    // iterations, so the PBES2 parameters are built here instead.
    unsigned char salt[kSaltBytes];
    if (RAND_bytes(salt, sizeof salt) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("no random bytes for the salt"),
                    ossl::drainErrors());
    }
    ossl::CipherPtr cipher(EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr));
    ossl::X509AlgorPtr pbe(cipher ? PKCS5_pbe2_set_scrypt(cipher.get(), salt, sizeof salt, nullptr,
                                                          kScryptN, kScryptR, kScryptP)
                                  : nullptr);
    ossl::Pkcs8InfoPtr info(EVP_PKEY2PKCS8(m_pkey.get()));
    if (!pbe || !info) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot set up PKCS#8 encryption"),
                    ossl::drainErrors());
    }
    ossl::X509SigPtr sig(PKCS8_set0_pbe(passphrase.constData(), static_cast<int>(passphrase.size()),
                                        info.get(), pbe.get()));
    if (!sig) {
        return fail(ErrorCode::Crypto, QStringLiteral("encrypting the key failed"),
                    ossl::drainErrors());
    }
    static_cast<void>(pbe.release()); // now owned by `sig`
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PKCS8(bio.get(), sig.get()) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot write the encrypted key"),
                    ossl::drainErrors());
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    qCDebug(lcCrypto).noquote()
        << QStringLiteral("encrypted a private key as PKCS#8 (AES-256-CBC, scrypt N=%1)")
               .arg(kScryptN);
    return QByteArray(data, static_cast<qsizetype>(len));
}

QByteArray PrivateKey::publicKeyDer() const
{
    if (!m_pkey) {
        return {};
    }
    const int len = i2d_PUBKEY(m_pkey.get(), nullptr);
    if (len <= 0) {
        static_cast<void>(ossl::drainErrors());
        return {};
    }
    QByteArray out(len, Qt::Uninitialized);
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    i2d_PUBKEY(m_pkey.get(), &p);
    return out;
}

QByteArray PrivateKey::spkiSha256() const
{
    const QByteArray der = publicKeyDer();
    return der.isEmpty() ? QByteArray() : QCryptographicHash::hash(der, QCryptographicHash::Sha256);
}

KeyAlgorithm PrivateKey::algorithm() const
{
    if (!m_pkey) {
        return KeyAlgorithm::Other;
    }
    if (EVP_PKEY_is_a(m_pkey.get(), "RSA") == 1) {
        return KeyAlgorithm::Rsa;
    }
    if (EVP_PKEY_is_a(m_pkey.get(), "EC") == 1) {
        return KeyAlgorithm::Ec;
    }
    if (EVP_PKEY_is_a(m_pkey.get(), "ED25519") == 1) {
        return KeyAlgorithm::Ed25519;
    }
    if (EVP_PKEY_is_a(m_pkey.get(), "ED448") == 1) {
        return KeyAlgorithm::Ed448;
    }
    return KeyAlgorithm::Other;
}

std::optional<KeyType> PrivateKey::keyType() const
{
    switch (algorithm()) {
    case KeyAlgorithm::Rsa:
        switch (bits()) {
        case 2048:
            return KeyType::Rsa2048;
        case 3072:
            return KeyType::Rsa3072;
        case 4096:
            return KeyType::Rsa4096;
        default:
            return std::nullopt;
        }
    case KeyAlgorithm::Ec: {
        const QString curve = curveName(m_pkey.get());
        if (curve == QLatin1String("prime256v1") || curve == QLatin1String("P-256")) {
            return KeyType::EcdsaP256;
        }
        if (curve == QLatin1String("secp384r1") || curve == QLatin1String("P-384")) {
            return KeyType::EcdsaP384;
        }
        return std::nullopt;
    }
    case KeyAlgorithm::Ed25519:
        return KeyType::Ed25519;
    case KeyAlgorithm::Ed448:
    case KeyAlgorithm::Other:
        break;
    }
    return std::nullopt;
}

int PrivateKey::bits() const
{
    return m_pkey ? EVP_PKEY_get_bits(m_pkey.get()) : 0;
}

QString PrivateKey::description() const
{
    switch (algorithm()) {
    case KeyAlgorithm::Rsa:
        return QStringLiteral("RSA %1").arg(bits());
    case KeyAlgorithm::Ec: {
        const QString curve = curveName(m_pkey.get());
        if (curve == QLatin1String("prime256v1")) {
            return QStringLiteral("ECDSA P-256");
        }
        if (curve == QLatin1String("secp384r1")) {
            return QStringLiteral("ECDSA P-384");
        }
        if (curve == QLatin1String("secp521r1")) {
            return QStringLiteral("ECDSA P-521");
        }
        return QStringLiteral("EC %1").arg(curve);
    }
    case KeyAlgorithm::Ed25519:
        return QStringLiteral("Ed25519");
    case KeyAlgorithm::Ed448:
        return QStringLiteral("Ed448");
    case KeyAlgorithm::Other:
        break;
    }
    return m_pkey ? QString::fromLatin1(EVP_PKEY_get0_type_name(m_pkey.get())) : QString();
}

bool PrivateKey::matchesCertificate(const Certificate& certificate) const
{
    if (!m_pkey || certificate.isNull()) {
        return false;
    }
    const EVP_PKEY* pub = X509_get0_pubkey(certificate.handle());
    const bool same = pub != nullptr && EVP_PKEY_eq(m_pkey.get(), pub) == 1;
    static_cast<void>(ossl::drainErrors()); // EVP_PKEY_eq queues an error for different key types
    return same;
}

Result<bool> PrivateKey::matchesPublicKeyDer(const QByteArray& spkiDer) const
{
    const auto* p = reinterpret_cast<const unsigned char*>(spkiDer.constData());
    const unsigned char* start = p;
    ossl::PKeyPtr pub(d2i_PUBKEY(nullptr, &p, spkiDer.size()));
    if (!pub || p - start != spkiDer.size()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the public key to compare with is not a DER "
                                   "SubjectPublicKeyInfo"),
                    ossl::drainErrors());
    }
    if (!m_pkey) {
        return false;
    }
    const bool same = EVP_PKEY_eq(m_pkey.get(), pub.get()) == 1;
    static_cast<void>(ossl::drainErrors());
    return same;
}

} // namespace certdeck::crypto
