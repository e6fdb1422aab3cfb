// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <memory>
#include <utility>

class QSocketNotifier;

namespace certdeck::probe::internal {

/// One non-blocking TCP connection driven by the Qt event loop through
/// QSocketNotifier. The prober needs this rather than QTcpSocket because
/// QTcpSocket reports an orderly close (FIN) and a reset (RST) as the same
/// RemoteHostClosedError (measured with Qt 6.4), and "the server reset the
/// connection" is a diagnosis of its own (a middlebox, an IPS, a crashed
/// worker). POSIX sockets only; CertDeck targets Linux.
class TcpConnection : public QObject
{
    Q_OBJECT
public:
    /// How a connection ended or failed.
    enum class Event
    {
        Refused,     ///< ECONNREFUSED while connecting
        Unreachable, ///< no route, network down, or the kernel's own connect timeout
        Reset,       ///< ECONNRESET / EPIPE
        Closed,      ///< the peer closed its side (FIN)
        Other,       ///< any other socket error (detail has strerror)
    };

    explicit TcpConnection(QObject* parent = nullptr);
    ~TcpConnection() override;

    /// Starts connecting; connected() or failed() follows. False (with
    /// failed() not emitted) if the socket cannot even be created: see error().
    bool connectTo(const QHostAddress& address, quint16 port);
    /// Queues bytes to send once connected (and sends what it can now).
    void send(const QByteArray& data);
    /// Stops watching and closes the socket; no signal afterwards.
    void close();
    /// Everything received so far.
    [[nodiscard]] const QByteArray& received() const { return m_received; }
    /// Everything received since the last call, removed from the buffer (for
    /// a reader that consumes a stream, such as a TLS engine).
    [[nodiscard]] QByteArray takeReceived() { return std::exchange(m_received, {}); }
    [[nodiscard]] QString error() const { return m_error; }

signals:
    void connected();
    void dataReceived();
    /// The connection is over: refused, reset, closed by the peer, or broken.
    void failed(certdeck::probe::internal::TcpConnection::Event event, const QString& detail);

private:
    void onWritable();
    void onReadable();
    void flush();
    void fail(Event event, int err);

    int m_fd = -1;
    bool m_connected = false;
    QByteArray m_pending;
    QByteArray m_received;
    QString m_error;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier;
};

} // namespace certdeck::probe::internal
