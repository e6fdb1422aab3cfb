// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "proxy/ProxyStats.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace certdeck::proxy {
class TlsContextSet;
}

namespace certdeck::proxy::internal {

class Connection;
struct SharedState;

/// What an epoll registration points at.
struct EventTarget
{
    enum class Kind : uint8_t
    {
        Listener,
        Wakeup,
        Timer,
        Client,
        Backend,
    };
    Kind kind;
    Connection* connection = nullptr;
};

/// One event loop on one thread: its own SO_REUSEPORT listener (the kernel
/// spreads new connections over the workers), its connections, a timer for
/// the deadlines and an eventfd through which the Proxy asks it to stop. No
/// lock is taken on its path: it shares only atomics with other threads.
class Worker
{
public:
    Worker(int index, SharedState& shared, WorkerStats& stats);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    /// Binds its listener to the configured address and `port` (0: any free
    /// port, which *boundPort then names) before the thread starts, so a
    /// taken port is an error of Proxy::start().
    [[nodiscard]] Status open(uint16_t port, uint16_t* boundPort);
    void start();
    /// Stops accepting; with `drain` the open connections may finish until
    /// the drain timeout, else they are closed at once. Thread-safe.
    void requestStop(bool drain);
    void join();

    // For Connection:
    [[nodiscard]] int epollFd() const { return m_epoll; }
    [[nodiscard]] int64_t nowMs() const { return m_nowMs; }
    [[nodiscard]] SharedState& shared() { return m_shared; }
    [[nodiscard]] WorkerStats& stats() { return m_stats; }
    [[nodiscard]] bool draining() const { return m_draining; }
    /// Called by a connection that has closed: freed after this batch of
    /// events, as later events of the same batch may still name it.
    void retire(Connection* c);

private:
    void run();
    void acceptAll();
    void onTimer();
    void onWakeup();
    void updateClock();
    void freeRetired();
    void closeListener();

    int m_index;
    SharedState& m_shared;
    WorkerStats& m_stats;
    int m_epoll = -1;
    int m_listener = -1;
    int m_wakeup = -1;
    int m_timer = -1;
    EventTarget m_listenerTarget{EventTarget::Kind::Listener};
    EventTarget m_wakeupTarget{EventTarget::Kind::Wakeup};
    EventTarget m_timerTarget{EventTarget::Kind::Timer};
    std::thread m_thread;
    int64_t m_nowMs = 0;
    std::atomic<int> m_stopRequest{0}; ///< 0 none, 1 drain, 2 now
    bool m_draining = false;
    int64_t m_drainDeadline = 0;
    Connection* m_head = nullptr; ///< intrusive list of live connections
    std::vector<Connection*> m_retired;
    std::shared_ptr<TlsContextSet> m_contexts;
    uint64_t m_generation = ~uint64_t{0};

    friend class Connection;
};

} // namespace certdeck::proxy::internal
