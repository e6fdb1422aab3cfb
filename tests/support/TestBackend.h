// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace certdeck::test {

/// A plain-HTTP backend for the proxy's tests, on its own threads (tests
/// block in runTool() while the proxy talks to it, so it cannot live on the
/// test's event loop). Listens on a free 127.0.0.1 port.
///
/// Http: answers each request of a keep-alive connection with 200 and a
/// body that echoes the request head ("/big" answers 1 MiB of a fixed
/// pattern, "/close" answers without a length and closes).
/// Reset: accepts and resets each connection at once (SO_LINGER 0).
class TestBackend
{
public:
    enum class Behaviour
    {
        Http,
        Reset,
    };

    explicit TestBackend(Behaviour behaviour = Behaviour::Http);
    ~TestBackend();
    TestBackend(const TestBackend&) = delete;
    TestBackend& operator=(const TestBackend&) = delete;

    /// Listens on `port` (0: a free one). False if it cannot bind.
    [[nodiscard]] bool start(quint16 port = 0);
    void stop();
    [[nodiscard]] quint16 port() const { return m_port; }

    /// Every request head received so far, in order.
    [[nodiscard]] QList<QByteArray> requests() const;
    [[nodiscard]] int connections() const { return m_connections.load(); }

    /// The body /big answers: 1 MiB, byte i = i * 7 mod 251.
    [[nodiscard]] static QByteArray bigBody();

private:
    void acceptLoop();
    void serve(int fd);

    Behaviour m_behaviour;
    int m_listener = -1;
    int m_stopFd = -1;
    quint16 m_port = 0;
    std::thread m_acceptThread;
    mutable std::mutex m_mutex;
    std::vector<std::thread> m_threads;
    std::vector<int> m_open;
    QList<QByteArray> m_requests;
    std::atomic<int> m_connections{0};
    std::atomic<bool> m_stopping{false};
};

} // namespace certdeck::test
