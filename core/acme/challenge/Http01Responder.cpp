// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/challenge/Http01Responder.h"

#include "acme/protocol/Base64Url.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace certdeck::acme {

namespace {

constexpr qsizetype kMaxRequestBytes = 8 * 1024;
constexpr int kIdleMs = 10000;
const QByteArray kPrefix("/.well-known/acme-challenge/");

QByteArray response(int status, const char* reason, const QByteArray& body)
{
    return QByteArray("HTTP/1.1 ") + QByteArray::number(status) + ' ' + reason +
           "\r\nContent-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace

Http01Responder::Http01Responder(QObject* parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &Http01Responder::onNewConnection);
}

Http01Responder::~Http01Responder() = default;

Status Http01Responder::listen(const QHostAddress& address, quint16 port)
{
    if (!m_server.listen(address, port)) {
        return fail(m_server.serverError() == QAbstractSocket::SocketAccessError
                        ? ErrorCode::PermissionDenied
                        : ErrorCode::Network,
                    QStringLiteral("the HTTP-01 responder cannot listen on %1 port %2")
                        .arg(address.toString())
                        .arg(port),
                    m_server.errorString());
    }
    m_address = address;
    return {};
}

void Http01Responder::close()
{
    m_server.close();
}

void Http01Responder::publish(const AcmeIdentifier& identifier, const QByteArray& token,
                              const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(identifier)
    if (!isBase64UrlToken(token)) {
        done(fail(ErrorCode::Protocol,
                  QStringLiteral("the CA sent an HTTP-01 token that is not base64url")));
        return;
    }
    if (!m_server.isListening()) {
        done(fail(ErrorCode::Internal, QStringLiteral("the HTTP-01 responder is not listening")));
        return;
    }
    m_tokens.insert(token, keyAuthorization);
    done({});
}

void Http01Responder::withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                               const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(identifier)
    Q_UNUSED(keyAuthorization)
    m_tokens.remove(token);
    done({});
}

QString Http01Responder::describe() const
{
    return QStringLiteral("the built-in responder on %1 port %2")
        .arg(m_address.toString())
        .arg(m_server.serverPort());
}

void Http01Responder::onNewConnection()
{
    while (QTcpSocket* raw = m_server.nextPendingConnection()) {
        QPointer<QTcpSocket> socket(raw);
        raw->setParent(this);
        auto* idle = new QTimer(raw);
        idle->setSingleShot(true);
        idle->start(kIdleMs);
        connect(idle, &QTimer::timeout, raw, &QTcpSocket::abort);
        connect(raw, &QTcpSocket::disconnected, raw, &QObject::deleteLater);
        connect(raw, &QTcpSocket::errorOccurred, raw, &QObject::deleteLater);
        connect(raw, &QTcpSocket::readyRead, this, [this, socket] {
            if (!socket || socket->property("answered").toBool()) {
                return;
            }
            QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            // A challenge request is a few hundred bytes; anything bigger is
            // refused whether or not its header block is complete.
            if ((end < 0 && buffer.size() > kMaxRequestBytes) || end > kMaxRequestBytes) {
                socket->setProperty("answered", true);
                socket->write(response(431, "Request Header Fields Too Large", {}));
                socket->disconnectFromHost();
                return;
            }
            if (end < 0) {
                socket->setProperty("buffer", buffer);
                return;
            }
            socket->setProperty("answered", true);
            const QList<QByteArray> requestLine = buffer.left(buffer.indexOf("\r\n")).split(' ');
            QByteArray reply;
            if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
                reply = response(400, "Bad Request", {});
            } else if (requestLine.at(0) != "GET" && requestLine.at(0) != "HEAD") {
                reply = response(405, "Method Not Allowed", {});
            } else {
                const QByteArray path = requestLine.at(1);
                const QByteArray token =
                    path.startsWith(kPrefix) ? path.mid(kPrefix.size()) : QByteArray();
                const auto it = m_tokens.constFind(token);
                if (token.isEmpty() || it == m_tokens.cend()) {
                    reply = response(404, "Not Found", {});
                } else {
                    ++m_answered;
                    reply = response(200, "OK", requestLine.at(0) == "HEAD" ? QByteArray() : *it);
                }
            }
            socket->write(reply);
            socket->disconnectFromHost();
        });
    }
}

} // namespace certdeck::acme
