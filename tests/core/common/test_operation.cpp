// SPDX-License-Identifier: GPL-3.0-or-later
// The Operation contract every long operation relies on (finished exactly
// once and always from the event loop, cancel before start, cancel pushed
// into the work so a real socket closes at once), and ThreadedOperation:
// a flow on a worker thread of its own, progress and typed events forwarded,
// the result handed back by value, and a destroyed adapter that does not
// wait for its flow.
#include "common/Job.h"
#include "common/Operation.h"
#include "common/ThreadedOperation.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <memory>

using namespace certdeck;

namespace {

/// Ends from inside start() with a value: finished() must still come later.
class InstantFlow : public TypedOperation<int>
{
public:
    explicit InstantFlow(QObject* parent = nullptr)
        : TypedOperation<int>(parent)
    {}
    int starts = 0;
    int cancels = 0;

protected:
    void onStart() override
    {
        ++starts;
        finishWith(7);
        finishWith(8); // ignored: the outcome is decided
    }
    void onCancel() override { ++cancels; }
};

/// Says when it is destroyed (from its worker thread).
class MortalFlow : public InstantFlow
{
public:
    explicit MortalFlow(std::shared_ptr<std::atomic<bool>> gone)
        : m_gone(std::move(gone))
    {}
    ~MortalFlow() override { *m_gone = true; }

private:
    std::shared_ptr<std::atomic<bool>> m_gone;
};

/// Answers cancel() with the error the abort caused, as a network flow does.
class AbortErrorFlow : public TypedOperation<int>
{
public:
    AbortErrorFlow()
        : TypedOperation<int>(nullptr)
    {}

protected:
    void onStart() override {}
    void onCancel() override
    {
        finishWith(fail(ErrorCode::Network, QStringLiteral("operation canceled")));
    }
};

struct Reply
{
    QByteArray bytes;
    QThread* thread = nullptr; ///< where the flow ran
};

/// A socket conversation: connects to 127.0.0.1:port and reads until the
/// peer closes, or gives up after 30 s. cancel() aborts the socket at once.
class PeerFlow : public TypedOperation<Reply>
{
public:
    explicit PeerFlow(quint16 port)
        : TypedOperation<Reply>(nullptr)
        , m_port(port)
    {}
    [[nodiscard]] QAbstractSocket::SocketState socketState() const { return m_socket.state(); }

protected:
    void onStart() override
    {
        m_giveUp.setSingleShot(true);
        connect(&m_giveUp, &QTimer::timeout, this, [this] {
            finishWith(fail(ErrorCode::Timeout, QStringLiteral("the peer is silent")));
        });
        connect(&m_socket, &QTcpSocket::connected, this, [this] {
            reportProgress(QStringLiteral("Connected"), 0.5,
                           QStringLiteral("waiting for the peer"));
        });
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] { m_bytes += m_socket.readAll(); });
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
            m_bytes += m_socket.readAll();
            m_giveUp.stop();
            finishWith(Reply{m_bytes, QThread::currentThread()});
        });
        reportProgress(QStringLiteral("Connecting"), 0.0, QStringLiteral("127.0.0.1"));
        m_socket.connectToHost(QHostAddress::LocalHost, m_port);
        m_giveUp.start(30000);
    }
    void onCancel() override
    {
        m_giveUp.stop();
        m_socket.disconnect(this);
        m_socket.abort();
        finishWith(fail(ErrorCode::Cancelled, QStringLiteral("the conversation was cancelled")));
    }

private:
    quint16 m_port;
    QTcpSocket m_socket;
    QTimer m_giveUp;
    QByteArray m_bytes;
};

/// A peer on 127.0.0.1 that accepts and then says nothing, or says `greeting`
/// and closes.
class Peer : public QObject
{
public:
    explicit Peer(QByteArray greeting = {})
        : m_greeting(std::move(greeting))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection()) {
                m_accepted = s;
                if (!m_greeting.isEmpty()) {
                    s->write(m_greeting);
                    s->disconnectFromHost();
                }
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    [[nodiscard]] QTcpServer* server() { return &m_server; }
    [[nodiscard]] QTcpSocket* accepted() const { return m_accepted; }

private:
    QTcpServer m_server;
    QByteArray m_greeting;
    QPointer<QTcpSocket> m_accepted;
};

std::unique_ptr<ThreadedOperation<Reply>> onWorker(quint16 port)
{
    return std::make_unique<ThreadedOperation<Reply>>(
        [port](const WorkerLink&) -> std::unique_ptr<TypedOperation<Reply>> {
            return std::make_unique<PeerFlow>(port);
        });
}

} // namespace

class TestOperation : public QObject
{
    Q_OBJECT
private slots:
    void finishesOnceFromTheEventLoop();
    void cancelBeforeStart();
    void cancelAfterTheOutcomeIsIgnored();
    void errorAfterCancelIsCancelled();
    void cancelClosesTheSocketAtOnce();
    void jobIsAnOperation();
    void flowRunsOnItsOwnThread();
    void typedEventsArriveBeforeFinished();
    void flowIsGoneBeforeFinished();
    void cancelIsPushedToTheWorker();
    void destroyingTheAdapterDoesNotWait();
    void factoryFailureIsAnError();
};

void TestOperation::finishesOnceFromTheEventLoop()
{
    InstantFlow flow;
    QSignalSpy finished(&flow, &Operation::finished);
    flow.start();
    // The flow decided inside start(), but the signal comes from the loop.
    QCOMPARE(finished.count(), 0);
    QVERIFY(!flow.isFinished());
    QVERIFY(!flow.result());
    flow.start(); // a second start is ignored
    QVERIFY(finished.wait(5000));
    QCOMPARE(flow.starts, 1);
    QVERIFY(flow.isFinished());
    QVERIFY(flow.status());
    QCOMPARE(*flow.result(), 7);
    QVERIFY(!finished.wait(100));
    QCOMPARE(finished.count(), 1);
}

void TestOperation::cancelBeforeStart()
{
    InstantFlow flow;
    QSignalSpy finished(&flow, &Operation::finished);
    flow.cancel();
    QCOMPARE(finished.count(), 0); // nothing before start()
    flow.start();
    QVERIFY(finished.wait(5000));
    QCOMPARE(flow.starts, 0); // no work was done
    QCOMPARE(flow.cancels, 0);
    QCOMPARE(flow.result().error().code, ErrorCode::Cancelled);
    QCOMPARE(finished.first().first().value<Status>().error().code, ErrorCode::Cancelled);
}

void TestOperation::cancelAfterTheOutcomeIsIgnored()
{
    InstantFlow flow;
    QSignalSpy finished(&flow, &Operation::finished);
    flow.start();
    flow.cancel(); // decided already (finished() is on its way)
    QVERIFY(finished.wait(5000));
    QCOMPARE(flow.cancels, 0);
    QCOMPARE(*flow.result(), 7);
    flow.cancel();
    QVERIFY(!finished.wait(100));
    QCOMPARE(finished.count(), 1);
}

void TestOperation::errorAfterCancelIsCancelled()
{
    AbortErrorFlow flow;
    QSignalSpy finished(&flow, &Operation::finished);
    flow.start();
    flow.cancel();
    flow.cancel(); // idempotent
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(flow.result().error().code, ErrorCode::Cancelled);
}

void TestOperation::cancelClosesTheSocketAtOnce()
{
    Peer peer;
    QVERIFY(peer.listen());
    PeerFlow flow(peer.port());
    QSignalSpy finished(&flow, &Operation::finished);
    QSignalSpy progress(&flow, &Operation::progress);
    QSignalSpy accepted(peer.server(), &QTcpServer::newConnection);
    flow.start();
    QVERIFY(accepted.wait(5000));
    QTRY_COMPARE(flow.socketState(), QAbstractSocket::ConnectedState);
    QVERIFY(peer.accepted());
    QSignalSpy peerSawClose(peer.accepted(), &QTcpSocket::disconnected);

    flow.cancel();
    // Closed by cancel() itself, not at the next timer tick of the flow.
    QCOMPARE(flow.socketState(), QAbstractSocket::UnconnectedState);
    QVERIFY(finished.wait(5000));
    QCOMPARE(flow.result().error().code, ErrorCode::Cancelled);
    QCOMPARE(flow.result().error().message, QStringLiteral("the conversation was cancelled"));
    QVERIFY(peerSawClose.count() == 1 || peerSawClose.wait(5000));
    QCOMPARE(progress.count(), 2); // Connecting, Connected; none after the end
}

void TestOperation::jobIsAnOperation()
{
    Operation* op = new TypedJob<int>([](const JobControl&) -> Result<int> { return 3; }, this);
    QSignalSpy finished(op, &Operation::finished);
    op->start();
    QVERIFY(finished.wait(10000));
    QVERIFY(op->status());
    QCOMPARE(*static_cast<TypedJob<int>*>(op)->result(), 3);
    delete op;
}

void TestOperation::flowRunsOnItsOwnThread()
{
    Peer peer(QByteArrayLiteral("hello"));
    QVERIFY(peer.listen());
    auto op = onWorker(peer.port());
    QSignalSpy finished(op.get(), &Operation::finished);
    QStringList steps;
    QThread* mine = QThread::currentThread();
    connect(op.get(), &Operation::progress, this,
            [&steps, mine](const QString& step, double, const QString&) {
                QCOMPARE(QThread::currentThread(), mine);
                steps << step;
            });
    op->start();
    QVERIFY(finished.wait(10000));
    const Result<Reply> reply = op->result();
    QVERIFY2(reply, qPrintable(reply ? QString() : reply.error().toString()));
    QCOMPARE(reply->bytes, QByteArrayLiteral("hello"));
    QVERIFY(reply->thread != mine);
    QCOMPARE(steps, (QStringList{QStringLiteral("Connecting"), QStringLiteral("Connected")}));
    op.reset();
    QTRY_COMPARE(OperationThread::liveThreads(), 0);
}

void TestOperation::typedEventsArriveBeforeFinished()
{
    QStringList seen;
    auto op = std::make_unique<ThreadedOperation<int>>(
        [](const WorkerLink& link) -> std::unique_ptr<TypedOperation<int>> {
            for (int i = 1; i <= 3; ++i) {
                link.post([i](Operation& front) {
                    front.setObjectName(front.objectName() + QString::number(i));
                });
            }
            return std::make_unique<InstantFlow>();
        });
    QSignalSpy finished(op.get(), &Operation::finished);
    connect(op.get(), &Operation::finished, this,
            [&seen, raw = op.get()](const Status&) { seen << raw->objectName(); });
    op->start();
    QVERIFY(finished.wait(10000));
    QCOMPARE(seen, QStringList{QStringLiteral("123")});
    QCOMPARE(*op->result(), 7);
}

void TestOperation::flowIsGoneBeforeFinished()
{
    // When the caller hears finished(), the flow and what it owned (a
    // responder's listening socket, say) no longer exist.
    auto gone = std::make_shared<std::atomic<bool>>(false);
    ThreadedOperation<int> op([gone](const WorkerLink&) -> std::unique_ptr<TypedOperation<int>> {
        return std::make_unique<MortalFlow>(gone);
    });
    bool goneAtFinish = false;
    connect(&op, &Operation::finished, this,
            [&goneAtFinish, gone](const Status&) { goneAtFinish = gone->load(); });
    QSignalSpy finished(&op, &Operation::finished);
    op.start();
    QVERIFY(finished.wait(10000));
    QVERIFY(goneAtFinish);
    QCOMPARE(*op.result(), 7);
}

void TestOperation::cancelIsPushedToTheWorker()
{
    Peer peer;
    QVERIFY(peer.listen());
    auto op = onWorker(peer.port());
    QSignalSpy finished(op.get(), &Operation::finished);
    QSignalSpy accepted(peer.server(), &QTcpServer::newConnection);
    op->start();
    QVERIFY(accepted.wait(5000));
    QVERIFY(peer.accepted());
    QSignalSpy peerSawClose(peer.accepted(), &QTcpSocket::disconnected);
    op->cancel();
    QVERIFY(finished.wait(5000));
    QCOMPARE(op->result().error().code, ErrorCode::Cancelled);
    QVERIFY(peerSawClose.count() == 1 || peerSawClose.wait(5000));
    op.reset();
    QTRY_COMPARE(OperationThread::liveThreads(), 0);
}

void TestOperation::destroyingTheAdapterDoesNotWait()
{
    Peer peer; // silent: the flow would wait 30 s for it
    QVERIFY(peer.listen());
    auto op = onWorker(peer.port());
    bool finishedCalled = false;
    connect(op.get(), &Operation::finished, this,
            [&finishedCalled](const Status&) { finishedCalled = true; });
    QSignalSpy accepted(peer.server(), &QTcpServer::newConnection);
    op->start();
    QVERIFY(accepted.wait(5000));
    QVERIFY(peer.accepted());
    QSignalSpy peerSawClose(peer.accepted(), &QTcpSocket::disconnected);
    QCOMPARE(OperationThread::liveThreads(), 1);

    QElapsedTimer clock;
    clock.start();
    op.reset(); // the console page closed mid-run
    // A sanity bound, far below the peer's 30 s: the GUI thread did not wait.
    QVERIFY(clock.elapsed() < 2000);

    // The flow was cancelled on its thread: its socket closes, the thread
    // ends and deletes itself, and no delivery reaches the dead adapter.
    QVERIFY(peerSawClose.count() == 1 || peerSawClose.wait(5000));
    QTRY_COMPARE(OperationThread::liveThreads(), 0);
    QVERIFY(OperationThread::waitForAll(QDeadlineTimer(5000)));
    QVERIFY(!finishedCalled);
}

void TestOperation::factoryFailureIsAnError()
{
    ThreadedOperation<int> op(
        [](const WorkerLink&) -> std::unique_ptr<TypedOperation<int>> { return nullptr; });
    QSignalSpy finished(&op, &Operation::finished);
    op.start();
    QVERIFY(finished.wait(10000));
    QCOMPARE(op.result().error().code, ErrorCode::Internal);
    QCOMPARE(op.result().error().message, QStringLiteral("the operation could not be set up"));
}

QTEST_GUILESS_MAIN(TestOperation)
#include "test_operation.moc"
