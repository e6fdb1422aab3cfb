// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <openssl/ssl.h>
#include <vector>

namespace certdeck::proxy {

/// Session-ticket keys shared by every worker and every certificate set, so a
/// ticket issued by one worker (or before a reload) resumes on another. The
/// newest key encrypts; the previous ones still decrypt, and a ticket under
/// one of them is renewed. Keys live only in memory and never reach a log.
///
/// Readers (the ticket callback, on any worker thread) take the current key
/// list with one atomic load; rotate() builds a new list and swaps it in.
class TicketKeyRing
{
public:
    struct Key
    {
        std::array<unsigned char, 16> name{};
        std::array<unsigned char, 32> aesKey{};
        std::array<unsigned char, 32> hmacKey{};
    };

    /// `keep` keys in all: the current one and keep-1 previous ones.
    explicit TicketKeyRing(std::chrono::seconds rotation, int keep = 3);
    ~TicketKeyRing();
    TicketKeyRing(const TicketKeyRing&) = delete;
    TicketKeyRing& operator=(const TicketKeyRing&) = delete;

    /// Fetches the cipher and MAC once and makes the first key.
    [[nodiscard]] Status init();

    /// Makes a new current key when the rotation period has passed (called
    /// from a worker's timer, off the handshake path). True when it rotated.
    bool rotateIfDue(std::chrono::steady_clock::time_point now);
    /// Makes a new current key now.
    [[nodiscard]] Status rotate();
    /// How many rotations happened since init() (for tests and metrics).
    [[nodiscard]] quint64 rotations() const { return m_rotations.load(std::memory_order_relaxed); }

    /// Installs the ticket callback on `ctx` (every context of a set).
    void install(SSL_CTX* ctx);

private:
    using Keys = std::vector<Key>;
    static int ticketCallback(SSL* ssl, unsigned char keyName[16], unsigned char* iv,
                              EVP_CIPHER_CTX* cipherCtx, EVP_MAC_CTX* macCtx, int encrypt);
    int handle(unsigned char keyName[16], unsigned char* iv, EVP_CIPHER_CTX* cipherCtx,
               EVP_MAC_CTX* macCtx, bool encrypt);

    std::chrono::seconds m_rotation;
    int m_keep;
    struct Fetched;
    std::unique_ptr<Fetched> m_fetched;
    std::atomic<std::shared_ptr<const Keys>> m_keys;
    std::mutex m_rotateMutex;
    std::chrono::steady_clock::time_point m_lastRotation;
    std::atomic<quint64> m_rotations{0};
};

} // namespace certdeck::proxy
