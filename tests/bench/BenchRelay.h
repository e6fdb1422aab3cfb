// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHostAddress>
#include <QObject>
#include <atomic>
#include <memory>

class QThread;

namespace certdeck::bench {

/// A TCP relay on loopback addresses that forwards each direction after
/// `delayMs` and counts the connections it accepted: latency without netem
/// (not available here) and an outside count of connections for every tool
/// that goes through it. One relay serves any number of routes (listening
/// address -> upstream address and port) on one event loop. With
/// `ownThread` that loop is a thread of its own, so a client running on the
/// caller's thread (or a blocking wait for a child process) never holds the
/// forwarding up.
class DelayRelay
{
public:
    explicit DelayRelay(int delayMs, bool ownThread = false);
    ~DelayRelay();
    DelayRelay(const DelayRelay&) = delete;
    DelayRelay& operator=(const DelayRelay&) = delete;

    /// Listens on `listenAddress` (a free port) and forwards what arrives to
    /// `upstream`:`upstreamPort`. Returns the port listened on, 0 on failure.
    [[nodiscard]] quint16 addRoute(const QHostAddress& listenAddress, const QHostAddress& upstream,
                                   quint16 upstreamPort);
    /// addRoute() on 127.0.0.1 to 127.0.0.1:upstreamPort.
    [[nodiscard]] quint16 addRoute(quint16 upstreamPort);

    [[nodiscard]] int connections() const { return m_connections->load(); }
    void resetCount() { m_connections->store(0); }
    [[nodiscard]] int delayMs() const { return m_delayMs; }

private:
    int m_delayMs;
    std::shared_ptr<std::atomic<int>> m_connections;
    std::unique_ptr<QThread> m_thread;
    QObject* m_worker = nullptr; // lives on m_thread (or the caller's thread)
};

} // namespace certdeck::bench
