// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/AcmeDirectory.h"
#include "acme/protocol/AcmeResponse.h"
#include "acme/protocol/JwsKey.h"
#include "common/Result.h"

#include <QByteArrayList>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>
#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace certdeck::acme {

/// How an AcmeClient talks to its server.
struct AcmeClientOptions
{
    /// The server's directory URL (https only).
    QUrl directoryUrl;
    /// The only roots trusted for the server's TLS certificate; empty means
    /// the system's roots. Verification is never switched off.
    QList<QSslCertificate> trustAnchors;
    /// Limit for one HTTP exchange.
    int timeoutMs = 30000;
    /// A request refused with badNonce is re-signed with the fresh nonce the
    /// refusal carried, at most this many times.
    int maxBadNonceRetries = 10;
    /// A 429/503 answer with Retry-After up to this many seconds is retried
    /// after that delay (maxRateRetries times); a longer one fails with an
    /// error that says when to try again.
    int maxRetryAfterSeconds = 30;
    int maxRateRetries = 2;
    /// Answers are JSON or a PEM chain: far below this.
    qint64 maxResponseBytes = 2 * 1024 * 1024;
};

/// The transport of an RFC 8555 client: directory, Replay-Nonce pool, JWS
/// signing with the account key (kid) or the bare key (jwk), POST-as-GET,
/// bounded re-signing on badNonce, Retry-After on 429/503, and problem
/// documents turned into plain-words errors.
///
/// Asynchronous on the thread that owns it (QNetworkAccessManager); callbacks
/// run on that thread, never after the client is destroyed. Requests are
/// logged in certdeck.acme at debug level (method, URL, status, timing, nonce
/// pool, retries); keys, tokens and payloads stay out of any output.
class AcmeClient : public QObject
{
    Q_OBJECT
public:
    template <class T>
    using Done = std::function<void(const Result<T>&)>;

    explicit AcmeClient(AcmeClientOptions options, QObject* parent = nullptr);
    ~AcmeClient() override;

    /// Reads the PEM certificates of `pemFile` as trust anchors; an error
    /// when the file is unreadable or holds no certificate.
    [[nodiscard]] static Result<QList<QSslCertificate>> loadTrustAnchors(const QString& pemFile);

    /// The key that signs requests, and the account URL used as "kid" (empty
    /// before newAccount).
    void setAccount(const JwsKey& key, const QUrl& accountUrl = {});
    void setAccountUrl(const QUrl& accountUrl) { m_accountUrl = accountUrl; }
    [[nodiscard]] const JwsKey& key() const { return m_key; }
    [[nodiscard]] QUrl accountUrl() const { return m_accountUrl; }
    [[nodiscard]] const AcmeClientOptions& options() const { return m_options; }

    /// The directory, fetched once and then cached.
    void directory(Done<AcmeDirectory> done);

    /// Signs `payload` and POSTs it to `url`. `payload` nullopt is
    /// POST-as-GET. With `useJwk` the header carries the public key instead
    /// of the account URL (newAccount). `accept` sets the Accept header
    /// (application/pem-certificate-chain for certificates). `action` says
    /// what the request is for ("creating the account"), for the error text.
    void post(const QUrl& url, const std::optional<QJsonObject>& payload, const QString& action,
              Done<AcmeResponse> done, bool useJwk = false, const QByteArray& accept = {});
    /// POST-as-GET of `url` with the account's kid.
    void postAsGet(const QUrl& url, const QString& action, Done<AcmeResponse> done,
                   const QByteArray& accept = {});

    /// An unauthenticated GET (ARI renewalInfo, RFC 9773); Retry-After and
    /// problem documents are handled as for POSTs, without retries.
    void get(const QUrl& url, const QString& action, Done<AcmeResponse> done);

    /// Drops every request in flight; their callbacks get a Cancelled error.
    void abortAll();

    /// badNonce refusals answered by re-signing, since construction.
    [[nodiscard]] int badNonceRetries() const { return m_badNonceRetries; }
    /// Nonces currently pooled (for tests: each answer refills the pool).
    [[nodiscard]] int pooledNonces() const { return static_cast<int>(m_nonces.size()); }

signals:
    /// A request was re-signed after badNonce; `total` counts all so far.
    void badNonceRetried(int total);

private:
    struct Request;
    void send(const std::shared_ptr<Request>& r);
    void sendWithNonce(const std::shared_ptr<Request>& r, const QByteArray& nonce);
    void fetchNonce(std::function<void(const Result<QByteArray>&)> done);
    void onReply(QNetworkReply* reply, const std::shared_ptr<Request>& r);
    QNetworkReply* track(QNetworkReply* reply);
    void keepNonce(QNetworkReply* reply);
    Result<AcmeResponse> readReply(QNetworkReply* reply, const QString& action,
                                   const QByteArray& body);

    AcmeClientOptions m_options;
    std::unique_ptr<QNetworkAccessManager> m_network;
    JwsKey m_key;
    QUrl m_accountUrl;
    std::optional<AcmeDirectory> m_directory;
    QByteArrayList m_nonces;
    QList<QNetworkReply*> m_inFlight;
    int m_badNonceRetries = 0;
    quint64 m_generation = 0; ///< bumped by abortAll(): stale timers do nothing
};

} // namespace certdeck::acme
