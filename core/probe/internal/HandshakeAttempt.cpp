// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/internal/HandshakeAttempt.h"

#include "probe/internal/TcpConnection.h"

namespace certdeck::probe::internal {

HandshakeAttempt::HandshakeAttempt(QHostAddress address, quint16 port, QByteArray clientHello,
                                   ServerReplyParser::Goal goal, const ProbeOptions& options,
                                   Callback done, QObject* parent)
    : QObject(parent)
    , m_address(std::move(address))
    , m_port(port)
    , m_hello(std::move(clientHello))
    , m_goal(goal)
    , m_options(options)
    , m_done(std::move(done))
{
    for (QTimer* t : {&m_connectTimer, &m_firstByteTimer, &m_replyTimer}) {
        t->setSingleShot(true);
    }
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        failWith(ProbeFailureKind::Timeout, QStringLiteral("connect"),
                 QStringLiteral("no TCP connection to %1 port %2 within %3 ms")
                     .arg(m_address.toString())
                     .arg(m_port)
                     .arg(m_options.connectTimeoutMs));
    });
    connect(&m_firstByteTimer, &QTimer::timeout, this, [this] {
        failWith(ProbeFailureKind::Timeout, QStringLiteral("first byte"),
                 QStringLiteral("the server sent nothing within %1 ms of the ClientHello")
                     .arg(m_options.firstByteTimeoutMs));
    });
    connect(&m_replyTimer, &QTimer::timeout, this, [this] {
        failWith(ProbeFailureKind::Timeout, QStringLiteral("reply"),
                 QStringLiteral("the server's reply was not complete within %1 ms (%2 bytes "
                                "received)")
                     .arg(m_options.replyTimeoutMs)
                     .arg(m_conn ? m_conn->received().size() : 0));
    });
}

HandshakeAttempt::~HandshakeAttempt() = default;

void HandshakeAttempt::start()
{
    m_conn = new TcpConnection(this);
    connect(m_conn, &TcpConnection::connected, this, &HandshakeAttempt::onConnected);
    connect(m_conn, &TcpConnection::dataReceived, this, &HandshakeAttempt::onData);
    connect(m_conn, &TcpConnection::failed, this,
            [this](TcpConnection::Event event, const QString& detail) {
                const bool connecting = m_connectTimer.isActive();
                const QString step =
                    connecting ? QStringLiteral("connect") : QStringLiteral("reply");
                switch (event) {
                case TcpConnection::Event::Refused:
                    failWith(ProbeFailureKind::Refused, step,
                             QStringLiteral("%1 port %2 refused the connection")
                                 .arg(m_address.toString())
                                 .arg(m_port),
                             detail);
                    break;
                case TcpConnection::Event::Unreachable:
                    failWith(ProbeFailureKind::Unreachable, step,
                             QStringLiteral("%1 port %2 cannot be reached")
                                 .arg(m_address.toString())
                                 .arg(m_port),
                             detail);
                    break;
                case TcpConnection::Event::Reset:
                    failWith(ProbeFailureKind::Reset, step,
                             QStringLiteral("the server reset the connection after %1 bytes")
                                 .arg(m_conn->received().size()),
                             detail);
                    break;
                case TcpConnection::Event::Closed:
                    if (!m_conn->received().isEmpty()) {
                        // Part of a reply, then nothing: a truncated message
                        // is a broken server, not a refusal.
                        failWith(ProbeFailureKind::MalformedReply, step,
                                 QStringLiteral("the server closed the connection in the middle "
                                                "of its reply (after %1 bytes)")
                                     .arg(m_conn->received().size()),
                                 QString::fromLatin1(m_conn->received().left(16).toHex(' ')));
                        break;
                    }
                    failWith(ProbeFailureKind::Closed, step,
                             QStringLiteral("the server closed the connection after %1 bytes "
                                            "without a complete answer")
                                 .arg(m_conn->received().size()),
                             detail);
                    break;
                case TcpConnection::Event::Other:
                    failWith(ProbeFailureKind::Other, step, QStringLiteral("the connection failed"),
                             detail);
                    break;
                }
            });
    m_connectTimer.start(m_options.connectTimeoutMs);
    if (!m_conn->connectTo(m_address, m_port)) {
        failWith(ProbeFailureKind::Other, QStringLiteral("connect"),
                 QStringLiteral("cannot open a socket"), m_conn->error());
    }
}

void HandshakeAttempt::abort()
{
    m_finished = true;
    m_connectTimer.stop();
    m_firstByteTimer.stop();
    m_replyTimer.stop();
    if (m_conn) {
        m_conn->close();
    }
}

void HandshakeAttempt::onConnected()
{
    m_connectTimer.stop();
    m_firstByteTimer.start(m_options.firstByteTimeoutMs);
    m_replyTimer.start(m_options.replyTimeoutMs);
    m_conn->send(m_hello);
}

void HandshakeAttempt::onData()
{
    m_firstByteTimer.stop();
    const auto parsed = ServerReplyParser::parse(m_conn->received(), m_goal);
    if (!parsed) {
        failWith(ProbeFailureKind::MalformedReply, QStringLiteral("reply"), parsed.error().message,
                 parsed.error().detail);
        return;
    }
    if (!*parsed) {
        return; // need more bytes
    }
    AttemptOutcome outcome;
    outcome.reply = **parsed;
    finish(std::move(outcome));
}

void HandshakeAttempt::failWith(ProbeFailureKind kind, const QString& step, const QString& message,
                                const QString& detail)
{
    AttemptOutcome outcome;
    outcome.failure = ProbeFailure{kind, step, message, detail};
    finish(std::move(outcome));
}

void HandshakeAttempt::finish(AttemptOutcome outcome)
{
    if (m_finished) {
        return;
    }
    abort();
    // Copy: the callback may schedule this object's deletion.
    const Callback done = m_done;
    done(this, outcome);
}

} // namespace certdeck::probe::internal
