// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "deploy/ssh/SshPtr.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <functional>
#include <optional>

namespace certdeck::deploy {

namespace internal {
struct SshLink;
} // namespace internal

class SshSession;

/// What SFTP says about a remote path.
struct RemoteFileInfo
{
    enum class Type
    {
        Regular,
        Directory,
        Symlink,
        Other,
    };
    QString path;
    Type type = Type::Other;
    /// Permission bits only (07777), as chmod takes them.
    quint32 mode = 0;
    quint32 uid = 0;
    quint32 gid = 0;
    quint64 size = 0;
    QDateTime modified;
};

/// How SftpClient::writeFile() leaves the file. Unset fields keep what the
/// file had when it existed; a new file gets 0644 and the login user.
struct RemoteWriteOptions
{
    std::optional<quint32> mode;
    std::optional<quint32> uid;
    std::optional<quint32> gid;
};

/// The SFTP subsystem of one SshSession (SshSession::sftp()), acting as the
/// login user. Every call blocks up to SshTimeouts::sftpMs; a call that
/// times out or is cancelled ends the whole connection (libssh 0.10's SFTP
/// can only be interrupted by shutting the socket down). Errors name the
/// host, the path and the SFTP status in plain words; "no such file" is
/// ErrorCode::NotFound, "permission denied" PermissionDenied.
///
/// File contents are never logged.
class SftpClient
{
public:
    ~SftpClient();
    SftpClient(const SftpClient&) = delete;
    SftpClient& operator=(const SftpClient&) = delete;

    /// The whole file; refused when larger than `maxBytes`.
    [[nodiscard]] Result<QByteArray> readFile(const QString& path,
                                              qint64 maxBytes = 16 * 1024 * 1024);
    /// Replaces (or creates) `path` so that readers see the old or the new
    /// content, never a part: written to a temporary file next to it
    /// (".NAME.certdeck-XXXXXXXX", created 0600 with O_EXCL, fsync'd when the
    /// server offers fsync@openssh.com), given its final mode and owner, then
    /// renamed over the target. libssh 0.10 has no POSIX rename, so an
    /// existing target is replaced by a remote `mv -f` (rename(2)); a new one
    /// by SFTP rename. A symlink target is followed: the file it points to is
    /// replaced and the link kept. The temporary file is removed on failure.
    [[nodiscard]] Status writeFile(const QString& path, const QByteArray& data,
                                   const RemoteWriteOptions& options = {});
    /// Follows symlinks.
    [[nodiscard]] Result<RemoteFileInfo> stat(const QString& path);
    /// Does not follow symlinks.
    [[nodiscard]] Result<RemoteFileInfo> lstat(const QString& path);
    /// Whether `path` exists (a dangling symlink does not); errors other
    /// than "no such file" are errors.
    [[nodiscard]] Result<bool> exists(const QString& path);
    [[nodiscard]] Status chmod(const QString& path, quint32 mode);
    /// Numeric; only root may give a file away.
    [[nodiscard]] Status chown(const QString& path, quint32 uid, quint32 gid);
    /// SFTP rename: fails when `to` exists (SFTP version 3).
    [[nodiscard]] Status rename(const QString& from, const QString& to);
    /// rename(2) through a remote `mv -f`: atomically replaces `to`.
    [[nodiscard]] Status replace(const QString& from, const QString& to);
    [[nodiscard]] Status remove(const QString& path);
    [[nodiscard]] Status removeDirectory(const QString& path);
    /// The server's umask applies (sshd's is usually 022): chmod after when
    /// the mode matters.
    [[nodiscard]] Status mkdir(const QString& path, quint32 mode = 0700);
    /// The absolute path with symlinks resolved (realpath on the server).
    [[nodiscard]] Result<QString> canonicalPath(const QString& path);

private:
    friend class SshSession;
    SftpClient(SshSession& owner, internal::SshLink& link);

    [[nodiscard]] Status open();
    /// Runs `call` with the session in blocking mode and the alarm armed.
    [[nodiscard]] Status blocking(const QString& step, const std::function<Status()>& call);
    [[nodiscard]] Error error(const QString& verb, const QString& path);
    [[nodiscard]] Result<RemoteFileInfo> statWith(const QString& path, bool follow);
    [[nodiscard]] Status writeTemporary(const QString& temporary, const QByteArray& data);

    SshSession& m_owner;
    internal::SshLink& m_link;
    sshptr::SftpSessionPtr m_sftp;
};

} // namespace certdeck::deploy
