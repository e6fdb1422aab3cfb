// SPDX-License-Identifier: GPL-3.0-or-later
#include "StallingAcmeServer.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>

namespace certdeck::test {

StallingAcmeServer::StallingAcmeServer(QObject* parent)
    : QObject(parent)
{}

bool StallingAcmeServer::start(const QString& dir)
{
    if (!m_pki.create(dir, {})) {
        m_error = m_pki.errorString();
        return false;
    }
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("acme");
    const TestPki::Leaf leaf = m_pki.issue(spec);
    QFile certFile(leaf.fullchain);
    QFile keyFile(leaf.key);
    if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot read the server's certificate or key in ") + dir;
        return false;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll());
    const QSslKey key(keyFile.readAll(), QSsl::Ec);
    if (chain.isEmpty() || key.isNull()) {
        m_error = QStringLiteral("the server's certificate or key does not load");
        return false;
    }
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_server.setSslConfiguration(tls);
    connect(&m_server, &QSslServer::pendingConnectionAvailable, this, [this] {
        while (m_server.hasPendingConnections()) {
            auto* socket = qobject_cast<QSslSocket*>(m_server.nextPendingConnection());
            if (socket == nullptr) {
                continue;
            }
            socket->setParent(this);
            connect(socket, &QSslSocket::readyRead, this, [this, socket] { serve(socket); });
            connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    if (!m_server.listen(QHostAddress::LocalHost, 0)) {
        m_error = m_server.errorString();
        return false;
    }
    return true;
}

QString StallingAcmeServer::directoryUrl() const
{
    return QStringLiteral("https://127.0.0.1:%1/dir").arg(m_server.serverPort());
}

void StallingAcmeServer::serve(QSslSocket* socket)
{
    // Requests are read whole (headers, then Content-Length bytes) from what
    // has arrived; a partial one waits for the next readyRead.
    QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            break;
        }
        const QByteArray head = buffer.left(headerEnd);
        qsizetype length = 0;
        for (const QByteArray& line : head.split('\n')) {
            if (line.toLower().startsWith("content-length:")) {
                length = line.mid(15).trimmed().toLongLong();
            }
        }
        if (buffer.size() < headerEnd + 4 + length) {
            break;
        }
        buffer.remove(0, headerEnd + 4 + length);
        const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
        const QByteArray method = requestLine.value(0);
        const QByteArray path = requestLine.value(1);
        const QString base = QStringLiteral("https://127.0.0.1:%1").arg(m_server.serverPort());
        QByteArray status = "404 Not Found";
        QByteArray type = "application/problem+json";
        QByteArray body =
            R"({"type":"urn:ietf:params:acme:error:malformed","detail":"no such resource"})";
        QByteArray extra;
        if (path == "/dir") {
            status = "200 OK";
            type = "application/json";
            body = QJsonDocument(
                       QJsonObject{
                           {QStringLiteral("newNonce"), base + QStringLiteral("/nonce")},
                           {QStringLiteral("newAccount"), base + QStringLiteral("/new-acct")},
                           {QStringLiteral("newOrder"), base + QStringLiteral("/new-order")},
                           {QStringLiteral("revokeCert"), base + QStringLiteral("/revoke")},
                           {QStringLiteral("keyChange"), base + QStringLiteral("/key-change")}})
                       .toJson(QJsonDocument::Compact);
        } else if (path == "/nonce") {
            status = method == "HEAD" ? "200 OK" : "204 No Content";
            body.clear();
            type.clear();
        } else if (path == "/new-acct" && method == "POST") {
            // Held: the client waits for an answer that never comes.
            ++m_stalled;
            emit registrationStalled();
            continue;
        }
        extra += "Replay-Nonce: stalling-ca-nonce-" + QByteArray::number(++m_nonce) + "\r\n";
        extra += "Cache-Control: no-store\r\n";
        QByteArray reply = "HTTP/1.1 " + status + "\r\n" + extra;
        if (!type.isEmpty()) {
            reply += "Content-Type: " + type + "\r\n";
        }
        reply += "Content-Length: " + QByteArray::number(method == "HEAD" ? 0 : body.size()) +
                 "\r\n\r\n";
        if (method != "HEAD") {
            reply += body;
        }
        socket->write(reply);
    }
    socket->setProperty("buffer", buffer);
}

} // namespace certdeck::test
