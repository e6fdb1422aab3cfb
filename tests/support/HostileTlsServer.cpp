// SPDX-License-Identifier: GPL-3.0-or-later
#include "HostileTlsServer.h"

#include <QTcpSocket>
#include <QTimer>
#include <sys/socket.h>

namespace certdeck::test {

namespace {

QByteArray be16(quint16 v)
{
    QByteArray b(2, '\0');
    b[0] = static_cast<char>(v >> 8);
    b[1] = static_cast<char>(v & 0xff);
    return b;
}

QByteArray be24(quint32 v)
{
    QByteArray b(3, '\0');
    b[0] = static_cast<char>((v >> 16) & 0xff);
    b[1] = static_cast<char>((v >> 8) & 0xff);
    b[2] = static_cast<char>(v & 0xff);
    return b;
}

QByteArray handshakeRecords(const QByteArray& messages)
{
    QByteArray out;
    for (qsizetype at = 0; at < messages.size(); at += 16384) {
        const QByteArray chunk = messages.mid(at, 16384);
        out += QByteArray("\x16\x03\x03", 3) + be16(static_cast<quint16>(chunk.size())) + chunk;
    }
    return out;
}

QByteArray helloMessage(quint16 suite, bool legacy = false)
{
    QByteArray body = be16(0x0303) + QByteArray(32, '\x5a') + QByteArray(1, '\0') + be16(suite) +
                      QByteArray(1, legacy ? '\x01' : '\0');
    if (!legacy) {
        const QByteArray reneg = be16(0xff01) + be16(1) + QByteArray(1, '\0');
        body += be16(static_cast<quint16>(reneg.size())) + reneg;
    }
    return QByteArray(1, '\x02') + be24(static_cast<quint32>(body.size())) + body;
}

// The first cipher suite of a ClientHello record, or 0 if it cannot be read.
quint16 firstOfferedSuite(const QByteArray& hello)
{
    // record(5) + handshake header(4) + version(2) + random(32)
    qsizetype at = 5 + 4 + 2 + 32;
    if (hello.size() <= at) {
        return 0;
    }
    at += 1 + static_cast<quint8>(hello.at(at));
    if (hello.size() < at + 4) {
        return 0;
    }
    return static_cast<quint16>((static_cast<quint8>(hello.at(at + 2)) << 8) |
                                static_cast<quint8>(hello.at(at + 3)));
}

} // namespace

HostileTlsServer::HostileTlsServer(Mode mode, QObject* parent)
    : QObject(parent)
    , m_mode(mode)
{
    connect(&m_server, &QTcpServer::newConnection, this, &HostileTlsServer::onConnection);
}

bool HostileTlsServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QByteArray HostileTlsServer::serverHello(quint16 suite)
{
    return handshakeRecords(helloMessage(suite));
}

void HostileTlsServer::onConnection()
{
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        ++m_connections;
        socket->setParent(this);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QObject::destroyed, this, [this, socket] { m_sockets.removeOne(socket); });
        // Ask the kernel, not Qt's notifiers, whether the client still holds
        // each earlier connection: a peek returning 0 is its FIN.
        int open = 1;
        for (QTcpSocket* other : std::as_const(m_sockets)) {
            char byte = 0;
            const auto fd = static_cast<int>(other->socketDescriptor());
            if (fd >= 0 && ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 0) {
                ++open;
            }
        }
        m_peakOpen = std::max(m_peakOpen, open);
        m_sockets.append(socket);
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            buffer->append(socket->readAll());
            if (buffer->size() < 5) {
                return;
            }
            const qsizetype want = 5 + ((static_cast<quint8>(buffer->at(3)) << 8) |
                                        static_cast<quint8>(buffer->at(4)));
            if (buffer->size() < want || socket->property("answered").toBool()) {
                return;
            }
            socket->setProperty("answered", true);
            switch (m_mode) {
            case Mode::Garbage: {
                QByteArray junk;
                for (int i = 0; i < 64; ++i) {
                    junk.append(static_cast<char>((i * 37 + 11) & 0xff));
                }
                junk[0] = '\x99';
                socket->write(junk);
                break;
            }
            case Mode::TruncatedServerHello:
                socket->write(serverHello(0xc02f).left(20));
                socket->flush();
                socket->disconnectFromHost();
                break;
            case Mode::UnofferedSuite:
                socket->write(serverHello(0xfefe));
                break;
            case Mode::SlowDrip: {
                auto* timer = new QTimer(socket);
                auto pending = std::make_shared<QByteArray>(serverHello(0xc02f));
                connect(timer, &QTimer::timeout, socket, [socket, pending, timer] {
                    if (pending->isEmpty()) {
                        timer->stop();
                        return;
                    }
                    socket->write(pending->left(1));
                    pending->remove(0, 1);
                });
                timer->start(100);
                break;
            }
            case Mode::OversizedRecord:
                socket->write(QByteArray("\x16\x03\x03\x48\x01\x02\x00\x00", 8) +
                              QByteArray(64, '\0'));
                break;
            case Mode::Silent:
                break;
            case Mode::Reset: {
                // SO_LINGER with a zero timeout turns close() into a RST.
                const struct linger hard = {1, 0};
                ::setsockopt(static_cast<int>(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER,
                             &hard, sizeof(hard));
                socket->abort();
                break;
            }
            case Mode::InsecureLegacy:
                socket->write(handshakeRecords(helloMessage(firstOfferedSuite(*buffer), true) +
                                               QByteArray("\x0e\x00\x00\x00", 4)));
                break;
            case Mode::RetryToAnyVersion: {
                QByteArray hrr = serverHello(0xc02f);
                // SHA-256("HelloRetryRequest"), RFC 8446 4.1.3, in place of the random.
                hrr.replace(11, 32,
                            QByteArray::fromHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e07"
                                                "9e09e2c8a8339c"));
                socket->write(hrr);
                break;
            }
            case Mode::InternalErrorAlert:
                socket->write(QByteArray("\x15\x03\x03\x00\x02\x02\x50", 7));
                break;
            case Mode::HugeChain: {
                // 200 fake 600-byte "certificates": the client reads the
                // length-prefixed list, not the DER.
                QByteArray list;
                for (int i = 0; i < 200; ++i) {
                    list += be24(600) + QByteArray(600, static_cast<char>(0x30 + i % 10));
                }
                const QByteArray certBody = be24(static_cast<quint32>(list.size())) + list;
                const QByteArray certificate =
                    QByteArray(1, '\x0b') + be24(static_cast<quint32>(certBody.size())) + certBody;
                const QByteArray done = QByteArray("\x0e\x00\x00\x00", 4);
                const quint16 suite = firstOfferedSuite(*buffer);
                socket->write(handshakeRecords(helloMessage(suite) + certificate + done));
                break;
            }
            }
        });
    }
}

} // namespace certdeck::test
