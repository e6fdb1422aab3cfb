// SPDX-License-Identifier: GPL-3.0-or-later
#include "Connection.h"

#include "proxy/TlsContextSet.h"
#include "proxy/internal/SharedState.h"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace certdeck::proxy::internal {

namespace {

constexpr uint32_t kEdgeEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
// During a graceful stop, a connection with nothing in flight for this long
// is closed: in TCP mode the proxy cannot see request boundaries.
constexpr int64_t kDrainQuietMs = 1000;

QByteArray peerAddress(const sockaddr_storage& peer)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (peer.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr, text,
                  sizeof text);
    } else if (peer.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr, text,
                  sizeof text);
    }
    return QByteArray(text);
}

} // namespace

Connection::Connection(Worker& worker, int clientFd, const sockaddr_storage& peer,
                       std::shared_ptr<TlsContextSet> contexts, SSL* ssl)
    : m_worker(worker)
    , m_client(clientFd)
    , m_peer(peer)
    , m_contexts(std::move(contexts))
    , m_ssl(ssl)
{
    m_started = m_lastActivity = worker.nowMs();
}

Connection::~Connection()
{
    if (m_client >= 0) {
        ::close(m_client);
    }
    if (m_backend >= 0) {
        ::close(m_backend);
    }
}

void Connection::begin()
{
    epoll_event ev{};
    ev.events = kEdgeEvents;
    ev.data.ptr = &m_clientTarget;
    if (SSL_set_fd(m_ssl.get(), m_client) != 1 ||
        epoll_ctl(m_worker.epollFd(), EPOLL_CTL_ADD, m_client, &ev) != 0) {
        ERR_clear_error();
        close(CloseReason::HandshakeFailed);
        return;
    }
    SSL_set_accept_state(m_ssl.get());
    // The ClientHello is often there already: no need to wait for an event.
    pump();
}

void Connection::onClientEvent(uint32_t events)
{
    if (m_state == State::Closed) {
        return;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
        m_handshakeWants &= ~WantIn;
        m_readWants &= ~WantIn;
        m_writeWants &= ~WantIn;
    }
    if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) {
        m_handshakeWants &= ~WantOut;
        m_readWants &= ~WantOut;
        m_writeWants &= ~WantOut;
    }
    pump();
}

void Connection::onBackendEvent(uint32_t events)
{
    if (m_state == State::Closed) {
        return;
    }
    if (m_state == State::Connecting) {
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) {
            return;
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(m_backend, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            close(CloseReason::BackendDown);
            return;
        }
        m_state = State::Relaying;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
        m_backendReadable = true;
    }
    if ((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
        m_backendPendingEof = true; // its FIN is queued: no further edge will announce it
    }
    if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) {
        m_backendWritable = true;
    }
    pump();
}

void Connection::onTick()
{
    if (m_state == State::Closed) {
        return;
    }
    const ProxyLimits& limits = m_worker.shared().config.limits;
    const int64_t now = m_worker.nowMs();
    if (m_state == State::Handshake) {
        if (now - m_started >= limits.handshakeTimeout.count()) {
            close(CloseReason::HandshakeTimeout);
        }
        return;
    }
    // A backend that never answers the connect (a black hole) gets as long
    // as a client gets for its handshake.
    if (m_state == State::Connecting && now - m_lastActivity >= limits.handshakeTimeout.count()) {
        close(CloseReason::BackendDown);
        return;
    }
    if (now - m_lastActivity >= limits.idleTimeout.count()) {
        close(CloseReason::IdleTimeout);
        return;
    }
    if (m_worker.draining() && m_up.isEmpty() && m_down.isEmpty() &&
        now - m_lastActivity >= kDrainQuietMs) {
        close(CloseReason::Drained);
    }
}

void Connection::abort(CloseReason reason)
{
    if (m_state != State::Closed) {
        close(reason);
    }
}

void Connection::touch()
{
    m_lastActivity = m_worker.nowMs();
}

void Connection::pump()
{
    // An OpenSSL call inside may not re-enter; events only arrive from the loop.
    if (m_inPump) {
        return;
    }
    m_inPump = true;
    if (m_state == State::Handshake) {
        handshake();
    }
    if (m_state == State::Relaying) {
        relay();
    }
    m_inPump = false;
}

bool Connection::sslWouldBlock(int ret, Want* want)
{
    switch (SSL_get_error(m_ssl.get(), ret)) {
    case SSL_ERROR_WANT_READ:
        *want = WantIn;
        return true;
    case SSL_ERROR_WANT_WRITE:
        *want = WantOut;
        return true;
    default:
        ERR_clear_error();
        return false;
    }
}

void Connection::handshake()
{
    if (m_handshakeWants != WantNothing) {
        return;
    }
    const int ret = SSL_do_handshake(m_ssl.get());
    if (ret == 1) {
        WorkerStats& stats = m_worker.stats();
        stats.add(SSL_session_reused(m_ssl.get()) == 1 ? stats.handshakesResumed
                                                       : stats.handshakesFull);
        stats.add(SSL_version(m_ssl.get()) == TLS1_3_VERSION ? stats.tls13 : stats.tls12);
        if (const SSL_CIPHER* cipher = SSL_get_current_cipher(m_ssl.get())) {
            stats.countSuite(SSL_CIPHER_get_protocol_id(cipher));
        }
        touch();
        connectBackend();
        return;
    }
    Want want = WantNothing;
    if (sslWouldBlock(ret, &want)) {
        m_handshakeWants = want;
        return;
    }
    close(CloseReason::HandshakeFailed);
}

void Connection::connectBackend()
{
    const SharedState& shared = m_worker.shared();
    m_backend = ::socket(shared.backend.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_backend < 0) {
        close(CloseReason::BackendDown);
        return;
    }
    const int one = 1;
    setsockopt(m_backend, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const std::size_t bufferBytes = static_cast<std::size_t>(shared.config.limits.relayBufferBytes);
    m_up.allocate(bufferBytes);
    m_down.allocate(bufferBytes);
    if (shared.config.mode == ProxyMode::Http) {
        QByteArray request =
            "X-Forwarded-For: " + peerAddress(m_peer) + "\r\nX-Forwarded-Proto: https\r\n";
        QByteArray response;
        if (!shared.config.hsts.isEmpty()) {
            response = "Strict-Transport-Security: " + shared.config.hsts.toLatin1() + "\r\n";
        }
        const std::size_t maxHead = std::min(
            static_cast<std::size_t>(shared.config.limits.maxHeaderBytes), bufferBytes - 512);
        m_http = std::make_unique<HttpRewriter>(std::move(request), std::move(response), maxHead);
    }
    epoll_event ev{};
    ev.events = kEdgeEvents;
    ev.data.ptr = &m_backendTarget;
    const int rc = ::connect(m_backend, reinterpret_cast<const sockaddr*>(&shared.backend),
                             shared.backendLength);
    if ((rc != 0 && errno != EINPROGRESS) ||
        epoll_ctl(m_worker.epollFd(), EPOLL_CTL_ADD, m_backend, &ev) != 0) {
        close(CloseReason::BackendDown);
        return;
    }
    m_state = State::Connecting;
    if (rc == 0) {
        m_state = State::Relaying;
        m_backendWritable = true;
    }
}

void Connection::relay()
{
    WorkerStats& stats = m_worker.stats();
    bool progress = true;
    while (progress && m_state == State::Relaying) {
        progress = false;

        // Client -> up buffer (stops when full: backpressure on the client).
        if (!m_clientEof && m_readWants == WantNothing && m_up.space() > 0) {
            std::size_t n = 0;
            const int ret = SSL_read_ex(m_ssl.get(), m_up.tail(), m_up.space(), &n);
            if (ret == 1) {
                m_up.commit(n);
                stats.add(stats.bytesFromClients, n);
                progress = true;
                touch();
            } else {
                Want want = WantNothing;
                if (sslWouldBlock(ret, &want)) {
                    m_readWants = want;
                } else if (SSL_get_shutdown(m_ssl.get()) & SSL_RECEIVED_SHUTDOWN) {
                    m_clientEof = true;
                    progress = true;
                } else {
                    close(CloseReason::ClientReset);
                    return;
                }
            }
        }

        // Up buffer -> backend (in HTTP mode only what the rewriter framed).
        std::size_t upReady = m_up.size();
        if (m_http && !m_up.isEmpty()) {
            if (m_http->onRequestBytes(m_up, &upReady) == HttpRewriter::Verdict::Malformed) {
                close(CloseReason::BadRequest);
                return;
            }
        }
        if (upReady > 0 && m_backendWritable) {
            const ssize_t w = ::send(m_backend, m_up.data(), upReady, MSG_NOSIGNAL);
            if (w > 0) {
                m_up.consume(static_cast<std::size_t>(w));
                if (m_http) {
                    m_http->requestSent(static_cast<std::size_t>(w));
                }
                progress = true;
            } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                m_backendWritable = false;
            } else if (w < 0 && errno != EINTR) {
                close(CloseReason::BackendReset);
                return;
            }
        }
        if (m_clientEof && m_up.isEmpty() && !m_backendShutWr) {
            ::shutdown(m_backend, SHUT_WR);
            m_backendShutWr = true;
        }

        // Backend -> down buffer (stops when full: backpressure on the backend).
        if (!m_backendEof && m_backendReadable && m_down.space() > 0) {
            const std::size_t room = m_down.space();
            const ssize_t r = ::recv(m_backend, m_down.tail(), room, 0);
            if (r > 0) {
                // A short read emptied the socket: with edge-triggered events
                // the next byte brings a new event, so no read to see EAGAIN.
                // Not when the FIN came with the data: then nothing new will
                // arrive, and only another read sees the end.
                if (static_cast<std::size_t>(r) < room && !m_backendPendingEof) {
                    m_backendReadable = false;
                }
                m_down.commit(static_cast<std::size_t>(r));
                stats.add(stats.bytesFromBackend, static_cast<uint64_t>(r));
                progress = true;
                touch();
            } else if (r == 0) {
                m_backendEof = true;
                progress = true;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                m_backendReadable = false;
            } else if (errno != EINTR) {
                close(CloseReason::BackendReset);
                return;
            }
        }

        // Down buffer -> client.
        std::size_t downReady = m_down.size();
        if (m_http && !m_down.isEmpty()) {
            if (m_http->onResponseBytes(m_down, &downReady) == HttpRewriter::Verdict::Malformed) {
                close(CloseReason::BackendReset);
                return;
            }
        }
        if (downReady > 0 && m_writeWants == WantNothing) {
            std::size_t n = 0;
            const int ret = SSL_write_ex(m_ssl.get(), m_down.data(), downReady, &n);
            if (ret == 1) {
                m_down.consume(n);
                if (m_http) {
                    m_http->responseSent(n);
                }
                progress = true;
            } else {
                Want want = WantNothing;
                if (sslWouldBlock(ret, &want)) {
                    m_writeWants = want;
                } else {
                    close(CloseReason::ClientReset);
                    return;
                }
            }
        }
    }
    if (m_state != State::Relaying) {
        return;
    }
    // The backend has said all it will: pass on what is left, then close_notify.
    if (m_backendEof && m_down.isEmpty()) {
        finish();
        return;
    }
    if (m_clientEof && m_backendEof) {
        finish();
    }
}

void Connection::finish()
{
    // One close_notify attempt; a client that is gone or slow to take it
    // does not hold the connection open.
    if (SSL_shutdown(m_ssl.get()) < 0) {
        ERR_clear_error();
    }
    closeNormally();
}

void Connection::close(CloseReason reason)
{
    WorkerStats& stats = m_worker.stats();
    stats.add(stats.closed[static_cast<int>(reason)]);
    closeNormally();
}

void Connection::closeNormally()
{
    if (m_state == State::Closed) {
        return;
    }
    m_state = State::Closed;
    // Closing the descriptors removes them from the epoll set; the object is
    // freed after this batch of events.
    ::close(m_client);
    m_client = -1;
    if (m_backend >= 0) {
        ::close(m_backend);
        m_backend = -1;
    }
    m_worker.retire(this);
}

} // namespace certdeck::proxy::internal
