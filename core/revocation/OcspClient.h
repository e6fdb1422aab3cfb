// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"
#include "revocation/OcspRequest.h"
#include "revocation/OcspResponse.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <memory>

class QNetworkAccessManager;

namespace certdeck::revocation {

namespace internal {
class HttpExchange;
} // namespace internal

/// How an OcspClient asks.
struct OcspClientOptions
{
    enum class Method
    {
        Auto, ///< GET when the encoded request is short (RFC 5019), POST otherwise and
              ///< when a GET is refused (an HTTP error or no OCSP response)
        Get,  ///< GET only (RFC 6960 A.1)
        Post, ///< POST only (application/ocsp-request)
    };
    Method method = Method::Auto;
    int timeoutMs = 5000;        ///< per HTTP exchange
    qint64 maxBytes = 64 * 1024; ///< OCSP responses are ~1-4 KiB
    bool nonce = true;
    bool useCache = true; ///< answer from / fill RevocationCache
    QDateTime now;        ///< null: the current time when the answer arrives
};

/// One answer from a responder.
struct OcspAnswer
{
    QUrl url;       ///< the responder asked
    QString method; ///< "GET", "POST" ("GET, then POST" after a fallback)
    bool fromCache = false;
    QByteArray der; ///< the response as received
    OcspResponseCheck response;
};

/// Asks one OCSP responder about one certificate (RFC 6960): builds the
/// request with a nonce (RFC 8954), sends it by GET or POST on the calling
/// thread's event loop, then checks the response off that thread (signature
/// by the issuer or its delegated responder, CertID, nonce, thisUpdate and
/// nextUpdate). Verified answers go into RevocationCache until nextUpdate.
///
/// The result is an error only when no response came (unreachable, timeout,
/// HTTP error, oversized answer); a response that came but does not verify is
/// an OcspAnswer whose response.problems say why. finished() is emitted
/// exactly once, from the event loop; also after cancel(). Destroying the
/// client never waits for a check in progress: its result is dropped.
class OcspClient : public QObject
{
    Q_OBJECT
public:
    /// Uses `network` (not owned) for the requests.
    explicit OcspClient(QNetworkAccessManager* network, OcspClientOptions options = {},
                        QObject* parent = nullptr);
    ~OcspClient() override;

    void check(const QUrl& responder, const crypto::Certificate& cert,
               const crypto::Certificate& issuer);
    /// Aborts the open request; finished() follows with a Cancelled error.
    void cancel();

    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] const Result<OcspAnswer>& result() const { return m_result; }
    /// The request sent (its nonce, its CertID); empty before check().
    [[nodiscard]] const OcspRequest& request() const { return m_request; }

signals:
    void finished();

private:
    void send(bool asGet);
    void onExchange();
    void verify(const QByteArray& der);
    void onVerified(const OcspResponseCheck& response);
    void finish(Result<OcspAnswer> result);
    [[nodiscard]] QDateTime now() const;

    QNetworkAccessManager* m_network;
    OcspClientOptions m_options;
    QUrl m_url;
    crypto::Certificate m_cert;
    crypto::Certificate m_issuer;
    OcspRequest m_request;
    QString m_method;
    bool m_triedGet = false;
    std::unique_ptr<internal::HttpExchange> m_exchange;
    QPointer<QObject> m_verifying; ///< receives the check from the pool (runOnPool)
    QByteArray m_der;
    bool m_started = false;
    bool m_finished = false;
    Result<OcspAnswer> m_result;
};

} // namespace certdeck::revocation
