// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "deploy/ssh/SshOptions.h"
#include "deploy/ssh/SshPtr.h"
#include "deploy/ssh/internal/SocketAlarm.h"

#include <QString>
#include <chrono>

namespace certdeck::deploy::internal {

using Deadline = std::chrono::steady_clock::time_point;

/// The start of a step's deadline `ms` from now.
[[nodiscard]] Deadline deadlineIn(int ms);

/// What SshSession and SftpClient share: the libssh session, the alarm that
/// cuts it, and how to name the host in messages.
struct SshLink
{
    sshptr::SessionPtr session;
    SocketAlarm alarm;
    /// "alias (user@host:port)", or "host:port" when no alias was used.
    QString label;
    SshTimeouts timeouts;
    /// Authenticated and not cut since.
    bool connected = false;

    /// Waits until libssh can make progress on the socket (what it wants to
    /// read or write), the deadline passes, or the socket is shut down. For
    /// the non-blocking steps (connect, auth, exec).
    [[nodiscard]] Status waitSocket(Deadline deadline, const QString& step, int timeoutMs);

    /// `step` names what was done and where, for messages: "the command
    /// `nginx -t` on web1 (deploy@10.0.0.5:22)".
    /// The Error for a libssh call that failed during `step`: a timeout or
    /// cancel if the alarm fired (the connection is then gone), else `code`
    /// with libssh's own words as the detail.
    [[nodiscard]] Error failure(const QString& step, int timeoutMs,
                                ErrorCode code = ErrorCode::Network);
    [[nodiscard]] Error timedOut(const QString& step, int timeoutMs);
    [[nodiscard]] Error cancelled(const QString& step) const;
    /// libssh's last error text for this session.
    [[nodiscard]] QString libsshError() const;
    /// Forgets the connection after a fault that may have left it unusable.
    void markBroken();
};

/// "SHA256:" + unpadded base64 of the key's SHA-256 (OpenSSH's format);
/// empty on failure.
[[nodiscard]] QString fingerprintSha256(ssh_key key);

/// The SFTP status code in plain words ("no such file").
[[nodiscard]] QString sftpStatusText(int status);

} // namespace certdeck::deploy::internal
