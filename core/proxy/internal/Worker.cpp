// SPDX-License-Identifier: GPL-3.0-or-later
#include "Worker.h"

#include "proxy/TlsContextSet.h"
#include "proxy/internal/Connection.h"
#include "proxy/internal/SharedState.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace certdeck::proxy::internal {

namespace {

constexpr int kMaxEvents = 256;
constexpr int kAcceptBatch = 64; // then serve the connections already open
constexpr long kTickNs = 250L * 1000 * 1000;

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

} // namespace

Worker::Worker(int index, SharedState& shared, WorkerStats& stats)
    : m_index(index)
    , m_shared(shared)
    , m_stats(stats)
{}

Worker::~Worker()
{
    if (m_thread.joinable()) {
        requestStop(false);
        m_thread.join();
    }
    while (m_head != nullptr) {
        Connection* c = m_head;
        m_head = c->next;
        delete c;
    }
    freeRetired();
    for (int fd : {m_listener, m_wakeup, m_timer, m_epoll}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
}

Status Worker::open(uint16_t port, uint16_t* boundPort)
{
    const SocketAddress& listen = m_shared.config.listen;
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (listen.address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        const Q_IPV6ADDR ip = listen.address.toIPv6Address();
        std::memcpy(&a6->sin6_addr, &ip, sizeof ip);
        len = sizeof *a6;
    } else {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        a4->sin_addr.s_addr = htonl(listen.address.toIPv4Address());
        len = sizeof *a4;
    }
    m_listener = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (m_listener < 0 || setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(m_listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        return fail(ErrorCode::Network, QStringLiteral("cannot make a listening socket"),
                    errnoText());
    }
    if (::bind(m_listener, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
        return fail(ErrorCode::Network,
                    QStringLiteral("cannot listen on %1")
                        .arg(SocketAddress{listen.address, port}.toString()),
                    errnoText());
    }
    if (::listen(m_listener, 4096) != 0) {
        return fail(ErrorCode::Network, QStringLiteral("listen() failed"), errnoText());
    }
    sockaddr_storage bound{};
    socklen_t boundLen = sizeof bound;
    getsockname(m_listener, reinterpret_cast<sockaddr*>(&bound), &boundLen);
    *boundPort =
        ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                          : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wakeup = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_epoll < 0 || m_wakeup < 0 || m_timer < 0) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot make the event loop"), errnoText());
    }
    const itimerspec tick{{0, kTickNs}, {0, kTickNs}};
    timerfd_settime(m_timer, 0, &tick, nullptr);
    const std::pair<int, EventTarget*> regs[] = {
        {m_listener, &m_listenerTarget}, {m_wakeup, &m_wakeupTarget}, {m_timer, &m_timerTarget}};
    for (const auto& [fd, target] : regs) {
        epoll_event ev{};
        ev.events = EPOLLIN; // level-triggered: an unfinished accept batch comes back
        ev.data.ptr = target;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
            return fail(ErrorCode::Internal, QStringLiteral("epoll_ctl failed"), errnoText());
        }
    }
    return {};
}

void Worker::start()
{
    m_thread = std::thread([this] { run(); });
    if (m_shared.config.pinWorkers) {
        const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(static_cast<int>(m_index % (cpus > 0 ? cpus : 1)), &set);
        pthread_setaffinity_np(m_thread.native_handle(), sizeof set, &set);
    }
    pthread_setname_np(m_thread.native_handle(),
                       QByteArray("proxy-w" + QByteArray::number(m_index)).constData());
}

void Worker::requestStop(bool drain)
{
    int expected = 0;
    const int want = drain ? 1 : 2;
    if (!m_stopRequest.compare_exchange_strong(expected, want) && !drain) {
        m_stopRequest.store(2);
    }
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_wakeup, &one, sizeof one);
}

void Worker::join()
{
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void Worker::updateClock()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    m_nowMs = static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void Worker::retire(Connection* c)
{
    if (c->prev != nullptr) {
        c->prev->next = c->next;
    } else if (m_head == c) {
        m_head = c->next;
    }
    if (c->next != nullptr) {
        c->next->prev = c->prev;
    }
    c->prev = c->next = nullptr;
    m_retired.push_back(c);
    m_stats.open.fetch_sub(1, std::memory_order_relaxed);
    m_shared.open.fetch_sub(1, std::memory_order_relaxed);
}

void Worker::freeRetired()
{
    for (Connection* c : m_retired) {
        delete c;
    }
    m_retired.clear();
}

void Worker::closeListener()
{
    if (m_listener >= 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, m_listener, nullptr);
        ::close(m_listener);
        m_listener = -1;
    }
}

void Worker::run()
{
    epoll_event events[kMaxEvents];
    updateClock();
    while (true) {
        const int n = epoll_wait(m_epoll, events, kMaxEvents, -1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        updateClock();
        for (int i = 0; i < n; ++i) {
            const auto* target = static_cast<const EventTarget*>(events[i].data.ptr);
            switch (target->kind) {
            case EventTarget::Kind::Listener:
                acceptAll();
                break;
            case EventTarget::Kind::Wakeup:
                onWakeup();
                break;
            case EventTarget::Kind::Timer:
                onTimer();
                break;
            case EventTarget::Kind::Client:
                target->connection->onClientEvent(events[i].events);
                break;
            case EventTarget::Kind::Backend:
                target->connection->onBackendEvent(events[i].events);
                break;
            }
        }
        freeRetired();
        if (m_stopRequest.load(std::memory_order_relaxed) == 2 ||
            (m_draining && m_head == nullptr)) {
            break;
        }
    }
    while (m_head != nullptr) {
        m_head->abort(CloseReason::Drained);
    }
    freeRetired();
    closeListener();
}

void Worker::onWakeup()
{
    uint64_t value = 0;
    [[maybe_unused]] const ssize_t n = ::read(m_wakeup, &value, sizeof value);
    const int request = m_stopRequest.load();
    if (request == 0 || m_draining) {
        return;
    }
    closeListener();
    m_draining = true;
    m_drainDeadline = m_nowMs + m_shared.config.limits.drainTimeout.count();
}

void Worker::onTimer()
{
    uint64_t expirations = 0;
    [[maybe_unused]] const ssize_t n = ::read(m_timer, &expirations, sizeof expirations);
    if (m_index == 0) {
        m_shared.tickets.rotateIfDue(std::chrono::steady_clock::now());
    }
    const bool pastDeadline = m_draining && m_nowMs >= m_drainDeadline;
    for (Connection* c = m_head; c != nullptr;) {
        Connection* next = c->next;
        if (pastDeadline) {
            c->abort(CloseReason::Drained);
        } else {
            c->onTick();
        }
        c = next;
    }
}

void Worker::acceptAll()
{
    const int limit = m_shared.config.limits.maxConnections;
    for (int i = 0; i < kAcceptBatch && m_listener >= 0; ++i) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        const int fd = ::accept4(m_listener, reinterpret_cast<sockaddr*>(&peer), &len,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            // EAGAIN: all taken. EMFILE/ENFILE: out of descriptors; the
            // listener stays readable and the timer's closes make room.
            return;
        }
        m_stats.add(m_stats.accepted);
        if (m_shared.open.load(std::memory_order_relaxed) >= limit) {
            m_stats.add(m_stats.closed[static_cast<int>(CloseReason::ConnectionLimit)]);
            ::close(fd);
            continue;
        }
        const uint64_t generation = m_shared.generation.load(std::memory_order_acquire);
        if (generation != m_generation) {
            m_contexts = m_shared.contexts.load();
            m_generation = generation;
        }
        SSL* ssl = m_contexts ? m_contexts->newSsl() : nullptr;
        if (ssl == nullptr) {
            ERR_clear_error();
            m_stats.add(m_stats.closed[static_cast<int>(CloseReason::HandshakeFailed)]);
            ::close(fd);
            continue;
        }
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto* c = new Connection(*this, fd, peer, m_contexts, ssl);
        c->next = m_head;
        if (m_head != nullptr) {
            m_head->prev = c;
        }
        m_head = c;
        m_stats.open.fetch_add(1, std::memory_order_relaxed);
        m_shared.open.fetch_add(1, std::memory_order_relaxed);
        c->begin();
    }
}

} // namespace certdeck::proxy::internal
