// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServedChainFetcher.h"

#include "common/HostPort.h"
#include "common/OpensslThreadCleanup.h"
#include "crypto/OpenSslError.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace certdeck::crypto {

/// Wakes a worker blocked in poll(): an eventfd in every poll set, written
/// once by cancel() and never drained, so it stays readable.
struct ServedChainFetcher::Wake
{
    Wake()
        : fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
    {}
    ~Wake()
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    Wake(const Wake&) = delete;
    Wake& operator=(const Wake&) = delete;

    void fire()
    {
        if (fired.exchange(true) || fd < 0) {
            return;
        }
        const eventfd_t one = 1;
        // Nothing to do if it fails: the fd is then already readable.
        (void)::eventfd_write(fd, one);
    }

    const int fd;
    std::atomic<bool> fired{false};
};

namespace {

using AddrInfoPtr = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

/// Owns one socket descriptor.
class SocketFd
{
public:
    SocketFd() = default;
    explicit SocketFd(int fd)
        : m_fd(fd)
    {}
    ~SocketFd()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    SocketFd(SocketFd&& o) noexcept
        : m_fd(std::exchange(o.m_fd, -1))
    {}
    SocketFd& operator=(SocketFd&& o) noexcept
    {
        std::swap(m_fd, o.m_fd);
        return *this;
    }
    SocketFd(const SocketFd&) = delete;
    SocketFd& operator=(const SocketFd&) = delete;
    [[nodiscard]] int get() const { return m_fd; }

private:
    int m_fd = -1;
};

enum class Wait
{
    Ready,
    Timeout,
    Cancelled,
    Failed
};

/// Waits for `events` on `fd` until `deadline`, or until `wakeFd` (the
/// cancel eventfd, -1 for none) becomes readable.
Wait waitFd(int fd, short events, const QDeadlineTimer& deadline, int wakeFd)
{
    for (;;) {
        if (deadline.hasExpired()) {
            return Wait::Timeout;
        }
        pollfd p[2] = {{fd, events, 0}, {wakeFd, POLLIN, 0}};
        const nfds_t count = wakeFd >= 0 ? 2 : 1;
        const int rc =
            ::poll(p, count, static_cast<int>(std::min<qint64>(deadline.remainingTime(), 1 << 30)));
        if (rc > 0 && count == 2 && (p[1].revents & POLLIN) != 0) {
            return Wait::Cancelled;
        }
        if (rc > 0) {
            return Wait::Ready;
        }
        if (rc < 0 && errno != EINTR) {
            return Wait::Failed;
        }
    }
}

QString endpointText(const ServedChainFetcher::Options& o)
{
    return o.host.contains(u':') ? QStringLiteral("[%1]:%2").arg(o.host).arg(o.port)
                                 : QStringLiteral("%1:%2").arg(o.host).arg(o.port);
}

QString addressText(const sockaddr* sa)
{
    QHostAddress a(sa);
    return a.toString();
}

Result<SocketFd> connectTcp(const ServedChainFetcher::Options& o, int wakeFd, QString* peer)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    const QByteArray host = o.host.toUtf8();
    const QByteArray port = QByteArray::number(o.port);
    const int gai = ::getaddrinfo(host.constData(), port.constData(), &hints, &raw);
    AddrInfoPtr list(raw, &freeaddrinfo);
    if (gai != 0) {
        return fail(ErrorCode::Network,
                    QStringLiteral("Cannot resolve the host name '%1'").arg(o.host),
                    QString::fromLocal8Bit(::gai_strerror(gai)));
    }
    const QDeadlineTimer deadline(o.connectTimeoutMs);
    Error last{ErrorCode::Network,
               QStringLiteral("No address to connect to for %1").arg(endpointText(o)),
               {}};
    for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        SocketFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                             ai->ai_protocol));
        if (fd.get() < 0) {
            continue;
        }
        const QString addr = addressText(ai->ai_addr);
        int rc = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            switch (waitFd(fd.get(), POLLOUT, deadline, wakeFd)) {
            case Wait::Cancelled:
                return fail(ErrorCode::Cancelled, QStringLiteral("Cancelled"));
            case Wait::Timeout:
                return fail(ErrorCode::Timeout,
                            QStringLiteral("No answer from %1 within %2 s (connect)")
                                .arg(endpointText(o))
                                .arg(o.connectTimeoutMs / 1000.0),
                            addr);
            case Wait::Failed:
            case Wait::Ready:
                break;
            }
            int soError = 0;
            socklen_t len = sizeof soError;
            ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soError, &len);
            rc = soError == 0 ? 0 : -1;
            errno = soError;
        }
        if (rc == 0) {
            *peer = addr;
            return fd;
        }
        const int err = errno;
        last = Error{ErrorCode::Network,
                     err == ECONNREFUSED
                         ? QStringLiteral("Connection refused by %1 (nothing listens on that "
                                          "port)")
                               .arg(endpointText(o))
                         : QStringLiteral("Cannot connect to %1").arg(endpointText(o)),
                     addr + QStringLiteral(": ") + QString::fromLocal8Bit(std::strerror(err))};
    }
    return tl::unexpected(last);
}

/// The handshake failure in plain words, from OpenSSL's reason string.
QString handshakeWords(unsigned long err, const QString& sni)
{
    const char* r = err != 0 ? ERR_reason_error_string(err) : nullptr;
    const QString reason = r != nullptr ? QString::fromUtf8(r) : QString();
    if (reason.contains(u"unrecognized name")) {
        return QStringLiteral("the server does not serve the name '%1' (TLS alert: unrecognized "
                              "name)")
            .arg(sni.isEmpty() ? QStringLiteral("(none sent)") : sni);
    }
    if (reason.contains(u"alert")) {
        const QString alert = reason.section(QStringLiteral("alert "), 1);
        return QStringLiteral("the server refused the handshake (TLS alert: %1)").arg(alert);
    }
    if (reason.contains(u"wrong version number") || reason.contains(u"packet length too long") ||
        reason.contains(u"record layer failure")) {
        return QStringLiteral("the server did not answer with TLS (plain HTTP or another "
                              "protocol on this port?)");
    }
    if (reason.contains(u"unsupported protocol") || reason.contains(u"no protocols available")) {
        return QStringLiteral("no TLS version in common with the server");
    }
    return reason.isEmpty() ? QStringLiteral("unknown TLS error") : reason;
}

Result<ServedChain> fetchServedChain(const ServedChainFetcher::Options& o, int wakeFd)
{
    if (o.host.isEmpty() || o.port == 0) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("A host and a port are needed"));
    }
    ServedChain out;
    auto fd = connectTcp(o, wakeFd, &out.peerAddress);
    if (!fd) {
        return tl::unexpected(fd.error());
    }
    ossl::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot create a TLS context"),
                    ossl::drainErrors());
    }
    // We look at what the server sends, however old or weak: no verification,
    // every protocol and cipher this OpenSSL build still has.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_options(ctx.get(), SSL_OP_LEGACY_SERVER_CONNECT);
    if (SSL_CTX_set_min_proto_version(ctx.get(), 0) != 1 ||
        SSL_CTX_set_cipher_list(ctx.get(), "ALL:@SECLEVEL=0") != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot configure the TLS context"),
                    ossl::drainErrors());
    }
    ossl::SslPtr ssl(SSL_new(ctx.get()));
    if (!ssl || SSL_set_fd(ssl.get(), fd->get()) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot create a TLS connection"),
                    ossl::drainErrors());
    }
    if (!o.noSni) {
        const QString name = !o.sni.isEmpty()                ? o.sni
                             : QHostAddress(o.host).isNull() ? o.host
                                                             : QString();
        if (!name.isEmpty()) {
            QByteArray n = name.toUtf8();
            // SSL_set_tlsext_host_name() spelled out: the macro's C cast
            // trips -Wold-style-cast.
            if (SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                         n.data()) != 1) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("'%1' cannot be sent as a server name").arg(name),
                            ossl::drainErrors());
            }
            out.sni = name;
        }
    }
    const QDeadlineTimer deadline(o.handshakeTimeoutMs);
    for (;;) {
        ERR_clear_error();
        const int rc = SSL_connect(ssl.get());
        if (rc == 1) {
            break;
        }
        const int e = SSL_get_error(ssl.get(), rc);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            switch (
                waitFd(fd->get(), e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, wakeFd)) {
            case Wait::Ready:
                continue;
            case Wait::Cancelled:
                return fail(ErrorCode::Cancelled, QStringLiteral("Cancelled"));
            case Wait::Timeout:
                return fail(ErrorCode::Timeout,
                            QStringLiteral("%1 accepted the connection but did not complete a "
                                           "TLS handshake within %2 s")
                                .arg(endpointText(o))
                                .arg(o.handshakeTimeoutMs / 1000.0));
            case Wait::Failed:
                return fail(ErrorCode::Network,
                            QStringLiteral("Waiting for %1 failed").arg(endpointText(o)),
                            QString::fromLocal8Bit(std::strerror(errno)));
            }
        }
        const unsigned long first = ERR_peek_error();
        const QString detail = ossl::drainErrors();
        if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN || first == 0) {
            return fail(ErrorCode::Protocol,
                        QStringLiteral("TLS handshake with %1 failed: the server closed the "
                                       "connection")
                            .arg(endpointText(o)),
                        detail.isEmpty() && errno != 0
                            ? QString::fromLocal8Bit(std::strerror(errno))
                            : detail);
        }
        return fail(ErrorCode::Protocol,
                    QStringLiteral("TLS handshake with %1 failed: %2")
                        .arg(endpointText(o), handshakeWords(first, out.sni)),
                    detail);
    }
    // On the client side the peer chain includes the leaf, in sent order.
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get());
    for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
        X509* x = sk_X509_value(chain, i);
        if (X509_up_ref(x) == 1) {
            out.certificates << Certificate(ossl::X509Ptr(x));
        }
    }
    out.protocol = QString::fromLatin1(SSL_get_version(ssl.get()));
    const SSL_CIPHER* c = SSL_get_current_cipher(ssl.get());
    out.cipher = c != nullptr ? QString::fromLatin1(SSL_CIPHER_get_name(c)) : QString();
    SSL_shutdown(ssl.get()); // close_notify, not waiting for the server's
    ERR_clear_error();
    if (out.certificates.isEmpty()) {
        return fail(ErrorCode::Protocol,
                    QStringLiteral("%1 completed the handshake without sending a certificate "
                                   "(anonymous or PSK cipher)")
                        .arg(endpointText(o)));
    }
    return out;
}

} // namespace

ServedChainFetcher::ServedChainFetcher(Options options, QObject* parent)
    : ServedChainFetcher(std::move(options), std::make_shared<Wake>(), parent)
{}

ServedChainFetcher::ServedChainFetcher(Options options, std::shared_ptr<Wake> wake, QObject* parent)
    : TypedJob<ServedChain>(
          [options = std::move(options), wake](const JobControl&) -> Result<ServedChain> {
              const certdeck::OpensslThreadCleanup cleanup;
              return fetchServedChain(options, wake->fd);
          },
          parent)
    , m_wake(std::move(wake))
{}

ServedChainFetcher::~ServedChainFetcher()
{
    m_wake->fire(); // nobody reads the result: let the worker go now
}

void ServedChainFetcher::onCancel()
{
    TypedJob<ServedChain>::onCancel();
    m_wake->fire();
}

Result<ServedChain> ServedChainFetcher::fetch(const Options& options)
{
    return fetchServedChain(options, -1);
}

void ServedChainFetcher::fetchAsync(const Options& options, QObject* context,
                                    std::function<void(const Result<ServedChain>&)> done)
{
    // Parented to the context: it dies with it, which cancels the fetch and
    // drops the callback.
    auto* fetcher = new ServedChainFetcher(options, context);
    connect(fetcher, &Operation::finished, context,
            [fetcher, done = std::move(done)](const Status&) {
                done(fetcher->result());
                fetcher->deleteLater();
            });
    fetcher->start();
}

Result<ServedChainFetcher::Options> ServedChainFetcher::parseEndpoint(const QString& endpoint)
{
    // Surrounding blanks come from pasted text; the shared parser refuses
    // any inside.
    auto hp = parseHostPort(endpoint.trimmed(), 443);
    if (!hp) {
        return tl::unexpected(hp.error());
    }
    Options o;
    o.host = hp->host;
    o.port = hp->port;
    return o;
}

} // namespace certdeck::crypto
