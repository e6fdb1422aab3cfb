// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/KeyVault.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/PrivateKey.h"
#include "crypto/Wipe.h"
#include "internal/SqlSupport.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "inventory/internal/Log.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <cstring>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

namespace certdeck::inventory {

namespace {

using MasterKey = std::array<unsigned char, 32>;

constexpr int kNonceSize = 12;
constexpr int kTagSize = 16;
constexpr int kSaltSize = 16;
// A format byte in front of every sealed blob, so a later cipher or layout
// can be told apart from this one.
constexpr char kFormatV1 = 0x01;
// Caps what a stored (possibly tampered) cost can make us allocate.
constexpr std::uint64_t kMaxN = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxMem = std::uint64_t{1} << 30;

const QByteArray kVerifierPlain = QByteArrayLiteral("CertDeck master key check v1");

using crypto::wipe;

/// Wipes the array it guards when the scope ends, error paths included.
struct KeyWiper
{
    MasterKey& key;
    ~KeyWiper() { OPENSSL_cleanse(key.data(), key.size()); }
};

QByteArray keyAad(const QByteArray& spkiSha256)
{
    return QByteArrayLiteral("certdeck key v1:") + spkiSha256;
}

QByteArray verifierAad(const QByteArray& salt)
{
    return QByteArrayLiteral("certdeck vault verifier v1:") + salt;
}

Status checkCost(const ScryptCost& c)
{
    const bool powerOfTwo = c.n > 1 && (c.n & (c.n - 1)) == 0;
    if (!powerOfTwo || c.n > kMaxN || c.r == 0 || c.r > 32 || c.p == 0 || c.p > 16) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Unusable scrypt cost N=%1 r=%2 p=%3 (N must be a power of "
                                   "two up to 2^20)")
                        .arg(c.n)
                        .arg(c.r)
                        .arg(c.p));
    }
    return {};
}

Status deriveKey(const QByteArray& passphrase, const QByteArray& salt, const ScryptCost& cost,
                 MasterKey& out)
{
    if (auto s = checkCost(cost); !s) {
        return s;
    }
    ossl::KdfPtr kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
    if (!kdf) {
        return fail(ErrorCode::Unsupported, QStringLiteral("This OpenSSL has no scrypt"),
                    ossl::drainErrors());
    }
    ossl::KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot set up scrypt"),
                    ossl::drainErrors());
    }
    std::uint64_t n = cost.n;
    std::uint32_t r = cost.r;
    std::uint32_t p = cost.p;
    std::uint64_t maxMem = kMaxMem;
    // OSSL_PARAM takes non-const pointers; OpenSSL only reads these.
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                          const_cast<char*>(passphrase.constData()),
                                          static_cast<size_t>(passphrase.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.constData()),
                                          static_cast<size_t>(salt.size())),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxMem),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
        OPENSSL_cleanse(out.data(), out.size());
        return fail(ErrorCode::Crypto, QStringLiteral("scrypt failed to derive the master key"),
                    ossl::drainErrors());
    }
    return {};
}

ossl::CipherPtr aesGcm()
{
    return ossl::CipherPtr(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
}

// format byte | 96-bit nonce | ciphertext | 128-bit tag
Result<QByteArray> seal(const MasterKey& key, const QByteArray& plain, const QByteArray& aad)
{
    unsigned char nonce[kNonceSize];
    if (RAND_bytes(nonce, kNonceSize) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("No random nonce"), ossl::drainErrors());
    }
    const auto cipher = aesGcm();
    ossl::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!cipher || !ctx ||
        EVP_EncryptInit_ex2(ctx.get(), cipher.get(), key.data(), nonce, nullptr) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot set up AES-256-GCM"),
                    ossl::drainErrors());
    }
    QByteArray out(1 + kNonceSize + plain.size() + kTagSize, Qt::Uninitialized);
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    o[0] = static_cast<unsigned char>(kFormatV1);
    std::memcpy(o + 1, nonce, kNonceSize);
    int len = 0;
    int total = 0;
    if (EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char*>(aad.constData()),
                          static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), o + 1 + kNonceSize, &len,
                          reinterpret_cast<const unsigned char*>(plain.constData()),
                          static_cast<int>(plain.size())) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("AES-256-GCM encryption failed"),
                    ossl::drainErrors());
    }
    total = len;
    if (EVP_EncryptFinal_ex(ctx.get(), o + 1 + kNonceSize + total, &len) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("AES-256-GCM encryption failed"),
                    ossl::drainErrors());
    }
    total += len;
    unsigned char* tag = o + 1 + kNonceSize + total;
    OSSL_PARAM get[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, kTagSize),
        OSSL_PARAM_construct_end(),
    };
    if (total != plain.size() || EVP_CIPHER_CTX_get_params(ctx.get(), get) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot read the AES-256-GCM tag"),
                    ossl::drainErrors());
    }
    return out;
}

/// The plain bytes, or ErrorCode::Crypto when the blob is damaged, was made
/// for other associated data, or under another key.
Result<QByteArray> open(const MasterKey& key, const QByteArray& blob, const QByteArray& aad,
                        const QString& what)
{
    if (blob.size() < 1 + kNonceSize + kTagSize || blob.at(0) != kFormatV1) {
        return fail(
            ErrorCode::Crypto,
            QStringLiteral("%1 is not a vault ciphertext (truncated or unknown format)").arg(what));
    }
    const auto* b = reinterpret_cast<const unsigned char*>(blob.constData());
    const int bodySize = static_cast<int>(blob.size()) - 1 - kNonceSize - kTagSize;
    const auto cipher = aesGcm();
    ossl::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!cipher || !ctx ||
        EVP_DecryptInit_ex2(ctx.get(), cipher.get(), key.data(), b + 1, nullptr) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot set up AES-256-GCM"),
                    ossl::drainErrors());
    }
    QByteArray plain(bodySize, Qt::Uninitialized);
    auto* p = reinterpret_cast<unsigned char*>(plain.data());
    int len = 0;
    OSSL_PARAM set[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                          const_cast<unsigned char*>(b + 1 + kNonceSize + bodySize),
                                          kTagSize),
        OSSL_PARAM_construct_end(),
    };
    const bool ok = EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                                      reinterpret_cast<const unsigned char*>(aad.constData()),
                                      static_cast<int>(aad.size())) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), p, &len, b + 1 + kNonceSize, bodySize) == 1 &&
                    EVP_CIPHER_CTX_set_params(ctx.get(), set) == 1 &&
                    EVP_DecryptFinal_ex(ctx.get(), p + len, &len) == 1;
    if (!ok) {
        wipe(plain);
        // The tag check fails without an OpenSSL error; drain anyway so no
        // stale entry is left for the next caller.
        const QString detail = ossl::drainErrors();
        return fail(ErrorCode::Crypto,
                    QStringLiteral("%1 failed its integrity check (wrong key or damaged "
                                   "ciphertext)")
                        .arg(what),
                    detail);
    }
    return plain;
}

struct VaultRow
{
    ScryptCost cost;
    QByteArray salt;
    QByteArray verifier;
};

QSqlDatabase connection(const QString& name)
{
    return QSqlDatabase::database(name, false);
}

Result<QByteArray> randomBytes(int size)
{
    QByteArray out(size, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), size) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("No random bytes"), ossl::drainErrors());
    }
    return out;
}

Error wrongPassphrase()
{
    return Error{ErrorCode::Crypto, QStringLiteral("wrong master passphrase"), {}};
}

} // namespace

KeyVault::KeyVault(Store& store)
    : m_store(store)
{}

KeyVault::~KeyVault()
{
    lock();
}

void KeyVault::lock()
{
    OPENSSL_cleanse(m_key.data(), m_key.size());
    m_unlocked = false;
}

namespace {

Result<std::optional<VaultRow>> readRow(const QString& connectionName)
{
    QSqlQuery q(connection(connectionName));
    q.prepare(QStringLiteral("SELECT kdf, scrypt_n, scrypt_r, scrypt_p, salt, verifier FROM vault "
                             "WHERE id = 1"));
    if (auto s = internal::execPrepared(q, QStringLiteral("Cannot read the key vault")); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return std::optional<VaultRow>();
    }
    if (q.value(0).toString() != QLatin1String("scrypt")) {
        return fail(ErrorCode::Unsupported,
                    QStringLiteral("The key vault uses an unknown key derivation \"%1\"")
                        .arg(q.value(0).toString()));
    }
    VaultRow row;
    row.cost.n = q.value(1).toULongLong();
    row.cost.r = q.value(2).toUInt();
    row.cost.p = q.value(3).toUInt();
    row.salt = q.value(4).toByteArray();
    row.verifier = q.value(5).toByteArray();
    return std::optional<VaultRow>(row);
}

Result<VaultRow> requireRow(const QString& connectionName)
{
    auto row = readRow(connectionName);
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (!*row) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("The key vault has no master passphrase yet (run `certdeckctl "
                                   "vault init`)"));
    }
    return **row;
}

/// Derives the key for `row` and checks it against the verifier.
Status unlockRow(const VaultRow& row, const QByteArray& passphrase, MasterKey& out)
{
    if (auto s = deriveKey(passphrase, row.salt, row.cost, out); !s) {
        return s;
    }
    auto check = open(out, row.verifier, verifierAad(row.salt), QStringLiteral("The verifier"));
    if (!check || *check != kVerifierPlain) {
        OPENSSL_cleanse(out.data(), out.size());
        return tl::unexpected(wrongPassphrase());
    }
    return {};
}

Status writeRow(const QString& connectionName, bool insert, const VaultRow& row)
{
    QSqlQuery q(connection(connectionName));
    q.prepare(insert
                  ? QStringLiteral("INSERT INTO vault (kdf, scrypt_n, scrypt_r, scrypt_p, salt, "
                                   "verifier, changed_utc, id) VALUES ('scrypt', ?, ?, ?, ?, ?, "
                                   "?, 1)")
                  : QStringLiteral("UPDATE vault SET kdf = 'scrypt', scrypt_n = ?, scrypt_r = ?, "
                                   "scrypt_p = ?, salt = ?, verifier = ?, changed_utc = ? "
                                   "WHERE id = 1"));
    q.addBindValue(static_cast<qint64>(row.cost.n));
    q.addBindValue(static_cast<int>(row.cost.r));
    q.addBindValue(static_cast<int>(row.cost.p));
    q.addBindValue(row.salt);
    q.addBindValue(row.verifier);
    q.addBindValue(internal::nowText());
    return internal::execPrepared(q, QStringLiteral("Cannot save the key vault"));
}

/// A fresh salt, its derived key and the verifier sealed under it.
Result<VaultRow> newRow(const QByteArray& passphrase, const ScryptCost& cost, MasterKey& key)
{
    if (passphrase.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("The master passphrase is empty"));
    }
    VaultRow row;
    row.cost = cost;
    auto salt = randomBytes(kSaltSize);
    if (!salt) {
        return tl::unexpected(salt.error());
    }
    row.salt = *salt;
    if (auto s = deriveKey(passphrase, row.salt, cost, key); !s) {
        return tl::unexpected(s.error());
    }
    auto verifier = seal(key, kVerifierPlain, verifierAad(row.salt));
    if (!verifier) {
        return tl::unexpected(verifier.error());
    }
    row.verifier = *verifier;
    return row;
}

} // namespace

Result<bool> KeyVault::isInitialized() const
{
    auto row = readRow(m_store.m_connectionName);
    if (!row) {
        return tl::unexpected(row.error());
    }
    return row->has_value();
}

Result<ScryptCost> KeyVault::cost() const
{
    auto row = requireRow(m_store.m_connectionName);
    if (!row) {
        return tl::unexpected(row.error());
    }
    return row->cost;
}

Status KeyVault::init(const QByteArray& passphrase, const ScryptCost& cost)
{
    MasterKey key{};
    KeyWiper wiper{key};
    QElapsedTimer clock;
    clock.start();
    auto row = newRow(passphrase, cost, key);
    if (!row) {
        qCDebug(lcInventory).noquote() << "vault init failed:" << row.error().message;
        return tl::unexpected(row.error());
    }
    const Status s =
        m_store.mutate(QStringLiteral("vault.init"), QStringLiteral("key vault"), [&]() -> Status {
            auto existing = readRow(m_store.m_connectionName);
            if (!existing) {
                return tl::unexpected(existing.error());
            }
            if (*existing) {
                return fail(ErrorCode::Conflict, QStringLiteral("The key vault already has "
                                                                "a master passphrase"));
            }
            return writeRow(m_store.m_connectionName, true, *row);
        });
    if (!s) {
        qCDebug(lcInventory).noquote() << "vault init failed:" << s.error().message;
        return s;
    }
    qCDebug(lcInventory) << "vault initialised: scrypt N" << cost.n << "r" << cost.r << "p"
                         << cost.p << "in" << clock.elapsed() << "ms";
    m_key = key;
    m_unlocked = true;
    return {};
}

Status KeyVault::unlock(const QByteArray& passphrase)
{
    lock();
    auto row = requireRow(m_store.m_connectionName);
    if (!row) {
        return tl::unexpected(row.error());
    }
    MasterKey key{};
    KeyWiper wiper{key};
    QElapsedTimer clock;
    clock.start();
    if (auto s = unlockRow(*row, passphrase, key); !s) {
        qCDebug(lcInventory).noquote()
            << "vault unlock failed after" << clock.elapsed() << "ms:" << s.error().message;
        return s;
    }
    qCDebug(lcInventory) << "vault unlocked: scrypt N" << row->cost.n << "in" << clock.elapsed()
                         << "ms";
    m_key = key;
    m_unlocked = true;
    return {};
}

Result<qint64> KeyVault::storeKey(const crypto::PrivateKey& key, const QString& description)
{
    if (!m_unlocked) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The key vault is locked: unlock it with the master "
                                   "passphrase first"));
    }
    if (key.isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No key to store"));
    }
    QByteArray der = key.toPkcs8Der();
    const QByteArray spki = key.spkiSha256();
    auto sealed = seal(m_key, der, keyAad(spki));
    wipe(der);
    if (!sealed) {
        return tl::unexpected(sealed.error());
    }
    KeyRecord record;
    record.description = description.isEmpty() ? key.description() : description;
    record.spkiSha256 = spki;
    record.protection = KeyProtection::MasterPassphrase;
    record.encrypted = *sealed;
    auto id = m_store.keys().add(record);
    if (id) {
        qCDebug(lcInventory) << "vault: stored key" << *id << "sealed with AES-256-GCM";
    }
    return id;
}

namespace {

Result<crypto::PrivateKey> openKey(const MasterKey& masterKey, qint64 id,
                                   const QByteArray& spkiSha256, const QByteArray& encrypted)
{
    const QString what = QStringLiteral("Key %1").arg(id);
    auto der = open(masterKey, encrypted, keyAad(spkiSha256), what);
    if (!der) {
        return tl::unexpected(der.error());
    }
    auto key = crypto::PrivateKey::fromDer(*der, {}, what);
    wipe(*der);
    if (!key) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("%1 decrypted to something that is not a private key").arg(what),
                    key.error().message);
    }
    if (key->spkiSha256() != spkiSha256) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("%1 does not match the public key its record names").arg(what));
    }
    return key;
}

} // namespace

Result<crypto::PrivateKey> KeyVault::loadKey(qint64 id) const
{
    if (!m_unlocked) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The key vault is locked: unlock it with the master "
                                   "passphrase first"));
    }
    auto record = m_store.keys().get(id);
    if (!record) {
        return tl::unexpected(record.error());
    }
    if (record->protection != KeyProtection::MasterPassphrase) {
        return fail(ErrorCode::Unsupported,
                    QStringLiteral("Key %1 is held in the OS keyring, not in the vault").arg(id));
    }
    auto key = openKey(m_key, id, record->spkiSha256, record->encrypted);
    qCDebug(lcInventory).noquote()
        << "vault: opening key" << id << "->" << (key ? QStringLiteral("ok") : key.error().message);
    return key;
}

Result<int> KeyVault::keyCount() const
{
    QSqlQuery q(connection(m_store.m_connectionName));
    q.prepare(QStringLiteral("SELECT count(*) FROM keys WHERE protection = ?"));
    q.addBindValue(keyProtectionName(KeyProtection::MasterPassphrase));
    if (auto s = internal::execPrepared(q, QStringLiteral("Cannot count the keys")); !s) {
        return tl::unexpected(s.error());
    }
    return q.next() ? q.value(0).toInt() : 0;
}

Status KeyVault::changePassphrase(const QByteArray& oldPassphrase, const QByteArray& newPassphrase,
                                  const ScryptCost& cost)
{
    const QString& conn = m_store.m_connectionName;
    auto oldRow = requireRow(conn);
    if (!oldRow) {
        return tl::unexpected(oldRow.error());
    }
    MasterKey oldKey{};
    KeyWiper oldWiper{oldKey};
    QElapsedTimer clock;
    clock.start();
    if (auto s = unlockRow(*oldRow, oldPassphrase, oldKey); !s) {
        qCDebug(lcInventory).noquote()
            << "vault passphrase change refused (old passphrase):" << s.error().message;
        return s;
    }
    MasterKey newKey{};
    KeyWiper newWiper{newKey};
    auto row = newRow(newPassphrase, cost, newKey);
    if (!row) {
        return tl::unexpected(row.error());
    }

    int reencrypted = 0;
    const Status s = m_store.mutate(
        QStringLiteral("vault.change-passphrase"), QStringLiteral("key vault"), [&]() -> Status {
            // The verifier is checked again inside the transaction, so a
            // concurrent change by another program cannot be overwritten.
            auto current = requireRow(conn);
            if (!current) {
                return tl::unexpected(current.error());
            }
            if (current->salt != oldRow->salt) {
                return fail(ErrorCode::Conflict,
                            QStringLiteral("The master passphrase was changed meanwhile"));
            }
            QSqlQuery q(connection(conn));
            q.prepare(QStringLiteral("SELECT id, spki_sha256, encrypted FROM keys WHERE "
                                     "protection = ? ORDER BY id"));
            q.addBindValue(keyProtectionName(KeyProtection::MasterPassphrase));
            if (auto e = internal::execPrepared(q, QStringLiteral("Cannot read the keys")); !e) {
                return e;
            }
            QSqlQuery update(connection(conn));
            update.prepare(QStringLiteral("UPDATE keys SET encrypted = ? WHERE id = ?"));
            reencrypted = 0;
            while (q.next()) {
                const qint64 id = q.value(0).toLongLong();
                const QByteArray spki = q.value(1).toByteArray();
                const QString what = QStringLiteral("Key %1").arg(id);
                auto der = open(oldKey, q.value(2).toByteArray(), keyAad(spki), what);
                if (!der) {
                    return fail(ErrorCode::Crypto,
                                QStringLiteral("%1 cannot be decrypted, so the master "
                                               "passphrase was not changed")
                                    .arg(what),
                                der.error().message);
                }
                auto sealed = seal(newKey, *der, keyAad(spki));
                wipe(*der);
                if (!sealed) {
                    return tl::unexpected(sealed.error());
                }
                update.addBindValue(*sealed);
                update.addBindValue(id);
                if (auto e = internal::execPrepared(
                        update, QStringLiteral("Cannot re-encrypt %1").arg(what));
                    !e) {
                    return e;
                }
                ++reencrypted;
            }
            return writeRow(conn, false, *row);
        });
    if (!s) {
        qCDebug(lcInventory).noquote() << "vault passphrase change failed:" << s.error().message;
        return s;
    }
    qCDebug(lcInventory) << "vault passphrase changed:" << reencrypted
                         << "key(s) re-encrypted, scrypt N" << cost.n << "in" << clock.elapsed()
                         << "ms";
    m_key = newKey;
    m_unlocked = true;
    return {};
}

} // namespace certdeck::inventory
