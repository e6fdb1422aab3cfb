// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "proxy/ProxyConfig.h"

#include <QByteArray>
#include <functional>
#include <thread>

namespace certdeck::proxy {

/// A minimal HTTP/1.1 endpoint for Prometheus on its own thread: every GET
/// of /metrics gets `body()` as text/plain; version=0.0.4, anything else a
/// 404. One request per connection, each bounded by a 2-second timeout, so a
/// slow scraper cannot hold it. Kept apart from the proxy's loops so that a
/// scrape never delays a handshake.
class MetricsServer
{
public:
    explicit MetricsServer(std::function<QByteArray()> body);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    [[nodiscard]] Status start(const SocketAddress& listen);
    void stop();
    [[nodiscard]] quint16 port() const { return m_port; }

private:
    void run();
    void serve(int fd);

    std::function<QByteArray()> m_body;
    int m_listener = -1;
    int m_stopFd = -1;
    quint16 m_port = 0;
    std::thread m_thread;
};

} // namespace certdeck::proxy
