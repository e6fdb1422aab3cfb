// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/internal/HttpExchange.h"

#include "revocation/internal/RevocationLog.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace certdeck::revocation::internal {

HttpExchange::HttpExchange(QNetworkAccessManager* network, Limits limits, QString what,
                           QObject* parent)
    : QObject(parent)
    , m_network(network)
    , m_limits(limits)
    , m_what(std::move(what))
    , m_result(fail(ErrorCode::Internal, QStringLiteral("the request has not run")))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        finish(fail(ErrorCode::Timeout, QStringLiteral("%1 at %2 did not answer within %3 s")
                                            .arg(m_what, shown())
                                            .arg(m_limits.timeoutMs / 1000.0)));
    });
}

HttpExchange::~HttpExchange()
{
    drop();
}

bool HttpExchange::isFetchable(const QUrl& url)
{
    const QString scheme = url.scheme().toLower();
    return url.isValid() && !url.host().isEmpty() &&
           (scheme == QLatin1String("http") || scheme == QLatin1String("https"));
}

void HttpExchange::get(const QUrl& url, const QUrl& shownAs)
{
    m_shownAs = shownAs;
    send(url, nullptr, {});
}

QString HttpExchange::shown() const
{
    return (m_shownAs.isValid() ? m_shownAs : m_url).toString();
}

void HttpExchange::post(const QUrl& url, const QByteArray& body, const QByteArray& contentType)
{
    send(url, &body, contentType);
}

void HttpExchange::send(const QUrl& url, const QByteArray* body, const QByteArray& contentType)
{
    m_url = url;
    if (!isFetchable(url)) {
        // Through the event loop like every other end.
        m_done = true;
        m_result = fail(ErrorCode::Unsupported,
                        QStringLiteral("%1 URL %2 is not http or https; it is not fetched")
                            .arg(m_what, shown()));
        QMetaObject::invokeMethod(this, &HttpExchange::finished, Qt::QueuedConnection);
        return;
    }
    QNetworkRequest req(url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                     QNetworkRequest::UserVerifiedRedirectPolicy);
    req.setMaximumRedirectsAllowed(m_limits.maxRedirects);
    req.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("CertDeck"));
    // An answer that says "revoked" must not come from a cache on the way.
    req.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    if (body != nullptr) {
        req.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        m_reply = m_network->post(req, *body);
    } else {
        m_reply = m_network->get(req);
    }
    qCDebug(lcRevocation) << (body != nullptr ? "POST" : "GET") << url.toString(QUrl::RemovePath)
                          << "path bytes" << url.path(QUrl::FullyEncoded).size();
    connect(m_reply, &QNetworkReply::readyRead, this, &HttpExchange::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &HttpExchange::onFinished);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, [this] {
        if (m_done || !m_reply) {
            return;
        }
        const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > m_limits.maxBytes) {
            finish(fail(ErrorCode::Protocol, QStringLiteral("%1 at %2 announces %3 bytes; at most "
                                                            "%4 are accepted")
                                                 .arg(m_what, shown())
                                                 .arg(length.toLongLong())
                                                 .arg(m_limits.maxBytes)));
        }
    });
    connect(m_reply, &QNetworkReply::redirected, this, [this](const QUrl& to) {
        if (m_done || !m_reply) {
            return;
        }
        if (!isFetchable(to)) {
            finish(fail(ErrorCode::Unsupported,
                        QStringLiteral("%1 at %2 redirects to %3, which is not http or https")
                            .arg(m_what, shown(), to.toString())));
            return;
        }
        emit m_reply->redirectAllowed();
    });
    m_timer.start(m_limits.timeoutMs);
}

void HttpExchange::abort()
{
    m_done = true;
    m_timer.stop();
    drop();
}

void HttpExchange::onReadyRead()
{
    if (m_done || !m_reply) {
        return;
    }
    if (m_body.size() + m_reply->bytesAvailable() > m_limits.maxBytes) {
        finish(fail(ErrorCode::Protocol, QStringLiteral("%1 at %2 sent more than %3 bytes; the "
                                                        "answer is refused")
                                             .arg(m_what, shown())
                                             .arg(m_limits.maxBytes)));
        return;
    }
    m_body += m_reply->readAll();
}

void HttpExchange::onFinished()
{
    if (m_done || !m_reply) {
        return;
    }
    onReadyRead();
    if (m_done) {
        return;
    }
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    m_status = status.isValid() ? status.toInt() : 0;
    if (m_status >= 300 && m_status < 400) {
        // Qt follows http(s) redirects through redirected(); one still here
        // points elsewhere (or went past maxRedirects).
        const QUrl to = m_reply->url().resolved(QUrl::fromEncoded(m_reply->rawHeader("Location")));
        finish(fail(ErrorCode::Protocol,
                    isFetchable(to)
                        ? QStringLiteral("%1 at %2 redirects more than %3 times")
                              .arg(m_what, shown())
                              .arg(m_limits.maxRedirects)
                        : QStringLiteral("%1 at %2 redirects to %3, which is not http or https; "
                                         "not followed")
                              .arg(m_what, shown(), to.toString())));
        return;
    }
    if (status.isValid() && m_status != 200) {
        finish(
            fail(ErrorCode::Protocol,
                 QStringLiteral("%1 at %2 answered HTTP %3 %4")
                     .arg(m_what, shown())
                     .arg(m_status)
                     .arg(m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString())
                     .trimmed()));
        return;
    }
    if (m_reply->error() != QNetworkReply::NoError) {
        const bool timeout = m_reply->error() == QNetworkReply::TimeoutError;
        finish(fail(timeout ? ErrorCode::Timeout : ErrorCode::Network,
                    QStringLiteral("%1 at %2 could not be reached: %3")
                        .arg(m_what, shown(), m_reply->errorString())));
        return;
    }
    finish(std::move(m_body));
}

void HttpExchange::finish(Result<QByteArray> result)
{
    if (m_done) {
        return;
    }
    m_done = true;
    m_timer.stop();
    m_result = std::move(result);
    if (!m_result) {
        qCDebug(lcRevocation) << "request failed:" << m_result.error().message;
    }
    drop();
    m_body.clear();
    emit finished();
}

void HttpExchange::drop()
{
    if (m_reply) {
        // abort() emits finished() on the reply; nobody listens any more.
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply.clear();
    }
}

} // namespace certdeck::revocation::internal
