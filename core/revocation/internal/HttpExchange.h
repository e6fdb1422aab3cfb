// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace certdeck::revocation::internal {

/// One HTTP GET or POST for OCSP and CRL fetching: http or https only (also
/// after redirects, at most maxRedirects), a time limit on the whole
/// exchange, a cap on the body (the announced Content-Length and the bytes
/// received), and an answer other than 200 named as such. finished() is
/// emitted once, from the event loop; abort() ends it without finished().
class HttpExchange : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        int timeoutMs = 5000;
        qint64 maxBytes = 64 * 1024;
        int maxRedirects = 3;
    };

    /// `what` names the peer in errors ("the OCSP responder", "the CRL server").
    HttpExchange(QNetworkAccessManager* network, Limits limits, QString what,
                 QObject* parent = nullptr);
    ~HttpExchange() override;

    /// `shownAs` names the URL in errors when `url` is too long to read (an
    /// OCSP GET carries the request in its path).
    void get(const QUrl& url, const QUrl& shownAs = {});
    void post(const QUrl& url, const QByteArray& body, const QByteArray& contentType);
    /// Stops the request at once; no finished() follows.
    void abort();

    [[nodiscard]] bool isFinished() const { return m_done; }
    /// The body, or why there is none.
    [[nodiscard]] const Result<QByteArray>& result() const { return m_result; }
    /// The HTTP status when one was received, else 0.
    [[nodiscard]] int httpStatus() const { return m_status; }
    [[nodiscard]] QUrl url() const { return m_url; }

    /// http or https.
    [[nodiscard]] static bool isFetchable(const QUrl& url);

signals:
    void finished();

private:
    void send(const QUrl& url, const QByteArray* body, const QByteArray& contentType);
    [[nodiscard]] QString shown() const;
    void onReadyRead();
    void onFinished();
    void finish(Result<QByteArray> result);
    void drop();

    QNetworkAccessManager* m_network;
    Limits m_limits;
    QString m_what;
    QUrl m_url;
    QUrl m_shownAs;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timer;
    QByteArray m_body;
    int m_status = 0;
    bool m_done = false;
    Result<QByteArray> m_result;
};

} // namespace certdeck::revocation::internal
