// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"
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
/// One fetch per object, an Operation on the caller's thread (its contract):
/// cancel() aborts the request and closes its socket at once; result() holds
/// the certificates or the error once finished().
class AiaFetcher : public TypedOperation<QList<Certificate>>
{
    Q_OBJECT
public:
    /// Uses `network` (not owned) for the request.
    explicit AiaFetcher(QNetworkAccessManager* network, AiaLimits limits = {},
                        QObject* parent = nullptr);
    ~AiaFetcher() override;

    /// The URL start() fetches.
    void setUrl(const QUrl& url) { m_url = url; }
    /// setUrl() and start().
    void fetch(const QUrl& url);

    [[nodiscard]] QUrl url() const { return m_url; }

    /// The AIA caIssuers URIs of `cert`, in order.
    [[nodiscard]] static QList<QUrl> caIssuersUrls(const Certificate& cert);
    /// Parses a caIssuers answer: DER certificate, PEM certificates or a
    /// PKCS#7 (DER) certs-only bundle.
    [[nodiscard]] static Result<QList<Certificate>> parseResponse(const QByteArray& body,
                                                                  const QString& origin);

protected:
    void onStart() override;
    void onCancel() override;

private:
    void onReadyRead();
    void onFinished();
    void conclude(Result<QList<Certificate>> result);

    QNetworkAccessManager* m_network;
    AiaLimits m_limits;
    QUrl m_url;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timer;
    QByteArray m_body;
};

} // namespace certdeck::crypto
