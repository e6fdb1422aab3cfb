// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/challenge/WebrootPublisher.h"

#include "acme/protocol/Base64Url.h"
#include "common/SecureFile.h"

#include <QDir>
#include <QFile>

namespace certdeck::acme {

WebrootPublisher::WebrootPublisher(QString webroot)
    : m_webroot(std::move(webroot))
{}

QString WebrootPublisher::tokenPath(const QByteArray& token) const
{
    return QDir(m_webroot).filePath(QStringLiteral(".well-known/acme-challenge/") +
                                    QString::fromLatin1(token));
}

void WebrootPublisher::publish(const AcmeIdentifier& identifier, const QByteArray& token,
                               const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(identifier)
    // The token becomes a file name: anything but base64url could climb out.
    if (!isBase64UrlToken(token)) {
        done(fail(ErrorCode::Protocol,
                  QStringLiteral("the CA sent an HTTP-01 token that is not base64url")));
        return;
    }
    if (!QFileInfo(m_webroot).isDir()) {
        done(fail(ErrorCode::NotFound,
                  QStringLiteral("the webroot %1 is not a folder").arg(m_webroot)));
        return;
    }
    const QString dir = QDir(m_webroot).filePath(QStringLiteral(".well-known/acme-challenge"));
    if (!QDir().mkpath(dir)) {
        done(fail(ErrorCode::Io, QStringLiteral("cannot create %1").arg(dir)));
        return;
    }
    // World-readable on purpose: the web server (often another user) serves it.
    WriteOptions opt;
    opt.overwrite = true;
    auto written = writeFileAtomically(tokenPath(token), keyAuthorization, opt);
    if (written) {
        QFile::setPermissions(tokenPath(token), QFile::ReadOwner | QFile::WriteOwner |
                                                    QFile::ReadGroup | QFile::ReadOther);
    }
    done(written);
}

void WebrootPublisher::withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                                const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(identifier)
    Q_UNUSED(keyAuthorization)
    if (!isBase64UrlToken(token)) {
        done({});
        return;
    }
    QFile f(tokenPath(token));
    if (f.exists() && !f.remove()) {
        done(fail(ErrorCode::Io, QStringLiteral("cannot remove %1").arg(f.fileName()),
                  f.errorString()));
        return;
    }
    done({});
}

QString WebrootPublisher::describe() const
{
    return QStringLiteral("the webroot %1").arg(m_webroot);
}

} // namespace certdeck::acme
