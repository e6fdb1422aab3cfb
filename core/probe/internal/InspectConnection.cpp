// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/internal/InspectConnection.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "probe/internal/TcpConnection.h"

#include <openssl/comp.h>
#include <openssl/err.h>

namespace certdeck::probe::internal {

namespace {

// Every suite and version this OpenSSL build still has: the inspection must
// not depend on the server accepting what a modern client prefers.
constexpr const char* kCipherList = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";
constexpr const char* kTls13Suites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                                     "TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:"
                                     "TLS_AES_128_CCM_8_SHA256";
constexpr const char* kGroups =
    "X25519:P-256:X448:P-384:P-521:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192";
constexpr int kReadChunk = 16 * 1024;

int newSessionCallback(SSL* ssl, SSL_SESSION* session)
{
    auto* self = static_cast<InspectConnection*>(SSL_get_ex_data(ssl, 0));
    if (self == nullptr) {
        return 0;
    }
    self->sessionArrived(session);
    return 1; // we keep the reference
}

SharedSession share(SSL_SESSION* s)
{
    return SharedSession(s, ossl::Deleter<SSL_SESSION_free>{});
}

/// A handshake failure in plain words, from OpenSSL's reason string.
ProbeFailure handshakeFailure(const QString& step, unsigned long err, const QString& detail)
{
    const char* r = err != 0 ? ERR_reason_error_string(err) : nullptr;
    const QString reason = r != nullptr ? QString::fromUtf8(r) : QString();
    if (reason.contains(u"alert")) {
        const QString alert = reason.section(QStringLiteral("alert "), 1);
        return {ProbeFailureKind::HandshakeAlert, step,
                QStringLiteral("the server refused the handshake (TLS alert: %1)").arg(alert),
                detail};
    }
    if (reason.contains(u"unsupported protocol") || reason.contains(u"no protocols available") ||
        reason.contains(u"no shared cipher") || reason.contains(u"no suitable")) {
        return {ProbeFailureKind::HandshakeAlert, step,
                QStringLiteral("no protocol version or suite in common with the server (%1)")
                    .arg(reason),
                detail};
    }
    // Anything else is the client failing to make sense of the server's
    // bytes: garbage, a truncated or oversized record, a message out of turn.
    return {ProbeFailureKind::MalformedReply, step,
            QStringLiteral("the server did not answer with valid TLS (%1)")
                .arg(reason.isEmpty() ? QStringLiteral("unknown TLS error") : reason),
            detail};
}

QString groupName(SSL* ssl, int nid)
{
    if (nid == 0) {
        return {};
    }
    const char* name = SSL_group_to_name(ssl, nid);
    return name != nullptr ? QString::fromLatin1(name)
                           : QStringLiteral("0x%1").arg(nid & 0xFFFF, 4, 16, QLatin1Char('0'));
}

} // namespace

/// The OpenSSL side: context, connection and its two memory BIOs (owned by
/// the SSL after SSL_set_bio).
struct InspectConnection::Tls
{
    ossl::SslCtxPtr ctx;
    ossl::SslPtr ssl;
    BIO* in = nullptr;  ///< network -> OpenSSL
    BIO* out = nullptr; ///< OpenSSL -> network
};

InspectConnection::InspectConnection(InspectPlan plan, Callback done, QObject* parent)
    : QObject(parent)
    , m_plan(std::move(plan))
    , m_done(std::move(done))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        switch (m_phase) {
        case Phase::Connecting:
            failHandshake(ProbeFailureKind::Timeout, QStringLiteral("connect"),
                          QStringLiteral("no TCP connection to %1 port %2 within %3 ms")
                              .arg(m_plan.address.toString())
                              .arg(m_plan.port)
                              .arg(m_plan.connectTimeoutMs));
            break;
        case Phase::Handshaking:
            failHandshake(ProbeFailureKind::Timeout, m_plan.step,
                          QStringLiteral("the TLS handshake did not complete within %1 ms")
                              .arg(m_plan.handshakeTimeoutMs));
            break;
        case Phase::Http:
            failHttp(ProbeFailureKind::Timeout,
                     QStringLiteral("no complete HTTP response head within %1 ms (%2 bytes "
                                    "received)")
                         .arg(m_plan.afterHandshakeTimeoutMs)
                         .arg(m_httpBytes.size()));
            break;
        case Phase::SessionWait:
            finish(); // no ticket came: the outcome says so (no session)
            break;
        case Phase::Idle:
        case Phase::Done:
            break;
        }
    });
}

InspectConnection::~InspectConnection()
{
    if (m_tls && m_tls->ssl) {
        SSL_set_ex_data(m_tls->ssl.get(), 0, nullptr);
    }
}

void InspectConnection::start()
{
    m_tls = std::make_unique<Tls>();
    m_tls->ctx.reset(SSL_CTX_new(TLS_client_method()));
    SSL_CTX* ctx = m_tls->ctx.get();
    const auto setupFailed = [this](const QString& what) {
        failHandshake(ProbeFailureKind::Other, QStringLiteral("setup"), what, ossl::drainErrors());
    };
    if (ctx == nullptr) {
        setupFailed(QStringLiteral("cannot create a TLS context"));
        return;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_options(ctx,
                        SSL_OP_LEGACY_SERVER_CONNECT | (m_plan.tickets ? 0 : SSL_OP_NO_TICKET));
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, &newSessionCallback);
    if (SSL_CTX_set_min_proto_version(ctx, m_plan.minVersion) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, m_plan.maxVersion) != 1 ||
        SSL_CTX_set_cipher_list(ctx, kCipherList) != 1 ||
        SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 ||
        SSL_CTX_ctrl(ctx, SSL_CTRL_SET_GROUPS_LIST, 0, const_cast<char*>(kGroups)) != 1) {
        setupFailed(QStringLiteral("cannot configure the TLS context"));
        return;
    }
    m_tls->ssl.reset(SSL_new(ctx));
    SSL* ssl = m_tls->ssl.get();
    m_tls->in = BIO_new(BIO_s_mem());
    m_tls->out = BIO_new(BIO_s_mem());
    if (ssl == nullptr || m_tls->in == nullptr || m_tls->out == nullptr) {
        BIO_free(m_tls->in);
        BIO_free(m_tls->out);
        m_tls->in = m_tls->out = nullptr;
        setupFailed(QStringLiteral("cannot create a TLS connection"));
        return;
    }
    SSL_set_bio(ssl, m_tls->in, m_tls->out);
    SSL_set_ex_data(ssl, 0, this);
    SSL_set_connect_state(ssl);
    if (!m_plan.sni.isEmpty()) {
        QByteArray name = m_plan.sni.toUtf8();
        // SSL_set_tlsext_host_name() spelled out: the macro's C cast trips
        // -Wold-style-cast.
        if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name.data()) !=
            1) {
            setupFailed(QStringLiteral("'%1' cannot be sent as a server name").arg(m_plan.sni));
            return;
        }
    }
    if (!m_plan.alpn.isEmpty()) {
        QByteArray wire;
        for (const QByteArray& proto : m_plan.alpn) {
            wire.append(static_cast<char>(proto.size())).append(proto);
        }
        // Unlike most of OpenSSL, 0 is success here.
        if (SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(wire.constData()),
                                static_cast<unsigned>(wire.size())) != 0) {
            setupFailed(QStringLiteral("cannot offer ALPN"));
            return;
        }
    }
    if (m_plan.statusRequest) {
        SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
    }
    if (m_plan.resume && SSL_set_session(ssl, m_plan.resume.get()) != 1) {
        setupFailed(QStringLiteral("cannot offer the saved session"));
        return;
    }
    m_conn = new TcpConnection(this);
    connect(m_conn, &TcpConnection::connected, this, &InspectConnection::onConnected);
    connect(m_conn, &TcpConnection::dataReceived, this, &InspectConnection::onData);
    connect(m_conn, &TcpConnection::failed, this,
            [this](TcpConnection::Event event, const QString& detail) {
                onTcpFailed(static_cast<int>(event), detail);
            });
    m_phase = Phase::Connecting;
    m_timer.start(m_plan.connectTimeoutMs);
    if (!m_conn->connectTo(m_plan.address, m_plan.port)) {
        failHandshake(ProbeFailureKind::Other, QStringLiteral("connect"),
                      QStringLiteral("cannot open a socket"), m_conn->error());
    }
}

void InspectConnection::abort()
{
    m_finished = true;
    m_phase = Phase::Done;
    m_timer.stop();
    if (m_conn) {
        m_conn->close();
    }
}

void InspectConnection::sessionArrived(SSL_SESSION* session)
{
    if (SSL_SESSION_is_resumable(session) != 1) {
        SSL_SESSION_free(session);
        return;
    }
    unsigned int idLen = 0;
    SSL_SESSION_get_id(session, &idLen);
    m_outcome.sessionHasId = idLen > 0;
    m_outcome.sessionHasTicket = SSL_SESSION_has_ticket(session) == 1;
    m_outcome.session = share(session);
    if (m_phase == Phase::SessionWait) {
        // Called from inside SSL_read: finish from the event loop.
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (!m_finished) {
                    finish();
                }
            },
            Qt::QueuedConnection);
    }
}

void InspectConnection::onConnected()
{
    m_phase = Phase::Handshaking;
    m_timer.start(m_plan.handshakeTimeoutMs);
    drive();
}

void InspectConnection::onData()
{
    if (m_finished || !m_tls) {
        return;
    }
    const QByteArray bytes = m_conn->takeReceived();
    if (!bytes.isEmpty() &&
        BIO_write(m_tls->in, bytes.constData(), static_cast<int>(bytes.size())) !=
            static_cast<int>(bytes.size())) {
        failHandshake(ProbeFailureKind::Other, m_plan.step,
                      QStringLiteral("cannot buffer the server's bytes"), ossl::drainErrors());
        return;
    }
    drive();
}

void InspectConnection::onTcpFailed(int event, const QString& detail)
{
    if (m_finished) {
        return;
    }
    const auto e = static_cast<TcpConnection::Event>(event);
    if (e == TcpConnection::Event::Closed) {
        // Bytes read before the FIN are still in the BIO: let OpenSSL see
        // them, then the end of the stream.
        m_eof = true;
        BIO_set_mem_eof_return(m_tls->in, 0);
        drive();
        return;
    }
    const QString where = m_phase == Phase::Connecting ? QStringLiteral("connect") : m_plan.step;
    ProbeFailureKind kind = ProbeFailureKind::Other;
    QString message = QStringLiteral("the connection failed");
    switch (e) {
    case TcpConnection::Event::Refused:
        kind = ProbeFailureKind::Refused;
        message = QStringLiteral("%1 port %2 refused the connection")
                      .arg(m_plan.address.toString())
                      .arg(m_plan.port);
        break;
    case TcpConnection::Event::Unreachable:
        kind = ProbeFailureKind::Unreachable;
        message = QStringLiteral("%1 port %2 cannot be reached")
                      .arg(m_plan.address.toString())
                      .arg(m_plan.port);
        break;
    case TcpConnection::Event::Reset:
        kind = ProbeFailureKind::Reset;
        message = QStringLiteral("the server reset the connection");
        break;
    default:
        break;
    }
    if (m_phase == Phase::Http) {
        failHttp(kind, message, detail);
    } else if (m_phase == Phase::SessionWait) {
        finish();
    } else {
        failHandshake(kind, where, message, detail);
    }
}

void InspectConnection::flushOut()
{
    char buf[kReadChunk];
    for (;;) {
        const int n = BIO_read(m_tls->out, buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        m_conn->send(QByteArray(buf, n));
    }
}

void InspectConnection::drive()
{
    if (m_finished || !m_tls) {
        return;
    }
    SSL* ssl = m_tls->ssl.get();
    if (m_phase == Phase::Handshaking) {
        ERR_clear_error();
        const int rc = SSL_do_handshake(ssl);
        flushOut();
        if (rc == 1) {
            onHandshakeDone();
            return;
        }
        const int e = SSL_get_error(ssl, rc);
        if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && !m_eof) {
            return; // more bytes from the server
        }
        const unsigned long first = ERR_peek_error();
        const QString detail = ossl::drainErrors();
        if (first == 0 || e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN || m_eof) {
            failHandshake(ProbeFailureKind::Closed, m_plan.step,
                          QStringLiteral("the server closed the connection during the TLS "
                                         "handshake"),
                          detail);
            return;
        }
        const ProbeFailure f = handshakeFailure(m_plan.step, first, detail);
        failHandshake(f.kind, f.step, f.message, f.detail);
        return;
    }
    if (m_phase == Phase::Http || m_phase == Phase::SessionWait) {
        readAfterHandshake();
    }
}

void InspectConnection::onHandshakeDone()
{
    SSL* ssl = m_tls->ssl.get();
    InspectOutcome& o = m_outcome;
    o.handshakeOk = true;
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
        X509* x = sk_X509_value(chain, i);
        const int len = i2d_X509(x, nullptr);
        if (len <= 0) {
            continue;
        }
        QByteArray der(len, Qt::Uninitialized);
        auto* p = reinterpret_cast<unsigned char*>(der.data());
        if (i2d_X509(x, &p) == len) {
            o.chainDer << der;
        }
    }
    o.protocol = QString::fromLatin1(SSL_get_version(ssl));
    if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl); c != nullptr) {
        o.cipher = QString::fromLatin1(SSL_CIPHER_get_name(c));
    }
    o.group = groupName(ssl, static_cast<int>(SSL_get_negotiated_group(ssl)));
    EVP_PKEY* tmp = nullptr;
    if (SSL_get_peer_tmp_key(ssl, &tmp) == 1 && tmp != nullptr) {
        const ossl::PKeyPtr key(tmp);
        if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_DH) {
            o.dhBits = EVP_PKEY_get_bits(key.get());
            if (o.group.isEmpty()) {
                o.group = QStringLiteral("DHE %1 bits").arg(*o.dhBits);
            }
        } else if (o.group.isEmpty()) {
            char name[80] = {};
            size_t len = 0;
            if (EVP_PKEY_get_group_name(key.get(), name, sizeof name, &len) == 1) {
                o.group = QString::fromLatin1(name, static_cast<qsizetype>(len));
            } else {
                o.group = QString::fromLatin1(EVP_PKEY_get0_type_name(key.get()));
            }
        }
    }
    ERR_clear_error();
    if (SSL_version(ssl) < TLS1_3_VERSION) {
        o.secureRenegotiation = SSL_get_secure_renegotiation_support(ssl) == 1;
    }
    if (const COMP_METHOD* comp = SSL_get_current_compression(ssl); comp != nullptr) {
        o.compression = QString::fromLatin1(SSL_COMP_get_name(comp));
    }
    const unsigned char* alpn = nullptr;
    unsigned int alpnLen = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpnLen);
    if (alpn != nullptr && alpnLen > 0) {
        o.alpnSelected = QString::fromLatin1(reinterpret_cast<const char*>(alpn),
                                             static_cast<qsizetype>(alpnLen));
    }
    if (m_plan.statusRequest) {
        unsigned char* resp = nullptr;
        const long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
        if (resp != nullptr && len > 0) {
            o.staple = QByteArray(reinterpret_cast<const char*>(resp), static_cast<qsizetype>(len));
        }
    }
    o.reused = SSL_session_reused(ssl) == 1;
    if (!m_plan.httpRequest.isEmpty()) {
        ERR_clear_error();
        // A memory BIO takes the whole record at once.
        if (SSL_write(ssl, m_plan.httpRequest.constData(),
                      static_cast<int>(m_plan.httpRequest.size())) <= 0) {
            const QString detail = ossl::drainErrors();
            m_phase = Phase::Http;
            failHttp(ProbeFailureKind::Other, QStringLiteral("cannot send the HTTP request"),
                     detail);
            return;
        }
        flushOut();
        m_phase = Phase::Http;
        m_timer.start(m_plan.afterHandshakeTimeoutMs);
        readAfterHandshake();
        return;
    }
    if (m_plan.waitForSession && !o.session) {
        // TLS 1.3 sends the session in a NewSessionTicket after the
        // handshake. Say goodbye and read until the server closes: a ticket
        // comes before its close, so no guessing how long to wait.
        ERR_clear_error();
        SSL_shutdown(ssl);
        flushOut();
        m_phase = Phase::SessionWait;
        m_timer.start(m_plan.afterHandshakeTimeoutMs);
        readAfterHandshake();
        return;
    }
    finish();
}

void InspectConnection::readAfterHandshake()
{
    SSL* ssl = m_tls->ssl.get();
    char buf[kReadChunk];
    for (;;) {
        if (m_finished) {
            return;
        }
        ERR_clear_error();
        const int n = SSL_read(ssl, buf, sizeof buf);
        flushOut();
        if (n > 0) {
            if (m_phase == Phase::Http) {
                m_httpBytes.append(buf, n);
                const HttpResponseHead head = parseHttpResponseHead(m_httpBytes);
                if (head.state == HttpResponseHead::State::Complete) {
                    m_outcome.http = head;
                    finish();
                    return;
                }
                if (head.state == HttpResponseHead::State::Malformed) {
                    m_outcome.http = head;
                    failHttp(ProbeFailureKind::MalformedReply, head.error);
                    return;
                }
            }
            continue; // SessionWait: data we did not ask for is dropped
        }
        const int e = SSL_get_error(ssl, n);
        if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && !m_eof) {
            return;
        }
        const QString detail = ossl::drainErrors();
        if (m_phase == Phase::Http) {
            failHttp(m_httpBytes.isEmpty() ? ProbeFailureKind::Closed
                                           : ProbeFailureKind::MalformedReply,
                     m_httpBytes.isEmpty()
                         ? QStringLiteral("the server closed the connection without answering "
                                          "the HTTP request")
                         : QStringLiteral("the server closed the connection in the middle of "
                                          "the HTTP response head (%1 bytes)")
                               .arg(m_httpBytes.size()),
                     detail);
        } else {
            finish(); // closed: whatever session arrived is the outcome
        }
        return;
    }
}

void InspectConnection::failHandshake(ProbeFailureKind kind, const QString& step,
                                      const QString& message, const QString& detail)
{
    if (m_finished) {
        return;
    }
    m_outcome.failure = ProbeFailure{kind, step, message, detail};
    finish();
}

void InspectConnection::failHttp(ProbeFailureKind kind, const QString& message,
                                 const QString& detail)
{
    if (m_finished) {
        return;
    }
    m_outcome.httpFailure = ProbeFailure{kind, QStringLiteral("http"), message, detail};
    finish();
}

void InspectConnection::finish()
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_phase = Phase::Done;
    m_timer.stop();
    if (m_tls && m_tls->ssl && m_outcome.handshakeOk && m_conn != nullptr && !m_eof) {
        ERR_clear_error();
        if ((SSL_get_shutdown(m_tls->ssl.get()) & SSL_SENT_SHUTDOWN) == 0) {
            SSL_shutdown(m_tls->ssl.get()); // close_notify, not waiting for the server's
            flushOut();
        }
        ERR_clear_error();
    }
    if (m_conn != nullptr) {
        m_conn->close();
    }
    m_done(this, m_outcome);
}

} // namespace certdeck::probe::internal
