// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/internal/TcpConnection.h"

#include <QSocketNotifier>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace certdeck::probe::internal {

namespace {

// Replies we read are capped by ServerReplyParser::kMaxReplyBytes; one recv
// takes what the kernel has, up to this.
constexpr qsizetype kReadChunk = 64 * 1024;

} // namespace

TcpConnection::TcpConnection(QObject* parent)
    : QObject(parent)
{}

TcpConnection::~TcpConnection()
{
    close();
}

bool TcpConnection::connectTo(const QHostAddress& address, quint16 port)
{
    close();
    sockaddr_storage storage{};
    socklen_t len = 0;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = htonl(address.toIPv4Address());
        len = sizeof(sockaddr_in);
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&sin6->sin6_addr, a.c, sizeof(a.c));
        sin6->sin6_scope_id = address.scopeId().toUInt();
        len = sizeof(sockaddr_in6);
    } else {
        m_error = QStringLiteral("\"%1\" is not an IPv4 or IPv6 address").arg(address.toString());
        return false;
    }
    m_fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        m_error = QStringLiteral("socket(): %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    // A ClientHello is one small write that must leave at once.
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    m_readNotifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
    m_writeNotifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Write);
    connect(m_readNotifier.get(), &QSocketNotifier::activated, this, &TcpConnection::onReadable);
    connect(m_writeNotifier.get(), &QSocketNotifier::activated, this, &TcpConnection::onWritable);
    m_readNotifier->setEnabled(false);
    const int rc = ::connect(m_fd, reinterpret_cast<sockaddr*>(&storage), len);
    if (rc != 0 && errno != EINPROGRESS) {
        const int err = errno;
        // Report through the signal, like an asynchronous failure, but from
        // the event loop so the caller's connections are in place.
        QMetaObject::invokeMethod(
            this,
            [this, err] { fail(err == ECONNREFUSED ? Event::Refused : Event::Unreachable, err); },
            Qt::QueuedConnection);
        m_writeNotifier->setEnabled(false);
        return true;
    }
    return true;
}

void TcpConnection::send(const QByteArray& data)
{
    m_pending.append(data);
    if (m_connected) {
        flush();
    }
}

void TcpConnection::close()
{
    m_readNotifier.reset();
    m_writeNotifier.reset();
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    m_connected = false;
}

void TcpConnection::onWritable()
{
    if (!m_connected) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
            err = errno;
        }
        if (err != 0) {
            fail(err == ECONNREFUSED ? Event::Refused : Event::Unreachable, err);
            return;
        }
        m_connected = true;
        m_readNotifier->setEnabled(true);
        emit connected();
        if (m_fd < 0) {
            return; // closed from the slot
        }
    }
    flush();
}

void TcpConnection::flush()
{
    while (!m_pending.isEmpty()) {
        const ssize_t n = ::send(m_fd, m_pending.constData(), static_cast<size_t>(m_pending.size()),
                                 MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            const int err = errno;
            fail(err == ECONNRESET || err == EPIPE ? Event::Reset : Event::Other, err);
            return;
        }
        m_pending.remove(0, n);
    }
    if (m_writeNotifier) {
        m_writeNotifier->setEnabled(!m_pending.isEmpty());
    }
}

void TcpConnection::onReadable()
{
    for (;;) {
        const qsizetype before = m_received.size();
        m_received.resize(before + kReadChunk);
        const ssize_t n = ::recv(m_fd, m_received.data() + before, kReadChunk, 0);
        m_received.resize(before + std::max<ssize_t>(n, 0));
        if (n > 0) {
            emit dataReceived();
            if (m_fd < 0) {
                return; // closed from the slot
            }
            continue;
        }
        if (n == 0) {
            close();
            emit failed(Event::Closed, QStringLiteral("the peer closed the connection"));
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        }
        if (errno == EINTR) {
            continue;
        }
        const int err = errno;
        fail(err == ECONNRESET ? Event::Reset : Event::Other, err);
        return;
    }
}

void TcpConnection::fail(Event event, int err)
{
    close();
    emit failed(event, QString::fromLocal8Bit(std::strerror(err)));
}

} // namespace certdeck::probe::internal
