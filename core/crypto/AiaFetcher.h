// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace certdeck::crypto {

/// How far an AIA fetch may go.
struct AiaLimits
{
    int timeoutMs = 5000;        ///< the whole fetch, redirects included
    qint64 maxBytes = 64 * 1024; ///< issuers are ~1-2 KiB; more is not one
    int maxRedirects = 3;
};

/// Fetches a missing issuer from an AIA caIssuers URL: plain http only (an
/// https fetch would itself need a verified chain), with a time limit and a
/// size cap; the answer may be DER, PEM or a PKCS#7 certs-only bundle.
/// One fetch per object; emits finished() exactly once, then result() holds
/// the certificates or the error.
class AiaFetcher : public QObject
{
    Q_OBJECT
public:
    /// Uses `network` (not owned) for the request.
    explicit AiaFetcher(QNetworkAccessManager* network, AiaLimits limits = {},
                        QObject* parent = nullptr);
    ~AiaFetcher() override;

    /// Starts the fetch; finished() follows, possibly before this returns
    /// when the URL is refused outright.
    void fetch(const QUrl& url);
    /// Stops the fetch; finished() follows with a Cancelled error.
    void cancel();

    [[nodiscard]] bool isFinished() const { return m_done; }
    [[nodiscard]] const Result<QList<Certificate>>& result() const { return m_result; }
    [[nodiscard]] QUrl url() const { return m_url; }

    /// The AIA caIssuers URIs of `cert`, in order.
    [[nodiscard]] static QList<QUrl> caIssuersUrls(const Certificate& cert);
    /// Parses a caIssuers answer: DER certificate, PEM certificates or a
    /// PKCS#7 (DER) certs-only bundle.
    [[nodiscard]] static Result<QList<Certificate>> parseResponse(const QByteArray& body,
                                                                  const QString& origin);

signals:
    void finished();

private:
    void onReadyRead();
    void onFinished();
    void finish(Result<QList<Certificate>> result);

    QNetworkAccessManager* m_network;
    AiaLimits m_limits;
    QUrl m_url;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timer;
    QByteArray m_body;
    bool m_done = false;
    Result<QList<Certificate>> m_result;
};

} // namespace certdeck::crypto
