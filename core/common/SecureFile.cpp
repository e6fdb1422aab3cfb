// SPDX-License-Identifier: GPL-3.0-or-later
#include "SecureFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certdeck {

namespace {

QString sysError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

Status ensureFolder(const QString& dir, bool secret)
{
    QFileInfo fi(dir);
    if (!fi.exists()) {
        if (!QDir().mkpath(dir)) {
            return fail(ErrorCode::Io, QStringLiteral("Cannot create the folder"), dir);
        }
        if (secret && ::chmod(QFile::encodeName(dir).constData(), 0700) != 0) {
            return fail(ErrorCode::Io, QStringLiteral("Cannot make the folder private"),
                        dir + QStringLiteral(": ") + sysError());
        }
        return {};
    }
    if (!fi.isDir()) {
        return fail(ErrorCode::Io, QStringLiteral("Not a folder"), dir);
    }
    if (secret) {
        struct stat st
        {
        };
        if (::stat(QFile::encodeName(dir).constData(), &st) == 0 && (st.st_mode & S_IWOTH) != 0 &&
            (st.st_mode & S_ISVTX) == 0) {
            return fail(ErrorCode::PermissionDenied,
                        QStringLiteral("Refusing to write a private key into a folder anyone can "
                                       "write to"),
                        dir);
        }
    }
    return {};
}

} // namespace

Status writeFileAtomically(const QString& path, const QByteArray& data, const WriteOptions& options)
{
    const QFileInfo target(path);
    const QString dir = target.absolutePath();
    if (auto s = ensureFolder(dir, options.secret); !s) {
        return s;
    }
    if (target.exists() && !options.overwrite) {
        return fail(ErrorCode::Conflict,
                    QStringLiteral("The file already exists; it was not overwritten"),
                    target.absoluteFilePath());
    }
    const QByteArray tmpl = QFile::encodeName(dir + QStringLiteral("/.") + target.fileName() +
                                              QStringLiteral(".tmp-XXXXXX"));
    QByteArray tmpName = tmpl;
    // mkstemp creates the file 0600 before anything is written to it.
    const int fd = ::mkstemp(tmpName.data());
    if (fd < 0) {
        return fail(ErrorCode::Io, QStringLiteral("Cannot create a temporary file"),
                    dir + QStringLiteral(": ") + sysError());
    }
    auto cleanup = [&] {
        ::unlink(tmpName.constData());
    };
    const mode_t mode = options.secret ? 0600 : 0644;
    if (::fchmod(fd, mode) != 0) {
        const QString e = sysError();
        ::close(fd);
        cleanup();
        return fail(ErrorCode::Io, QStringLiteral("Cannot set the file's mode"), e);
    }
    qsizetype written = 0;
    while (written < data.size()) {
        const ssize_t n =
            ::write(fd, data.constData() + written, static_cast<size_t>(data.size() - written));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const QString e = sysError();
            ::close(fd);
            cleanup();
            return fail(ErrorCode::Io, QStringLiteral("Cannot write the file"),
                        target.absoluteFilePath() + QStringLiteral(": ") + e);
        }
        written += n;
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const QString e = sysError();
        cleanup();
        return fail(ErrorCode::Io, QStringLiteral("Cannot flush the file to disk"),
                    target.absoluteFilePath() + QStringLiteral(": ") + e);
    }
    const QByteArray final = QFile::encodeName(target.absoluteFilePath());
    if (!options.overwrite) {
        // link() fails if the target appeared meanwhile: never clobber.
        if (::link(tmpName.constData(), final.constData()) != 0) {
            const QString e = sysError();
            cleanup();
            return fail(errno == EEXIST ? ErrorCode::Conflict : ErrorCode::Io,
                        QStringLiteral("Cannot put the file in place"),
                        target.absoluteFilePath() + QStringLiteral(": ") + e);
        }
        cleanup();
    } else if (::rename(tmpName.constData(), final.constData()) != 0) {
        const QString e = sysError();
        cleanup();
        return fail(ErrorCode::Io, QStringLiteral("Cannot put the file in place"),
                    target.absoluteFilePath() + QStringLiteral(": ") + e);
    }
    // Make the rename durable too.
    const int dfd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

Result<QByteArray> readFileCapped(const QString& path, qint64 maxBytes)
{
    QFile f(path);
    if (!f.exists()) {
        return fail(ErrorCode::NotFound, QStringLiteral("No such file"), path);
    }
    if (!f.open(QIODevice::ReadOnly)) {
        return fail(ErrorCode::Io, QStringLiteral("Cannot read the file"),
                    path + QStringLiteral(": ") + f.errorString());
    }
    if (f.size() > maxBytes) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The file is too large (%1 bytes; the limit is %2)")
                        .arg(f.size())
                        .arg(maxBytes),
                    path);
    }
    QByteArray data = f.read(maxBytes + 1);
    if (data.size() > maxBytes) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("The file is too large"), path);
    }
    return data;
}

} // namespace certdeck
