// SPDX-License-Identifier: GPL-3.0-or-later
#include "TestBackend.h"

#include <algorithm>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace certdeck::test {

TestBackend::TestBackend(Behaviour behaviour)
    : m_behaviour(behaviour)
{}

TestBackend::~TestBackend()
{
    stop();
}

QByteArray TestBackend::bigBody()
{
    QByteArray body(1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < body.size(); ++i) {
        body[i] = static_cast<char>((i * 7) % 251);
    }
    return body;
}

bool TestBackend::start(quint16 port)
{
    m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(m_listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(m_listener, 1024) != 0) {
        ::close(m_listener);
        m_listener = -1;
        return false;
    }
    socklen_t len = sizeof addr;
    getsockname(m_listener, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_stopFd = eventfd(0, EFD_CLOEXEC);
    m_stopping = false;
    m_acceptThread = std::thread([this] { acceptLoop(); });
    return true;
}

void TestBackend::stop()
{
    if (!m_acceptThread.joinable()) {
        return;
    }
    m_stopping = true;
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_stopFd, &one, sizeof one);
    m_acceptThread.join();
    {
        std::lock_guard lock(m_mutex);
        for (int fd : m_open) {
            ::shutdown(fd, SHUT_RDWR); // wakes the connection's blocked recv()
        }
    }
    for (auto& t : m_threads) {
        t.join();
    }
    m_threads.clear();
    ::close(m_listener);
    ::close(m_stopFd);
    m_listener = m_stopFd = -1;
}

QList<QByteArray> TestBackend::requests() const
{
    std::lock_guard lock(m_mutex);
    return m_requests;
}

void TestBackend::acceptLoop()
{
    while (true) {
        pollfd fds[2] = {{m_listener, POLLIN, 0}, {m_stopFd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 || (fds[1].revents & POLLIN) != 0) {
            return;
        }
        const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        m_connections.fetch_add(1);
        if (m_behaviour == Behaviour::Reset) {
            const linger reset{1, 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
            ::close(fd);
            continue;
        }
        std::lock_guard lock(m_mutex);
        m_open.push_back(fd);
        m_threads.emplace_back([this, fd] { serve(fd); });
    }
}

void TestBackend::serve(int fd)
{
    const auto sendAll = [fd](const QByteArray& data) {
        qsizetype sent = 0;
        while (sent < data.size()) {
            const ssize_t n = ::send(fd, data.constData() + sent,
                                     static_cast<size_t>(data.size() - sent), MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            sent += n;
        }
        return true;
    };
    QByteArray pending;
    char buf[16384];
    bool open = true;
    while (open && !m_stopping) {
        const qsizetype end = pending.indexOf("\r\n\r\n");
        if (end < 0) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                break;
            }
            pending.append(buf, n);
            continue;
        }
        const QByteArray head = pending.left(end + 4);
        pending.remove(0, end + 4);
        {
            std::lock_guard lock(m_mutex);
            m_requests.append(head);
        }
        const QByteArray path = head.split(' ').value(1);
        QByteArray response;
        if (path == "/big") {
            const QByteArray body = bigBody();
            response = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                       "Content-Length: " +
                       QByteArray::number(body.size()) + "\r\n\r\n" + body;
        } else if (path == "/close") {
            response = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbackend closes\n";
            open = false;
        } else {
            const QByteArray body = "backend saw:\n" + head;
            response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                       QByteArray::number(body.size()) + "\r\n\r\n" + body;
        }
        if (!sendAll(response)) {
            break;
        }
    }
    std::lock_guard lock(m_mutex);
    m_open.erase(std::remove(m_open.begin(), m_open.end(), fd), m_open.end());
    ::close(fd);
}

} // namespace certdeck::test
