// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/scan/ProbeRequest.h"
#include "probe/scan/ProbeResult.h"
#include "probe/wire/ServerReplyParser.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>
#include <functional>
#include <optional>

namespace certdeck::probe::internal {

class TcpConnection;

/// What one connection ended with: a decoded reply, or a failure.
struct AttemptOutcome
{
    std::optional<ServerReply> reply;
    std::optional<ProbeFailure> failure;
};

/// One connection: connect, send a ClientHello, read until the reply parses,
/// then close. Each step has its own timer (connect, first byte, whole reply)
/// so a silent firewall, a mute server and a slow drip are told apart.
class HandshakeAttempt : public QObject
{
    Q_OBJECT
public:
    /// Called with this attempt (to be released with deleteLater()) and its outcome.
    using Callback = std::function<void(HandshakeAttempt*, const AttemptOutcome&)>;

    HandshakeAttempt(QHostAddress address, quint16 port, QByteArray clientHello,
                     ServerReplyParser::Goal goal, const ProbeOptions& options, Callback done,
                     QObject* parent = nullptr);
    ~HandshakeAttempt() override;

    /// Connects; the callback runs exactly once unless abort() comes first.
    void start();
    /// Stops without calling back.
    void abort();

private:
    void onConnected();
    void onData();
    void finish(AttemptOutcome outcome);
    void failWith(ProbeFailureKind kind, const QString& step, const QString& message,
                  const QString& detail = {});

    QHostAddress m_address;
    quint16 m_port;
    QByteArray m_hello;
    ServerReplyParser::Goal m_goal;
    ProbeOptions m_options;
    Callback m_done;
    TcpConnection* m_conn = nullptr;
    QTimer m_connectTimer;
    QTimer m_firstByteTimer;
    QTimer m_replyTimer;
    bool m_finished = false;
};

} // namespace certdeck::probe::internal
