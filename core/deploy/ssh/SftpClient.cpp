// SPDX-License-Identifier: GPL-3.0-or-later
#include "deploy/ssh/SftpClient.h"

#include "deploy/internal/Log.h"
#include "deploy/ssh/RemoteShell.h"
#include "deploy/ssh/SshSession.h"
#include "deploy/ssh/internal/SshLink.h"

#include <QRandomGenerator>
#include <fcntl.h>

namespace certdeck::deploy {

namespace {

constexpr quint32 kTypeMask = 0170000;
constexpr quint32 kRegular = 0100000;
constexpr quint32 kDirectory = 0040000;
constexpr quint32 kSymlink = 0120000;
constexpr qsizetype kChunk = 32768;

RemoteFileInfo infoFrom(const QString& path, const sftp_attributes_struct& attributes)
{
    RemoteFileInfo info;
    info.path = path;
    const quint32 type = attributes.permissions & kTypeMask;
    info.type = type == kRegular     ? RemoteFileInfo::Type::Regular
                : type == kDirectory ? RemoteFileInfo::Type::Directory
                : type == kSymlink   ? RemoteFileInfo::Type::Symlink
                                     : RemoteFileInfo::Type::Other;
    info.mode = attributes.permissions & 07777;
    info.uid = attributes.uid;
    info.gid = attributes.gid;
    info.size = attributes.size;
    const quint64 mtime = attributes.mtime64 != 0 ? attributes.mtime64 : attributes.mtime;
    info.modified = QDateTime::fromSecsSinceEpoch(static_cast<qint64>(mtime), Qt::UTC);
    return info;
}

QString octal(quint32 mode)
{
    return QStringLiteral("%1").arg(mode, 4, 8, QLatin1Char('0'));
}

} // namespace

SftpClient::SftpClient(SshSession& owner, internal::SshLink& link)
    : m_owner(owner)
    , m_link(link)
{}

SftpClient::~SftpClient()
{
    if (m_sftp && m_link.session) {
        // Freeing closes the channel; it must not wait on a dead peer.
        ssh_set_blocking(m_link.session.get(), 0);
    }
}

Status SftpClient::blocking(const QString& step, const std::function<Status()>& call)
{
    const int ms = m_link.timeouts.sftpMs;
    if (!m_owner.isConnected()) {
        if (m_link.alarm.reason() == internal::AbortReason::Cancelled) {
            return tl::unexpected(m_link.cancelled(step));
        }
        return fail(ErrorCode::Network, QStringLiteral("%1: not connected").arg(step));
    }
    ssh_session s = m_link.session.get();
    ssh_set_blocking(s, 1);
    m_link.alarm.arm(internal::deadlineIn(ms));
    Status status = call();
    m_link.alarm.disarm();
    ssh_set_blocking(s, 0);
    if (m_link.alarm.reason() != internal::AbortReason::None) {
        m_link.markBroken();
        if (!status && status.error().code != ErrorCode::Timeout &&
            status.error().code != ErrorCode::Cancelled) {
            return tl::unexpected(m_link.failure(step, ms));
        }
    }
    return status;
}

Error SftpClient::error(const QString& verb, const QString& path)
{
    const int ms = m_link.timeouts.sftpMs;
    const QString step = QStringLiteral("%1 %2 on %3").arg(verb, path, m_link.label);
    if (m_link.alarm.reason() != internal::AbortReason::None) {
        return m_link.failure(step, ms);
    }
    const int status = m_sftp ? sftp_get_error(m_sftp.get()) : SSH_FX_NO_CONNECTION;
    if (status == SSH_FX_OK || status == SSH_FX_NO_CONNECTION || status == SSH_FX_CONNECTION_LOST ||
        ssh_is_connected(m_link.session.get()) == 0) {
        return m_link.failure(step, ms);
    }
    ErrorCode code = ErrorCode::Io;
    switch (status) {
    case SSH_FX_NO_SUCH_FILE:
    case SSH_FX_NO_SUCH_PATH:
        code = ErrorCode::NotFound;
        break;
    case SSH_FX_PERMISSION_DENIED:
    case SSH_FX_WRITE_PROTECT:
        code = ErrorCode::PermissionDenied;
        break;
    case SSH_FX_FILE_ALREADY_EXISTS:
        code = ErrorCode::Conflict;
        break;
    case SSH_FX_OP_UNSUPPORTED:
        code = ErrorCode::Unsupported;
        break;
    default:
        break;
    }
    return Error{code, QStringLiteral("%1: %2").arg(step, internal::sftpStatusText(status)),
                 QStringLiteral("SFTP status %1").arg(status)};
}

Status SftpClient::open()
{
    const QString step = QStringLiteral("opening SFTP on %1").arg(m_link.label);
    return blocking(step, [&]() -> Status {
        m_sftp.reset(sftp_new(m_link.session.get()));
        if (!m_sftp) {
            return tl::unexpected(m_link.failure(step, m_link.timeouts.sftpMs));
        }
        if (sftp_init(m_sftp.get()) != SSH_OK) {
            Error e = m_link.failure(step, m_link.timeouts.sftpMs);
            if (e.code == ErrorCode::Network) {
                e.message += QStringLiteral(" (is the sftp subsystem enabled in sshd_config?)");
            }
            m_sftp.reset();
            return tl::unexpected(e);
        }
        return {};
    });
}

Result<QByteArray> SftpClient::readFile(const QString& path, qint64 maxBytes)
{
    QByteArray data;
    const QString step = QStringLiteral("reading %1 on %2").arg(path, m_link.label);
    const Status status = blocking(step, [&]() -> Status {
        const QByteArray name = path.toUtf8();
        const sshptr::SftpFilePtr file(sftp_open(m_sftp.get(), name.constData(), O_RDONLY, 0));
        if (!file) {
            return tl::unexpected(error(QStringLiteral("reading"), path));
        }
        const sshptr::SftpAttributesPtr attributes(sftp_fstat(file.get()));
        const auto tooLarge = [&](quint64 size) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: the file has %2 bytes, more than the %3 allowed")
                            .arg(step)
                            .arg(size)
                            .arg(maxBytes));
        };
        if (attributes && attributes->size > static_cast<quint64>(maxBytes)) {
            return tooLarge(attributes->size);
        }
        char buffer[kChunk];
        for (;;) {
            const ssize_t n = sftp_read(file.get(), buffer, sizeof buffer);
            if (n < 0) {
                return tl::unexpected(error(QStringLiteral("reading"), path));
            }
            if (n == 0) {
                break;
            }
            if (data.size() + n > maxBytes) {
                // It grew while being read.
                return tooLarge(static_cast<quint64>(data.size() + n));
            }
            data.append(buffer, static_cast<qsizetype>(n));
        }
        return {};
    });
    if (!status) {
        return tl::unexpected(status.error());
    }
    return data;
}

Status SftpClient::writeTemporary(const QString& temporary, const QByteArray& data)
{
    return blocking(
        QStringLiteral("writing %1 on %2").arg(temporary, m_link.label), [&]() -> Status {
            const QByteArray name = temporary.toUtf8();
            // 0600 and O_EXCL: nobody else reads the new content
            // before its final mode is set, and an existing file
            // (or a planted symlink) is never written through.
            sshptr::SftpFilePtr file(
                sftp_open(m_sftp.get(), name.constData(), O_WRONLY | O_CREAT | O_EXCL, 0600));
            if (!file) {
                return tl::unexpected(error(QStringLiteral("creating"), temporary));
            }
            qsizetype written = 0;
            while (written < data.size()) {
                const qsizetype chunk = std::min(data.size() - written, kChunk);
                const ssize_t n =
                    sftp_write(file.get(), data.constData() + written, static_cast<size_t>(chunk));
                if (n <= 0) {
                    return tl::unexpected(error(QStringLiteral("writing"), temporary));
                }
                written += n;
            }
            if (sftp_extension_supported(m_sftp.get(), "fsync@openssh.com", "1") != 0 &&
                sftp_fsync(file.get()) != 0) {
                return tl::unexpected(error(QStringLiteral("syncing"), temporary));
            }
            if (sftp_close(file.release()) != SSH_NO_ERROR) {
                return tl::unexpected(error(QStringLiteral("closing"), temporary));
            }
            return {};
        });
}

Status SftpClient::writeFile(const QString& path, const QByteArray& data,
                             const RemoteWriteOptions& options)
{
    if (!path.startsWith(u'/')) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("the remote path \"%1\" on %2 is not absolute").arg(path, m_link.label));
    }
    QString target = path;
    std::optional<RemoteFileInfo> existing;
    if (Result<RemoteFileInfo> link = lstat(path); link) {
        if (link->type == RemoteFileInfo::Type::Symlink) {
            Result<QString> real = canonicalPath(path);
            if (!real) {
                return tl::unexpected(real.error());
            }
            target = *real;
            Result<RemoteFileInfo> pointed = stat(target);
            if (!pointed) {
                return tl::unexpected(pointed.error());
            }
            existing = *pointed;
        } else {
            existing = *link;
        }
        if (existing->type != RemoteFileInfo::Type::Regular) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("%1 on %2 exists and is no regular file").arg(target, m_link.label));
        }
    } else if (link.error().code != ErrorCode::NotFound) {
        return tl::unexpected(link.error());
    }

    const quint32 mode = options.mode.value_or(existing ? existing->mode : 0644);
    // Plain values rather than optionals: GCC 12 misreads the latter as
    // maybe-uninitialised here.
    const bool setUid = options.uid.has_value() || existing.has_value();
    const bool setGid = options.gid.has_value() || existing.has_value();
    const quint32 uidValue = options.uid.value_or(existing ? existing->uid : 0);
    const quint32 gidValue = options.gid.value_or(existing ? existing->gid : 0);
    const qsizetype slash = target.lastIndexOf(u'/');
    const QString temporary =
        QStringLiteral("%1/.%2.certdeck-%3")
            .arg(target.left(slash), target.mid(slash + 1))
            .arg(QRandomGenerator::system()->generate(), 8, 16, QLatin1Char('0'));

    if (Status written = writeTemporary(temporary, data); !written) {
        (void)remove(temporary);
        return written;
    }
    const auto abandon = [&](const Error& e) -> Status {
        if (m_owner.isConnected()) {
            (void)remove(temporary);
        }
        return tl::unexpected(e);
    };
    if (Status changed = chmod(temporary, mode); !changed) {
        return abandon(changed.error());
    }
    if (setUid || setGid) {
        Result<RemoteFileInfo> now = stat(temporary);
        if (!now) {
            return abandon(now.error());
        }
        const quint32 wantUid = setUid ? uidValue : now->uid;
        const quint32 wantGid = setGid ? gidValue : now->gid;
        if (now->uid != wantUid || now->gid != wantGid) {
            if (Status owned = chown(temporary, wantUid, wantGid); !owned) {
                Error e = owned.error();
                e.message += QStringLiteral(" (to give the file owner %1 and group %2)")
                                 .arg(wantUid)
                                 .arg(wantGid);
                return abandon(e);
            }
        }
    }
    const Status renamed = existing ? replace(temporary, target) : rename(temporary, target);
    if (!renamed) {
        return abandon(renamed.error());
    }
    qCDebug(lcDeploy).noquote() << "wrote" << data.size() << "bytes to" << target << "mode"
                                << octal(mode) << "on" << m_link.label;
    return {};
}

Result<RemoteFileInfo> SftpClient::statWith(const QString& path, bool follow)
{
    RemoteFileInfo info;
    const Status status =
        blocking(QStringLiteral("looking at %1 on %2").arg(path, m_link.label), [&]() -> Status {
            const QByteArray name = path.toUtf8();
            const sshptr::SftpAttributesPtr attributes(
                follow ? sftp_stat(m_sftp.get(), name.constData())
                       : sftp_lstat(m_sftp.get(), name.constData()));
            if (!attributes) {
                return tl::unexpected(error(QStringLiteral("looking at"), path));
            }
            info = infoFrom(path, *attributes);
            return {};
        });
    if (!status) {
        return tl::unexpected(status.error());
    }
    return info;
}

Result<RemoteFileInfo> SftpClient::stat(const QString& path)
{
    return statWith(path, true);
}

Result<RemoteFileInfo> SftpClient::lstat(const QString& path)
{
    return statWith(path, false);
}

Result<bool> SftpClient::exists(const QString& path)
{
    Result<RemoteFileInfo> info = stat(path);
    if (info) {
        return true;
    }
    if (info.error().code == ErrorCode::NotFound) {
        return false;
    }
    return tl::unexpected(info.error());
}

Status SftpClient::chmod(const QString& path, quint32 mode)
{
    return blocking(
        QStringLiteral("changing the mode of %1 on %2").arg(path, m_link.label), [&]() -> Status {
            const QByteArray name = path.toUtf8();
            if (sftp_chmod(m_sftp.get(), name.constData(), mode) != 0) {
                return tl::unexpected(
                    error(QStringLiteral("changing the mode to %1 of").arg(octal(mode)), path));
            }
            return {};
        });
}

Status SftpClient::chown(const QString& path, quint32 uid, quint32 gid)
{
    return blocking(
        QStringLiteral("changing the owner of %1 on %2").arg(path, m_link.label), [&]() -> Status {
            const QByteArray name = path.toUtf8();
            if (sftp_chown(m_sftp.get(), name.constData(), uid, gid) != 0) {
                return tl::unexpected(error(
                    QStringLiteral("changing the owner to %1:%2 of").arg(uid).arg(gid), path));
            }
            return {};
        });
}

Status SftpClient::rename(const QString& from, const QString& to)
{
    return blocking(QStringLiteral("renaming %1 to %2 on %3").arg(from, to, m_link.label),
                    [&]() -> Status {
                        const QByteArray a = from.toUtf8();
                        const QByteArray b = to.toUtf8();
                        if (sftp_rename(m_sftp.get(), a.constData(), b.constData()) != 0) {
                            return tl::unexpected(error(QStringLiteral("renaming"),
                                                        QStringLiteral("%1 to %2").arg(from, to)));
                        }
                        return {};
                    });
}

Status SftpClient::replace(const QString& from, const QString& to)
{
    const QString what = QStringLiteral("replacing %1 with %2").arg(to, from);
    Result<ExecResult> moved = m_owner.exec(remoteshell::command(
        {QStringLiteral("mv"), QStringLiteral("-f"), QStringLiteral("--"), from, to}));
    if (!moved) {
        return tl::unexpected(moved.error());
    }
    return remoteshell::checkExit(*moved, what, m_link.label);
}

Status SftpClient::remove(const QString& path)
{
    return blocking(QStringLiteral("removing %1 on %2").arg(path, m_link.label), [&]() -> Status {
        const QByteArray name = path.toUtf8();
        if (sftp_unlink(m_sftp.get(), name.constData()) != 0) {
            return tl::unexpected(error(QStringLiteral("removing"), path));
        }
        return {};
    });
}

Status SftpClient::removeDirectory(const QString& path)
{
    return blocking(
        QStringLiteral("removing the folder %1 on %2").arg(path, m_link.label), [&]() -> Status {
            const QByteArray name = path.toUtf8();
            if (sftp_rmdir(m_sftp.get(), name.constData()) != 0) {
                return tl::unexpected(error(QStringLiteral("removing the folder"), path));
            }
            return {};
        });
}

Status SftpClient::mkdir(const QString& path, quint32 mode)
{
    return blocking(
        QStringLiteral("creating the folder %1 on %2").arg(path, m_link.label), [&]() -> Status {
            const QByteArray name = path.toUtf8();
            if (sftp_mkdir(m_sftp.get(), name.constData(), mode) != 0) {
                return tl::unexpected(error(QStringLiteral("creating the folder"), path));
            }
            return {};
        });
}

Result<QString> SftpClient::canonicalPath(const QString& path)
{
    QString out;
    const Status status =
        blocking(QStringLiteral("resolving %1 on %2").arg(path, m_link.label), [&]() -> Status {
            const QByteArray name = path.toUtf8();
            const sshptr::CharsPtr real(sftp_canonicalize_path(m_sftp.get(), name.constData()));
            if (!real) {
                return tl::unexpected(error(QStringLiteral("resolving"), path));
            }
            out = QString::fromUtf8(real.get());
            return {};
        });
    if (!status) {
        return tl::unexpected(status.error());
    }
    return out;
}

} // namespace certdeck::deploy
