// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricsServer.h"

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace certdeck::proxy {

MetricsServer::MetricsServer(std::function<QByteArray()> body)
    : m_body(std::move(body))
{}

MetricsServer::~MetricsServer()
{
    stop();
}

Status MetricsServer::start(const SocketAddress& listen)
{
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (listen.address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(listen.port);
        const Q_IPV6ADDR ip = listen.address.toIPv6Address();
        std::memcpy(&a6->sin6_addr, &ip, sizeof ip);
        len = sizeof *a6;
    } else {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
        a4->sin_family = AF_INET;
        a4->sin_port = htons(listen.port);
        a4->sin_addr.s_addr = htonl(listen.address.toIPv4Address());
        len = sizeof *a4;
    }
    m_listener = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (m_listener < 0 || setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(m_listener, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(m_listener, 16) != 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        if (m_listener >= 0) {
            ::close(m_listener);
            m_listener = -1;
        }
        return fail(ErrorCode::Network,
                    QStringLiteral("cannot serve metrics on %1").arg(listen.toString()), why);
    }
    sockaddr_storage bound{};
    socklen_t boundLen = sizeof bound;
    getsockname(m_listener, reinterpret_cast<sockaddr*>(&bound), &boundLen);
    m_port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    m_stopFd = eventfd(0, EFD_CLOEXEC);
    m_thread = std::thread([this] { run(); });
    return {};
}

void MetricsServer::stop()
{
    if (m_thread.joinable()) {
        const uint64_t one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_stopFd, &one, sizeof one);
        m_thread.join();
    }
    for (int* fd : {&m_listener, &m_stopFd}) {
        if (*fd >= 0) {
            ::close(*fd);
            *fd = -1;
        }
    }
}

void MetricsServer::run()
{
    while (true) {
        pollfd fds[2] = {{m_listener, POLLIN, 0}, {m_stopFd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        if ((fds[1].revents & POLLIN) != 0) {
            return;
        }
        if ((fds[0].revents & POLLIN) != 0) {
            const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) {
                serve(fd);
                ::close(fd);
            }
        }
    }
}

void MetricsServer::serve(int fd)
{
    const timeval timeout{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    QByteArray request;
    char buf[2048];
    while (!request.contains("\r\n\r\n") && request.size() < 8192) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            return;
        }
        request.append(buf, n);
    }
    const bool metrics = request.startsWith("GET /metrics ") || request.startsWith("GET /metrics?");
    const QByteArray body = metrics ? m_body() : QByteArray("not found: try /metrics\n");
    QByteArray response = metrics ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                                  : "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) +
                "\r\nConnection: close\r\n\r\n" + body;
    qsizetype sent = 0;
    while (sent < response.size()) {
        const ssize_t n = ::send(fd, response.constData() + sent,
                                 static_cast<size_t>(response.size() - sent), MSG_NOSIGNAL);
        if (n <= 0) {
            return;
        }
        sent += n;
    }
}

} // namespace certdeck::proxy
