// SPDX-License-Identifier: GPL-3.0-or-later
#include "BenchRelay.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

namespace certdeck::bench {

namespace {

/// Owns the listeners and the relayed sockets; every call runs on its thread.
class RelayWorker : public QObject
{
public:
    RelayWorker(int delayMs, std::shared_ptr<std::atomic<int>> counter)
        : m_delayMs(delayMs)
        , m_counter(std::move(counter))
    {}

    quint16 addRoute(const QHostAddress& listenAddress, const QHostAddress& upstream,
                     quint16 upstreamPort)
    {
        auto* server = new QTcpServer(this);
        server->setMaxPendingConnections(1024);
        if (!server->listen(listenAddress, 0)) {
            delete server;
            return 0;
        }
        connect(server, &QTcpServer::newConnection, server,
                [this, server, upstream, upstreamPort] { accept(server, upstream, upstreamPort); });
        return server->serverPort();
    }

private:
    void accept(QTcpServer* server, const QHostAddress& upstreamAddress, quint16 upstreamPort)
    {
        while (QTcpSocket* client = server->nextPendingConnection()) {
            m_counter->fetch_add(1);
            auto* upstream = new QTcpSocket(client);
            upstream->connectToHost(upstreamAddress, upstreamPort);
            pipe(client, upstream);
            pipe(upstream, client);
            connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        }
    }

    void pipe(QTcpSocket* from, QTcpSocket* to)
    {
        const int delay = m_delayMs;
        connect(from, &QTcpSocket::readyRead, to, [from, to, delay] {
            const QByteArray data = from->readAll();
            if (delay == 0) {
                to->write(data);
                return;
            }
            QTimer::singleShot(delay, Qt::PreciseTimer, to, [to, data] { to->write(data); });
        });
        connect(from, &QTcpSocket::disconnected, to, [to, delay] {
            QTimer::singleShot(delay, Qt::PreciseTimer, to, [to] { to->disconnectFromHost(); });
        });
    }

    int m_delayMs;
    std::shared_ptr<std::atomic<int>> m_counter;
};

} // namespace

DelayRelay::DelayRelay(int delayMs, bool ownThread)
    : m_delayMs(delayMs)
    , m_connections(std::make_shared<std::atomic<int>>(0))
{
    auto* worker = new RelayWorker(delayMs, m_connections);
    m_worker = worker;
    if (ownThread) {
        m_thread = std::make_unique<QThread>();
        worker->moveToThread(m_thread.get());
        QObject::connect(m_thread.get(), &QThread::finished, worker, &QObject::deleteLater);
        m_thread->start();
    }
}

DelayRelay::~DelayRelay()
{
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    } else {
        delete m_worker;
    }
}

quint16 DelayRelay::addRoute(const QHostAddress& listenAddress, const QHostAddress& upstream,
                             quint16 upstreamPort)
{
    auto* worker = static_cast<RelayWorker*>(m_worker);
    if (!m_thread) {
        return worker->addRoute(listenAddress, upstream, upstreamPort);
    }
    quint16 port = 0;
    QMetaObject::invokeMethod(
        worker, [&] { port = worker->addRoute(listenAddress, upstream, upstreamPort); },
        Qt::BlockingQueuedConnection);
    return port;
}

quint16 DelayRelay::addRoute(quint16 upstreamPort)
{
    return addRoute(QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHost),
                    upstreamPort);
}

} // namespace certdeck::bench
