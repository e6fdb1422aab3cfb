// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/inspect/HttpResponseHead.h"
#include "probe/scan/ProbeResult.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>
#include <functional>
#include <memory>
#include <optional>

struct ssl_st;
struct ssl_session_st;

namespace certdeck::probe::internal {

class TcpConnection;

/// A session kept for a resumption attempt (shared: the plan of the second
/// connection holds it while the first outcome is still around).
using SharedSession = std::shared_ptr<ssl_session_st>;

/// What one OpenSSL connection is asked to do.
struct InspectPlan
{
    QString step; ///< "handshake", "ALPN h2", "TLSv1.3 resumption" (for errors)
    QHostAddress address;
    quint16 port = 443;
    QString sni;                 ///< empty: none
    int minVersion = 0x0301;     ///< TLS 1.0
    int maxVersion = 0x0304;     ///< TLS 1.3
    QList<QByteArray> alpn;      ///< protocols to offer; empty: no ALPN
    bool statusRequest = false;  ///< ask for an OCSP staple
    bool tickets = true;         ///< offer TLS 1.2 session tickets
    SharedSession resume;        ///< offer this session
    bool waitForSession = false; ///< after the handshake, wait for a resumable session
    QByteArray httpRequest;      ///< sent after the handshake; the answer's head is read
    int connectTimeoutMs = 5000;
    int handshakeTimeoutMs = 10000;      ///< connected -> handshake done
    int afterHandshakeTimeoutMs = 10000; ///< HTTP head, or the session to arrive
};

/// What one OpenSSL connection found.
struct InspectOutcome
{
    std::optional<ProbeFailure> failure; ///< the handshake did not complete
    bool handshakeOk = false;
    QList<QByteArray> chainDer;
    QString protocol;
    QString cipher;
    QString group;
    std::optional<int> dhBits;
    std::optional<bool> secureRenegotiation;
    QString compression;
    QString alpnSelected;
    QByteArray staple;
    bool reused = false;
    SharedSession session; ///< the resumable session the server gave, if any
    bool sessionHasTicket = false;
    bool sessionHasId = false;
    std::optional<HttpResponseHead> http;    ///< set when a head was parsed
    std::optional<ProbeFailure> httpFailure; ///< the request got no (complete) answer
};

/// One TLS connection through OpenSSL over memory BIOs, fed by a
/// non-blocking TcpConnection on the caller's event loop: connect,
/// handshake (WANT_READ/WANT_WRITE handled by moving bytes between the BIOs
/// and the socket), then optionally one HTTP request or a wait for the
/// session ticket, close_notify, close. A timer guards every step.
class InspectConnection : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(InspectConnection*, const InspectOutcome&)>;

    InspectConnection(InspectPlan plan, Callback done, QObject* parent = nullptr);
    ~InspectConnection() override;

    /// Connects; the callback runs exactly once unless abort() comes first.
    void start();
    /// Stops without calling back.
    void abort();

    /// For OpenSSL's new-session callback.
    void sessionArrived(ssl_session_st* session);

private:
    enum class Phase
    {
        Idle,
        Connecting,
        Handshaking,
        Http,
        SessionWait,
        Done,
    };
    struct Tls;

    void onConnected();
    void onData();
    void onTcpFailed(int event, const QString& detail);
    void drive();
    void onHandshakeDone();
    void readAfterHandshake();
    void flushOut();
    void failHandshake(ProbeFailureKind kind, const QString& step, const QString& message,
                       const QString& detail = {});
    void failHttp(ProbeFailureKind kind, const QString& message, const QString& detail = {});
    void finish();

    InspectPlan m_plan;
    Callback m_done;
    InspectOutcome m_outcome;
    std::unique_ptr<Tls> m_tls;
    TcpConnection* m_conn = nullptr;
    QTimer m_timer;
    Phase m_phase = Phase::Idle;
    QByteArray m_httpBytes;
    bool m_eof = false;
    bool m_finished = false;
};

} // namespace certdeck::probe::internal
