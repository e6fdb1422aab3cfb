// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <array>
#include <atomic>
#include <cstdint>

namespace certdeck::proxy {

/// Why a connection ended early; one counter each.
enum class CloseReason
{
    HandshakeFailed,  ///< not TLS, a malformed ClientHello, no shared suite...
    HandshakeTimeout, ///< no finished handshake within the limit (slow drip)
    IdleTimeout,      ///< nothing either way within the limit
    ConnectionLimit,  ///< accepted over the connection limit and closed at once
    BackendDown,      ///< the backend refused or did not answer the connection
    BackendReset,     ///< the backend reset an open connection
    ClientReset,      ///< the client reset or broke the TLS stream
    BadRequest,       ///< HTTP mode: a request head the proxy cannot forward
    Drained,          ///< closed by a graceful stop
    Count_
};

[[nodiscard]] QString closeReasonName(CloseReason reason);

/// One worker's counters, written only by its own thread (relaxed atomics,
/// so readers on other threads see whole values without locks).
struct WorkerStats
{
    std::atomic<uint64_t> accepted{0};
    std::atomic<int64_t> open{0};
    std::atomic<uint64_t> handshakesFull{0};
    std::atomic<uint64_t> handshakesResumed{0};
    std::atomic<uint64_t> tls12{0};
    std::atomic<uint64_t> tls13{0};
    std::atomic<uint64_t> bytesFromClients{0};
    std::atomic<uint64_t> bytesFromBackend{0};
    std::array<std::atomic<uint64_t>, static_cast<int>(CloseReason::Count_)> closed{};
    /// Suites by IANA id: a short table, as a policy has at most nine.
    static constexpr int kSuiteSlots = 16;
    std::array<std::atomic<uint32_t>, kSuiteSlots> suiteIds{};
    std::array<std::atomic<uint64_t>, kSuiteSlots> suiteCounts{};

    void add(std::atomic<uint64_t>& counter, uint64_t n = 1)
    {
        counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void countSuite(uint32_t ianaId);
};

/// The sum over all workers at one moment.
struct ProxyStatsSnapshot
{
    uint64_t accepted = 0;
    int64_t open = 0;
    uint64_t handshakesFull = 0;
    uint64_t handshakesResumed = 0;
    uint64_t tls12 = 0;
    uint64_t tls13 = 0;
    uint64_t bytesFromClients = 0;
    uint64_t bytesFromBackend = 0;
    std::array<uint64_t, static_cast<int>(CloseReason::Count_)> closed{};
    QMap<QString, uint64_t> suites; ///< IANA suite name -> handshakes
    uint64_t ticketKeyRotations = 0;
    uint64_t reloads = 0;
    int workers = 0;

    [[nodiscard]] uint64_t closedFor(CloseReason r) const { return closed[static_cast<int>(r)]; }
    /// Prometheus text exposition (format 0.0.4), every family with HELP and TYPE.
    [[nodiscard]] QByteArray toPrometheus() const;
};

} // namespace certdeck::proxy
