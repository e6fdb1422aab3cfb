// SPDX-License-Identifier: GPL-3.0-or-later
#include "TicketKeyRing.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"

#include <cstring>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rand.h>

namespace certdeck::proxy {

struct TicketKeyRing::Fetched
{
    ossl::CipherPtr cipher;
    static int exIndex;
};

int TicketKeyRing::Fetched::exIndex = -1;

namespace {

std::once_flag g_exIndexOnce;

} // namespace

TicketKeyRing::TicketKeyRing(std::chrono::seconds rotation, int keep)
    : m_rotation(rotation)
    , m_keep(keep < 1 ? 1 : keep)
    , m_fetched(std::make_unique<Fetched>())
{}

TicketKeyRing::~TicketKeyRing() = default;

Status TicketKeyRing::init()
{
    std::call_once(g_exIndexOnce, [] {
        Fetched::exIndex = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    });
    if (Fetched::exIndex < 0) {
        return fail(ErrorCode::Internal, QStringLiteral("no SSL_CTX ex_data index for tickets"),
                    ossl::drainErrors());
    }
    // Fetched once: an implicit fetch inside every ticket operation would
    // take OpenSSL's provider lock on the handshake path.
    m_fetched->cipher.reset(EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr));
    if (!m_fetched->cipher) {
        return fail(ErrorCode::Internal, QStringLiteral("AES-256-CBC is not available"),
                    ossl::drainErrors());
    }
    return rotate();
}

Status TicketKeyRing::rotate()
{
    Key key;
    if (RAND_bytes(key.name.data(), static_cast<int>(key.name.size())) != 1 ||
        RAND_priv_bytes(key.aesKey.data(), static_cast<int>(key.aesKey.size())) != 1 ||
        RAND_priv_bytes(key.hmacKey.data(), static_cast<int>(key.hmacKey.size())) != 1) {
        return fail(ErrorCode::Crypto, QStringLiteral("could not make a session-ticket key"),
                    ossl::drainErrors());
    }
    std::lock_guard lock(m_rotateMutex);
    auto next = std::make_shared<Keys>();
    next->push_back(key);
    if (const auto current = m_keys.load()) {
        for (const Key& k : *current) {
            if (static_cast<int>(next->size()) >= m_keep) {
                break;
            }
            next->push_back(k);
        }
    }
    m_keys.store(std::move(next));
    m_lastRotation = std::chrono::steady_clock::now();
    m_rotations.fetch_add(1, std::memory_order_relaxed);
    return {};
}

bool TicketKeyRing::rotateIfDue(std::chrono::steady_clock::time_point now)
{
    {
        std::lock_guard lock(m_rotateMutex);
        if (now - m_lastRotation < m_rotation) {
            return false;
        }
    }
    // A failed rotation keeps the current key: tickets keep working.
    return rotate().has_value();
}

void TicketKeyRing::install(SSL_CTX* ctx)
{
    SSL_CTX_set_ex_data(ctx, Fetched::exIndex, this);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, &TicketKeyRing::ticketCallback);
}

int TicketKeyRing::ticketCallback(SSL* ssl, unsigned char keyName[16], unsigned char* iv,
                                  EVP_CIPHER_CTX* cipherCtx, EVP_MAC_CTX* macCtx, int encrypt)
{
    auto* self =
        static_cast<TicketKeyRing*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), Fetched::exIndex));
    if (self == nullptr) {
        return -1;
    }
    return self->handle(keyName, iv, cipherCtx, macCtx, encrypt != 0);
}

int TicketKeyRing::handle(unsigned char keyName[16], unsigned char* iv, EVP_CIPHER_CTX* cipherCtx,
                          EVP_MAC_CTX* macCtx, bool encrypt)
{
    const std::shared_ptr<const Keys> keys = m_keys.load();
    if (!keys || keys->empty()) {
        return -1;
    }
    const Key* key = nullptr;
    bool current = false;
    if (encrypt) {
        key = &keys->front();
        current = true;
        std::memcpy(keyName, key->name.data(), key->name.size());
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(m_fetched->cipher.get())) != 1) {
            ERR_clear_error();
            return -1;
        }
    } else {
        for (std::size_t i = 0; i < keys->size(); ++i) {
            if (std::memcmp(keyName, (*keys)[i].name.data(), 16) == 0) {
                key = &(*keys)[i];
                current = i == 0;
                break;
            }
        }
        if (key == nullptr) {
            return 0; // unknown or expired key: a full handshake and a new ticket
        }
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
                                          const_cast<unsigned char*>(key->hmacKey.data()),
                                          key->hmacKey.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(macCtx, params) != 1) {
        ERR_clear_error();
        return -1;
    }
    const int ok = encrypt ? EVP_EncryptInit_ex2(cipherCtx, m_fetched->cipher.get(),
                                                 key->aesKey.data(), iv, nullptr)
                           : EVP_DecryptInit_ex2(cipherCtx, m_fetched->cipher.get(),
                                                 key->aesKey.data(), iv, nullptr);
    if (ok != 1) {
        ERR_clear_error();
        return -1;
    }
    return current ? 1 : 2; // 2: valid under an older key, issue a fresh ticket
}

} // namespace certdeck::proxy
