// SPDX-License-Identifier: GPL-3.0-or-later
#include "HostileTlsServer.h"

#include "common/ByteReader.h"
#include "common/ByteWriter.h"

#include <QTcpSocket>
#include <QTimer>
#include <sys/socket.h>

namespace certdeck::test {

namespace {

QByteArray handshakeRecords(const QByteArray& messages)
{
    ByteWriter out;
    for (qsizetype at = 0; at < messages.size(); at += 16384) {
        out.u8(0x16);
        out.u16(0x0303);
        out.beginBlock(2);
        out.bytes(messages.mid(at, 16384));
        out.endBlock();
    }
    return out.data();
}

QByteArray helloMessage(quint16 suite, bool legacy = false)
{
    ByteWriter w;
    w.u8(0x02);
    w.beginBlock(3);
    w.u16(0x0303);
    w.bytes(QByteArray(32, '\x5a'));
    w.u8(0); // empty session id
    w.u16(suite);
    w.u8(legacy ? 1 : 0); // compression method
    if (!legacy) {
        w.beginBlock(2);
        w.u16(0xff01); // renegotiation_info, empty
        w.beginBlock(2);
        w.u8(0);
        w.endBlock();
        w.endBlock();
    }
    w.endBlock();
    return w.data();
}

// The first cipher suite of a ClientHello record, or 0 if it cannot be read.
quint16 firstOfferedSuite(const QByteArray& hello)
{
    // record header(5) + handshake header(4) + version(2) + random(32)
    ByteReader r(hello);
    const bool skipped = r.skip(5 + 4 + 2 + 32) && r.block(1).has_value();
    auto suites = skipped ? r.block(2) : std::nullopt;
    return suites ? suites->u16().value_or(0) : 0;
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
            // One whole record: type(1), version(2), a 2-byte-prefixed body.
            ByteReader record(*buffer);
            const bool whole = record.skip(3) && record.block(2).has_value();
            if (!whole || socket->property("answered").toBool()) {
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
                ByteWriter certificate;
                certificate.u8(0x0b);
                certificate.beginBlock(3); // handshake body
                certificate.beginBlock(3); // certificate_list
                for (int i = 0; i < 200; ++i) {
                    certificate.beginBlock(3);
                    certificate.bytes(QByteArray(600, static_cast<char>(0x30 + i % 10)));
                    certificate.endBlock();
                }
                certificate.endBlock();
                certificate.endBlock();
                const QByteArray done = QByteArray("\x0e\x00\x00\x00", 4);
                const quint16 suite = firstOfferedSuite(*buffer);
                socket->write(handshakeRecords(helloMessage(suite) + certificate.data() + done));
                break;
            }
            }
        });
    }
}

} // namespace certdeck::test
