// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "proxy/ProxyConfig.h"
#include "proxy/TicketKeyRing.h"
#include "proxy/TlsContextSet.h"

#include <atomic>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>

namespace certdeck::proxy::internal {

/// What every worker reads: the configuration (fixed while running), the
/// certificate set (swapped whole on reload; workers notice the generation
/// change with one relaxed load per accept) and the global connection count.
struct SharedState
{
    explicit SharedState(ProxyConfig c)
        : config(std::move(c))
        , tickets(config.ticketKeyRotation)
    {}

    ProxyConfig config;
    sockaddr_storage backend{};
    socklen_t backendLength = 0;
    TicketKeyRing tickets;
    std::atomic<std::shared_ptr<TlsContextSet>> contexts;
    std::atomic<uint64_t> generation{0};
    std::atomic<int> open{0};
    std::atomic<uint64_t> reloads{0};
};

} // namespace certdeck::proxy::internal
