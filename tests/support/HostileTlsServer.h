// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

namespace certdeck::test {

/// An in-process TLS "server" on 127.0.0.1 that answers each ClientHello
/// badly, in one chosen way, so tests can check that a client names the
/// fault and gives up within its timeouts. It runs on the test's event loop:
/// no process to leave behind.
class HostileTlsServer : public QObject
{
    Q_OBJECT
public:
    enum class Mode
    {
        Garbage,              ///< random-looking bytes that are no TLS record
        TruncatedServerHello, ///< the first 20 bytes of a ServerHello, then close
        UnofferedSuite,       ///< a well-formed ServerHello choosing 0xFEFE
        SlowDrip,             ///< a valid ServerHello, one byte every 100 ms
        OversizedRecord,      ///< a handshake record header claiming 18433 bytes
        Silent,               ///< accepts, reads, never answers
        Reset,                ///< reads the ClientHello, then resets (RST)
        HugeChain,            ///< ServerHello (first offered suite) + 200 certificates
        /// ServerHello (first offered suite) with DEFLATE compression and no
        /// renegotiation_info: a pre-2009 server.
        InsecureLegacy,
        /// A HelloRetryRequest (TLS 1.3's special random) to any ClientHello.
        RetryToAnyVersion,
        /// A fatal internal_error alert: the server broke, it did not refuse.
        InternalErrorAlert,
    };

    explicit HostileTlsServer(Mode mode, QObject* parent = nullptr);

    [[nodiscard]] bool listen();
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    [[nodiscard]] int connections() const { return m_connections; }
    /// The most connections the client had open at once, counted when each
    /// arrives (sockets the client already closed are not counted, even if
    /// this side has not read their end yet).
    [[nodiscard]] int peakOpen() const { return m_peakOpen; }

    /// A TLS 1.2 ServerHello record choosing `suite` (with renegotiation_info).
    [[nodiscard]] static QByteArray serverHello(quint16 suite);

private:
    void onConnection();

    Mode m_mode;
    QTcpServer m_server;
    int m_connections = 0;
    int m_peakOpen = 0;
    QList<QTcpSocket*> m_sockets;
};

} // namespace certdeck::test
