// SPDX-License-Identifier: GPL-3.0-or-later
#include "HttpFileServer.h"

#include <QTcpSocket>

namespace certdeck::test {

HttpFileServer::HttpFileServer(QObject* parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &HttpFileServer::onConnection);
}

bool HttpFileServer::listen(quint16 port)
{
    if (!m_server.listen(QHostAddress::LocalHost, port)) {
        return false;
    }
    m_port = m_server.serverPort();
    return true;
}

void HttpFileServer::close()
{
    m_server.close();
}

QUrl HttpFileServer::url(const QString& path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
}

void HttpFileServer::setFile(const QString& path, const QByteArray& body, Mode mode,
                             const QByteArray& contentType)
{
    m_files.insert(path, Entry{body, mode, contentType, {}});
}

void HttpFileServer::setRedirect(const QString& path, const QUrl& to)
{
    m_files.insert(path, Entry{{}, Mode::Normal, {}, to});
}

void HttpFileServer::onConnection()
{
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            // The whole header arrives in one piece on loopback; keep what
            // came so far until the blank line anyway.
            QByteArray request = socket->property("request").toByteArray() + socket->readAll();
            socket->setProperty("request", request);
            const qsizetype end = request.indexOf("\r\n\r\n");
            if (end < 0 || socket->property("answered").toBool()) {
                return;
            }
            // A body (an OCSP POST) is read whole first: closing with unread
            // bytes would reset the connection under the answer.
            qsizetype length = 0;
            for (const QByteArray& line : request.left(end).split('\n')) {
                if (line.toLower().startsWith("content-length:")) {
                    length = line.mid(15).trimmed().toLongLong();
                }
            }
            if (request.size() - end - 4 < length) {
                return;
            }
            socket->setProperty("answered", true);
            answer(socket, request);
        });
    }
}

void HttpFileServer::answer(QTcpSocket* socket, const QByteArray& request)
{
    const QList<QByteArray> first = request.left(request.indexOf("\r\n")).split(' ');
    const QString path = first.size() >= 2 ? QString::fromLatin1(first.at(1)) : QString();
    m_requests[path] += 1;
    m_methods[path] << QString::fromLatin1(first.value(0));
    const auto it = m_files.constFind(path);
    if (it == m_files.cend()) {
        socket->write("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        socket->disconnectFromHost();
        return;
    }
    const Entry& e = *it;
    if (e.redirect.isValid()) {
        socket->write("HTTP/1.0 302 Found\r\nLocation: " + e.redirect.toEncoded() +
                      "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        socket->disconnectFromHost();
        return;
    }
    if (e.mode == Mode::Stall) {
        return; // the client's timeout must end this
    }
    QByteArray head = "HTTP/1.0 200 OK\r\nContent-Type: " + e.contentType + "\r\n";
    if (e.mode == Mode::Normal) {
        head += "Content-Length: " + QByteArray::number(e.body.size()) + "\r\n";
    }
    head += "Connection: close\r\n\r\n";
    socket->write(head + e.body);
    socket->disconnectFromHost();
}

} // namespace certdeck::test
