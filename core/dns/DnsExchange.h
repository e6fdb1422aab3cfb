// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>

class QTcpSocket;
class QUdpSocket;

namespace certdeck::dns {

/// A DNS server: address and port.
struct DnsServer
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 53;
    [[nodiscard]] QString toString() const
    {
        return QStringLiteral("%1 port %2").arg(address.toString()).arg(port);
    }
};

/// One DNS request and its answer: UDP first, TCP when the answer is
/// truncated (TC) or the request does not fit a 512-byte datagram; one UDP
/// resend, then a time limit. Runs on the calling thread's event loop and
/// calls `done` once with the answer's wire bytes (ID checked), unless
/// `context` is gone.
class DnsExchange : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const Result<QByteArray>&)>;

    /// Starts the exchange; the object deletes itself when done, and is a
    /// child of `context` (deleted with it, without calling `done`, when the
    /// context goes first or its thread's loop ends before deleteLater()
    /// runs).
    static void run(const DnsServer& server, const QByteArray& wire, int timeoutMs,
                    QObject* context, Done done);

private:
    DnsExchange(const DnsServer& server, const QByteArray& wire, int timeoutMs, QObject* context,
                Done done);
    void startUdp();
    void onUdpReady();
    void startTcp();
    void onTcpReady();
    void finish(const Result<QByteArray>& result);

    DnsServer m_server;
    QByteArray m_wire;
    quint16 m_id = 0;
    int m_timeoutMs;
    QPointer<QObject> m_context;
    Done m_done;
    QUdpSocket* m_udp = nullptr;
    QTcpSocket* m_tcp = nullptr;
    QByteArray m_tcpBuffer;
    QTimer m_timer;
    int m_udpTries = 0;
    bool m_finished = false;
};

} // namespace certdeck::dns
