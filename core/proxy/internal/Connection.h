// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/OpenSslPtr.h"
#include "proxy/ProxyStats.h"
#include "proxy/internal/HttpRewriter.h"
#include "proxy/internal/RelayBuffer.h"
#include "proxy/internal/Worker.h"

#include <memory>
#include <sys/socket.h>

namespace certdeck::proxy {
class TlsContextSet;
}

namespace certdeck::proxy::internal {

/// One client connection: TLS handshake on the client socket, then a
/// non-blocking connect to the backend, then a relay both ways through two
/// bounded buffers. Every socket is edge-triggered; the connection remembers
/// what each side last said (readable, writable, what OpenSSL wants) and
/// pump() does all it can until every path is blocked.
///
/// OpenSSL calls are retried only after the event they asked for:
/// SSL_ERROR_WANT_READ waits for EPOLLIN on the client socket and
/// SSL_ERROR_WANT_WRITE for EPOLLOUT, whichever call (handshake, read or
/// write) returned it.
class Connection
{
public:
    Connection(Worker& worker, int clientFd, const sockaddr_storage& peer,
               std::shared_ptr<TlsContextSet> contexts, SSL* ssl);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Registers the client socket and starts the handshake.
    void begin();
    void onClientEvent(uint32_t events);
    void onBackendEvent(uint32_t events);
    /// Deadlines (handshake, idle, drain); called by the worker's timer.
    void onTick();
    /// Closes at once (worker stop).
    void abort(CloseReason reason);

    [[nodiscard]] bool isClosed() const { return m_state == State::Closed; }

    Connection* prev = nullptr;
    Connection* next = nullptr;

private:
    enum class State
    {
        Handshake,
        Connecting,
        Relaying,
        Closed,
    };
    enum Want : uint8_t
    {
        WantNothing = 0,
        WantIn = 1,
        WantOut = 2,
    };

    void pump();
    void handshake();
    void connectBackend();
    void relay();
    /// Classifies an OpenSSL failure: true when the call should be retried
    /// after `*want`; false when the connection is over (closed or EOF).
    bool sslWouldBlock(int ret, Want* want);
    void finish();
    void close(CloseReason reason);
    void closeNormally();
    void touch();

    Worker& m_worker;
    int m_client;
    int m_backend = -1;
    sockaddr_storage m_peer;
    std::shared_ptr<TlsContextSet> m_contexts; ///< keeps the contexts of this handshake alive
    ossl::SslPtr m_ssl;
    State m_state = State::Handshake;
    EventTarget m_clientTarget{EventTarget::Kind::Client, this};
    EventTarget m_backendTarget{EventTarget::Kind::Backend, this};
    RelayBuffer m_up;   ///< client -> backend
    RelayBuffer m_down; ///< backend -> client
    std::unique_ptr<HttpRewriter> m_http;
    uint8_t m_handshakeWants = WantNothing;
    uint8_t m_readWants = WantNothing;
    uint8_t m_writeWants = WantNothing;
    bool m_backendReadable = false;
    bool m_backendWritable = false;
    bool m_clientEof = false;
    bool m_backendEof = false;
    bool m_backendPendingEof = false; ///< EPOLLRDHUP seen: the backend's FIN is queued
    bool m_backendShutWr = false;
    bool m_inPump = false;
    int64_t m_started = 0;
    int64_t m_lastActivity = 0;
};

} // namespace certdeck::proxy::internal
