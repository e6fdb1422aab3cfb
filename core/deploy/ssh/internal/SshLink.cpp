// SPDX-License-Identifier: GPL-3.0-or-later
#include "deploy/ssh/internal/SshLink.h"

#include <algorithm>
#include <cerrno>
#include <poll.h>

namespace certdeck::deploy::internal {

namespace {

QString seconds(int ms)
{
    return ms % 1000 == 0 ? QString::number(ms / 1000) : QString::number(ms / 1000.0, 'f', 1);
}

} // namespace

Deadline deadlineIn(int ms)
{
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(ms, 1));
}

Status SshLink::waitSocket(Deadline deadline, const QString& step, int timeoutMs)
{
    const int fd = ssh_get_fd(session.get());
    if (fd < 0) {
        return tl::unexpected(failure(step, timeoutMs));
    }
    for (;;) {
        if (alarm.reason() == AbortReason::Cancelled) {
            return tl::unexpected(cancelled(step));
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return tl::unexpected(timedOut(step, timeoutMs));
        }
        pollfd p{};
        p.fd = fd;
        p.events = POLLIN;
        if ((ssh_get_poll_flags(session.get()) & SSH_WRITE_PENDING) != 0) {
            p.events |= POLLOUT;
        }
        // The cap only bounds how long a wake that libssh would not report
        // through the socket can go unseen; every real event wakes poll().
        const int rc = ::poll(&p, 1, static_cast<int>(std::min<qint64>(left.count(), 1000)));
        if (rc < 0 && errno == EINTR) {
            continue;
        }
        if (rc < 0) {
            return tl::unexpected(failure(step, timeoutMs));
        }
        if (alarm.reason() == AbortReason::Cancelled) {
            return tl::unexpected(cancelled(step));
        }
        // Readable, writable, hung up, or a cap: let libssh look.
        return {};
    }
}

Error SshLink::failure(const QString& step, int timeoutMs, ErrorCode code)
{
    switch (alarm.reason()) {
    case AbortReason::Timeout:
        return timedOut(step, timeoutMs);
    case AbortReason::Cancelled:
        return cancelled(step);
    case AbortReason::None:
        break;
    }
    if (ssh_is_connected(session.get()) == 0) {
        markBroken();
    }
    const QString detail = libsshError();
    return Error{code, QStringLiteral("%1 failed").arg(step),
                 detail.isEmpty() ? QStringLiteral("the connection was closed") : detail};
}

Error SshLink::timedOut(const QString& step, int timeoutMs)
{
    return Error{ErrorCode::Timeout,
                 QStringLiteral("%1 did not finish within %2 s").arg(step, seconds(timeoutMs)),
                 {}};
}

Error SshLink::cancelled(const QString& step) const
{
    return Error{ErrorCode::Cancelled, QStringLiteral("%1 was cancelled").arg(step), {}};
}

QString SshLink::libsshError() const
{
    if (!session) {
        return {};
    }
    return QString::fromUtf8(ssh_get_error(session.get()));
}

void SshLink::markBroken()
{
    connected = false;
}

QString fingerprintSha256(ssh_key key)
{
    unsigned char* raw = nullptr;
    size_t length = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &raw, &length) != SSH_OK ||
        raw == nullptr) {
        return {};
    }
    const sshptr::HashPtr hash(raw);
    const QByteArray digest(reinterpret_cast<const char*>(hash.get()),
                            static_cast<qsizetype>(length));
    return QStringLiteral("SHA256:") +
           QString::fromLatin1(digest.toBase64(QByteArray::OmitTrailingEquals));
}

QString sftpStatusText(int status)
{
    switch (status) {
    case SSH_FX_OK:
        return QStringLiteral("no error");
    case SSH_FX_EOF:
        return QStringLiteral("end of file");
    case SSH_FX_NO_SUCH_FILE:
        return QStringLiteral("no such file");
    case SSH_FX_PERMISSION_DENIED:
        return QStringLiteral("permission denied");
    case SSH_FX_FAILURE:
        return QStringLiteral("the server's operation failed");
    case SSH_FX_BAD_MESSAGE:
        return QStringLiteral("the server did not understand the request");
    case SSH_FX_NO_CONNECTION:
        return QStringLiteral("no connection");
    case SSH_FX_CONNECTION_LOST:
        return QStringLiteral("connection lost");
    case SSH_FX_OP_UNSUPPORTED:
        return QStringLiteral("the server does not support this operation");
    case SSH_FX_INVALID_HANDLE:
        return QStringLiteral("invalid file handle");
    case SSH_FX_NO_SUCH_PATH:
        return QStringLiteral("no such path");
    case SSH_FX_FILE_ALREADY_EXISTS:
        return QStringLiteral("the file already exists");
    case SSH_FX_WRITE_PROTECT:
        return QStringLiteral("the file system is read-only");
    case SSH_FX_NO_MEDIA:
        return QStringLiteral("no medium");
    default:
        return QStringLiteral("SFTP status %1").arg(status);
    }
}

} // namespace certdeck::deploy::internal
