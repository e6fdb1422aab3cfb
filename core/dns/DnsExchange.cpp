// SPDX-License-Identifier: GPL-3.0-or-later
#include "dns/DnsExchange.h"

#include "common/ByteReader.h"
#include "common/ByteWriter.h"

#include <QTcpSocket>
#include <QUdpSocket>

namespace certdeck::dns {

namespace {
constexpr int kMaxUdpTries = 2;
constexpr qsizetype kUdpLimit = 512;
} // namespace

void DnsExchange::run(const DnsServer& server, const QByteArray& wire, int timeoutMs,
                      QObject* context, Done done)
{
    auto* ex = new DnsExchange(server, wire, timeoutMs, context, std::move(done));
    if (wire.size() < 12) {
        ex->finish(fail(ErrorCode::Internal, QStringLiteral("DNS request without a header")));
        return;
    }
    if (wire.size() > kUdpLimit) {
        ex->startTcp();
    } else {
        ex->startUdp();
    }
}

DnsExchange::DnsExchange(const DnsServer& server, const QByteArray& wire, int timeoutMs,
                         QObject* context, Done done)
    : QObject(context) // dies with its context even if deleteLater() never runs
    , m_server(server)
    , m_wire(wire)
    , m_timeoutMs(timeoutMs)
    , m_context(context)
    , m_done(std::move(done))
{
    m_id = ByteReader(wire).u16().value_or(0);
    m_timer.setSingleShot(true);
}

void DnsExchange::startUdp()
{
    if (m_udp == nullptr) {
        m_udp = new QUdpSocket(this);
        const QHostAddress any = m_server.address.protocol() == QAbstractSocket::IPv6Protocol
                                     ? QHostAddress(QHostAddress::AnyIPv6)
                                     : QHostAddress(QHostAddress::AnyIPv4);
        if (!m_udp->bind(any, 0)) {
            finish(fail(ErrorCode::Network, QStringLiteral("cannot open a UDP socket for DNS"),
                        m_udp->errorString()));
            return;
        }
        connect(m_udp, &QUdpSocket::readyRead, this, &DnsExchange::onUdpReady);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            if (m_tcp != nullptr) {
                finish(fail(ErrorCode::Timeout,
                            QStringLiteral("the DNS server at %1 did not answer over TCP in time")
                                .arg(m_server.toString())));
            } else if (m_udpTries < kMaxUdpTries) {
                startUdp();
            } else {
                finish(fail(
                    ErrorCode::Timeout,
                    QStringLiteral("the DNS server at %1 did not answer").arg(m_server.toString()),
                    QStringLiteral("%1 UDP tries").arg(m_udpTries)));
            }
        });
    }
    ++m_udpTries;
    m_udp->writeDatagram(m_wire, m_server.address, m_server.port);
    m_timer.start(m_timeoutMs / (kMaxUdpTries + 1));
}

void DnsExchange::onUdpReady()
{
    while (m_udp != nullptr && m_udp->hasPendingDatagrams()) {
        QByteArray data(static_cast<qsizetype>(m_udp->pendingDatagramSize()), '\0');
        QHostAddress from;
        quint16 port = 0;
        const qint64 n = m_udp->readDatagram(data.data(), data.size(), &from, &port);
        // Only the server we asked, with our ID, and a response.
        if (n < 12 || port != m_server.port || !from.isEqual(m_server.address) ||
            data.left(2) != m_wire.left(2) || (static_cast<quint8>(data.at(2)) & 0x80) == 0) {
            continue;
        }
        data.resize(n);
        if ((static_cast<quint8>(data.at(2)) & 0x02) != 0) { // TC: retry over TCP
            m_udp->close();
            startTcp();
            return;
        }
        finish(data);
        return;
    }
}

void DnsExchange::startTcp()
{
    m_timer.stop();
    if (m_udp == nullptr) {
        connect(&m_timer, &QTimer::timeout, this, [this] {
            finish(fail(ErrorCode::Timeout,
                        QStringLiteral("the DNS server at %1 did not answer over TCP in time")
                            .arg(m_server.toString())));
        });
    }
    m_tcp = new QTcpSocket(this);
    connect(m_tcp, &QTcpSocket::connected, this, [this] {
        // RFC 1035 4.2.2: a two-byte length in front; encode() keeps a
        // message within it.
        ByteWriter framed;
        framed.beginBlock(2);
        framed.bytes(m_wire);
        framed.endBlock();
        if (!framed.ok()) {
            finish(fail(ErrorCode::Internal,
                        QStringLiteral("a DNS request of %1 bytes does not fit TCP framing")
                            .arg(m_wire.size())));
            return;
        }
        m_tcp->write(framed.data());
    });
    connect(m_tcp, &QTcpSocket::readyRead, this, &DnsExchange::onTcpReady);
    connect(m_tcp, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        finish(fail(ErrorCode::Network,
                    QStringLiteral("DNS over TCP to %1 failed").arg(m_server.toString()),
                    m_tcp->errorString()));
    });
    m_tcp->connectToHost(m_server.address, m_server.port);
    m_timer.start(m_timeoutMs);
}

void DnsExchange::onTcpReady()
{
    m_tcpBuffer.append(m_tcp->readAll());
    ByteReader framed(m_tcpBuffer);
    const auto message = framed.block(2);
    if (!message) {
        return; // the length or the message is still on its way
    }
    const QByteArray msg = message->data().toByteArray();
    if (msg.size() < 12 || msg.left(2) != m_wire.left(2)) {
        finish(fail(ErrorCode::Protocol,
                    QStringLiteral("the DNS server at %1 answered another request over TCP")
                        .arg(m_server.toString())));
        return;
    }
    finish(msg);
}

void DnsExchange::finish(const Result<QByteArray>& result)
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_timer.stop();
    if (m_tcp != nullptr) {
        m_tcp->disconnect(this);
        m_tcp->abort();
    }
    if (m_udp != nullptr) {
        m_udp->disconnect(this);
    }
    Done done = std::move(m_done);
    deleteLater();
    if (done && m_context) {
        done(result);
    }
}

} // namespace certdeck::dns
