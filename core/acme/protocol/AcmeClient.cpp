// SPDX-License-Identifier: GPL-3.0-or-later
// The ACME transport is written here rather than taken from a library: no
// Debian-packaged C++ ACME client exists, and the flow needs Qt's event loop.
#include "acme/protocol/AcmeClient.h"

#include "acme/internal/Log.h"
#include "acme/protocol/AcmeProblem.h"
#include "acme/protocol/Base64Url.h"
#include "acme/protocol/Jws.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslConfiguration>
#include <QTimer>

namespace certdeck::acme {

namespace {

constexpr qsizetype kMaxPooledNonces = 16;

Error cancelledError(const QString& action)
{
    return Error{ErrorCode::Cancelled, action + QStringLiteral(": cancelled"), {}};
}

QString sslErrorsText(const QList<QSslError>& errors)
{
    QStringList parts;
    for (const QSslError& e : errors) {
        parts << e.errorString();
    }
    return parts.join(QStringLiteral("; "));
}

// "POST https://... -> 201 in 12 ms": what support needs, never a body.
void logReply(const char* method, QNetworkReply* reply, const QElapsedTimer& clock)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    qCDebug(lcAcme).noquote() << method << reply->url().toString() << "->"
                              << (status != 0
                                      ? QString::number(status)
                                      : QStringLiteral("no answer (%1)").arg(reply->errorString()))
                              << "in" << clock.elapsed() << "ms";
}

} // namespace

struct AcmeClient::Request
{
    QUrl url;
    std::optional<QJsonObject> payload;
    QString action;
    Done<AcmeResponse> done;
    bool useJwk = false;
    QByteArray accept;
    int badNonceLeft = 0;
    int rateLeft = 0;
    quint64 generation = 0;
};

AcmeClient::AcmeClient(AcmeClientOptions options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_network(std::make_unique<QNetworkAccessManager>())
{
    // ACME answers 3xx only for errors; a redirect must not move a signed
    // request to another URL than the one in its protected header.
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

AcmeClient::~AcmeClient()
{
    ++m_generation;
    for (QNetworkReply* reply : std::as_const(m_inFlight)) {
        reply->disconnect(this);
        reply->abort();
    }
}

Result<QList<QSslCertificate>> AcmeClient::loadTrustAnchors(const QString& pemFile)
{
    QFile f(pemFile);
    if (!f.open(QIODevice::ReadOnly)) {
        return fail(f.exists() ? ErrorCode::Io : ErrorCode::NotFound,
                    QStringLiteral("cannot read the ACME server's CA file %1").arg(pemFile),
                    f.errorString());
    }
    const QList<QSslCertificate> certs = QSslCertificate::fromData(f.read(4 * 1024 * 1024));
    if (certs.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 holds no PEM certificate to trust for the ACME server")
                        .arg(pemFile));
    }
    return certs;
}

void AcmeClient::setAccount(const JwsKey& key, const QUrl& accountUrl)
{
    m_key = key;
    m_accountUrl = accountUrl;
}

QNetworkReply* AcmeClient::track(QNetworkReply* reply)
{
    m_inFlight << reply;
    connect(reply, &QObject::destroyed, this, [this, reply] { m_inFlight.removeAll(reply); });
    const qint64 cap = m_options.maxResponseBytes;
    connect(reply, &QNetworkReply::downloadProgress, this, [reply, cap](qint64 received, qint64) {
        if (received > cap) {
            reply->setProperty("certdeckTooBig", true);
            reply->abort();
        }
    });
    return reply;
}

namespace {

QNetworkRequest makeRequest(const QUrl& url, const AcmeClientOptions& options)
{
    QNetworkRequest req(url);
    req.setTransferTimeout(options.timeoutMs);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!options.trustAnchors.isEmpty()) {
        ssl.setCaCertificates(options.trustAnchors);
    }
    ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
    req.setSslConfiguration(ssl);
    req.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("CertDeck-ACME/1"));
    req.setRawHeader("Accept-Language", "en");
    return req;
}

// A transport failure (no HTTP answer) in plain words.
std::optional<Error> transportError(QNetworkReply* reply, const QString& action,
                                    const QList<QSslError>& sslErrors)
{
    if (reply->property("certdeckTooBig").toBool()) {
        return Error{ErrorCode::Protocol,
                     action + QStringLiteral(": the ACME server's answer is too large"),
                     reply->url().toString()};
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 0) {
        return std::nullopt;
    }
    const auto err = reply->error();
    const QString where = reply->url().toString();
    if (err == QNetworkReply::SslHandshakeFailedError || !sslErrors.isEmpty()) {
        return Error{ErrorCode::Crypto,
                     action + QStringLiteral(": the ACME server's TLS certificate is not trusted "
                                             "(check the CA file given for it)"),
                     where + QStringLiteral(": ") +
                         (sslErrors.isEmpty() ? reply->errorString() : sslErrorsText(sslErrors))};
    }
    if (err == QNetworkReply::OperationCanceledError || err == QNetworkReply::TimeoutError) {
        return Error{ErrorCode::Timeout,
                     action + QStringLiteral(": the ACME server did not answer in time"), where};
    }
    return Error{ErrorCode::Network, action + QStringLiteral(": cannot reach the ACME server"),
                 where + QStringLiteral(": ") + reply->errorString()};
}

} // namespace

void AcmeClient::keepNonce(QNetworkReply* reply)
{
    const QByteArray nonce = reply->rawHeader("Replay-Nonce");
    if (nonce.isEmpty() || !isBase64UrlToken(nonce)) {
        return;
    }
    m_nonces << nonce;
    while (m_nonces.size() > kMaxPooledNonces) {
        m_nonces.removeFirst();
    }
}

void AcmeClient::directory(Done<AcmeDirectory> done)
{
    if (m_directory) {
        done(*m_directory);
        return;
    }
    const QUrl url = m_options.directoryUrl;
    const QString action = QStringLiteral("reading the ACME directory");
    if (!url.isValid() || url.scheme() != QLatin1String("https")) {
        done(fail(
            ErrorCode::InvalidInput,
            QStringLiteral("the ACME directory URL '%1' is not an https URL").arg(url.toString())));
        return;
    }
    qCDebug(lcAcme).noquote() << "GET" << url.toString() << "(directory)";
    QElapsedTimer clock;
    clock.start();
    QNetworkReply* reply = track(m_network->get(makeRequest(url, m_options)));
    auto sslErrors = std::make_shared<QList<QSslError>>();
    connect(reply, &QNetworkReply::sslErrors, this,
            [sslErrors](const QList<QSslError>& e) { *sslErrors += e; });
    const quint64 gen = m_generation;
    connect(reply, &QNetworkReply::finished, this, [=, this] {
        reply->deleteLater();
        if (gen != m_generation) {
            done(tl::unexpected(cancelledError(action)));
            return;
        }
        logReply("GET", reply, clock);
        keepNonce(reply);
        const QByteArray body = reply->readAll();
        auto resp = readReply(reply, action, body);
        if (!resp) {
            if (auto t = transportError(reply, action, *sslErrors)) {
                done(tl::unexpected(*t));
                return;
            }
            done(tl::unexpected(resp.error()));
            return;
        }
        auto dir = AcmeDirectory::parse(body, url.toString());
        if (dir) {
            m_directory = *dir;
        }
        done(dir);
    });
}

void AcmeClient::fetchNonce(std::function<void(const Result<QByteArray>&)> done)
{
    if (!m_nonces.isEmpty()) {
        qCDebug(lcAcme) << "nonce taken from the pool;" << m_nonces.size() - 1 << "left";
        done(m_nonces.takeLast());
        return;
    }
    qCDebug(lcAcme) << "nonce pool empty: asking newNonce";
    directory([this, done](const Result<AcmeDirectory>& dir) {
        if (!dir) {
            done(tl::unexpected(dir.error()));
            return;
        }
        const QString action = QStringLiteral("getting a nonce from the ACME server");
        QElapsedTimer clock;
        clock.start();
        QNetworkReply* reply = track(m_network->head(makeRequest(dir->newNonce, m_options)));
        auto sslErrors = std::make_shared<QList<QSslError>>();
        connect(reply, &QNetworkReply::sslErrors, this,
                [sslErrors](const QList<QSslError>& e) { *sslErrors += e; });
        const quint64 gen = m_generation;
        connect(reply, &QNetworkReply::finished, this, [=, this] {
            reply->deleteLater();
            if (gen != m_generation) {
                done(tl::unexpected(cancelledError(action)));
                return;
            }
            logReply("HEAD", reply, clock);
            if (auto t = transportError(reply, action, *sslErrors)) {
                done(tl::unexpected(*t));
                return;
            }
            const QByteArray nonce = reply->rawHeader("Replay-Nonce");
            if (nonce.isEmpty() || !isBase64UrlToken(nonce)) {
                done(fail(
                    ErrorCode::Protocol,
                    action + QStringLiteral(": the answer carries no usable Replay-Nonce"),
                    QStringLiteral("HTTP %1 from %2")
                        .arg(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt())
                        .arg(dir->newNonce.toString())));
                return;
            }
            done(nonce);
        });
    });
}

void AcmeClient::post(const QUrl& url, const std::optional<QJsonObject>& payload,
                      const QString& action, Done<AcmeResponse> done, bool useJwk,
                      const QByteArray& accept)
{
    auto r = std::make_shared<Request>();
    r->url = url;
    r->payload = payload;
    r->action = action;
    r->done = std::move(done);
    r->useJwk = useJwk;
    r->accept = accept;
    r->badNonceLeft = m_options.maxBadNonceRetries;
    r->rateLeft = m_options.maxRateRetries;
    r->generation = m_generation;
    if (!url.isValid() || url.scheme() != QLatin1String("https")) {
        r->done(fail(ErrorCode::Protocol,
                     action + QStringLiteral(": the server gave a URL that is not https"),
                     url.toString()));
        return;
    }
    if (m_key.isNull()) {
        r->done(fail(ErrorCode::Internal, action + QStringLiteral(": no account key is set")));
        return;
    }
    if (!useJwk && m_accountUrl.isEmpty()) {
        r->done(fail(ErrorCode::Internal,
                     action + QStringLiteral(": the account URL is unknown (create or fetch the "
                                             "account first)")));
        return;
    }
    send(r);
}

void AcmeClient::postAsGet(const QUrl& url, const QString& action, Done<AcmeResponse> done,
                           const QByteArray& accept)
{
    post(url, std::nullopt, action, std::move(done), false, accept);
}

void AcmeClient::send(const std::shared_ptr<Request>& r)
{
    if (r->generation != m_generation) {
        r->done(tl::unexpected(cancelledError(r->action)));
        return;
    }
    fetchNonce([this, r](const Result<QByteArray>& nonce) {
        if (!nonce) {
            r->done(tl::unexpected(nonce.error()));
            return;
        }
        sendWithNonce(r, *nonce);
    });
}

void AcmeClient::sendWithNonce(const std::shared_ptr<Request>& r, const QByteArray& nonce)
{
    auto body = Jws::sign(m_key, r->url.toString(), nonce,
                          r->useJwk ? QString() : m_accountUrl.toString(), r->payload);
    if (!body) {
        r->done(tl::unexpected(body.error()));
        return;
    }
    QNetworkRequest req = makeRequest(r->url, m_options);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/jose+json"));
    if (!r->accept.isEmpty()) {
        req.setRawHeader("Accept", r->accept);
    }
    // The signed body is never logged: it carries EAB bindings, CSRs and
    // key authorizations.
    qCDebug(lcAcme).noquote() << "POST" << r->url.toString()
                              << QStringLiteral("(%1%2%3)")
                                     .arg(r->action,
                                          r->payload ? QString() : QStringLiteral(", POST-as-GET"),
                                          r->useJwk ? QStringLiteral(", jwk") : QString());
    QElapsedTimer clock;
    clock.start();
    QNetworkReply* reply = track(m_network->post(req, *body));
    auto sslErrors = std::make_shared<QList<QSslError>>();
    connect(reply, &QNetworkReply::sslErrors, this,
            [sslErrors](const QList<QSslError>& e) { *sslErrors += e; });
    connect(reply, &QNetworkReply::finished, this, [this, reply, r, sslErrors, clock] {
        reply->deleteLater();
        if (r->generation != m_generation) {
            r->done(tl::unexpected(cancelledError(r->action)));
            return;
        }
        logReply("POST", reply, clock);
        if (auto t = transportError(reply, r->action, *sslErrors)) {
            r->done(tl::unexpected(*t));
            return;
        }
        onReply(reply, r);
    });
}

void AcmeClient::onReply(QNetworkReply* reply, const std::shared_ptr<Request>& r)
{
    keepNonce(reply);
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400) {
        const auto problem = AcmeProblem::parse(body, status);
        // RFC 8555 6.5: a badNonce refusal carries a fresh nonce; re-sign with it.
        if (problem && problem->is("badNonce") && r->badNonceLeft > 0) {
            --r->badNonceLeft;
            ++m_badNonceRetries;
            qCDebug(lcAcme).noquote()
                << QStringLiteral("badNonce from %1: re-signing with the fresh nonce; %2 retries "
                                  "left")
                       .arg(r->url.toString())
                       .arg(r->badNonceLeft);
            emit badNonceRetried(m_badNonceRetries);
            send(r);
            return;
        }
        if (problem) {
            qCDebug(lcAcme).noquote()
                << QStringLiteral("problem %1 from %2: %3")
                       .arg(problem->shortType(), r->url.toString(), problem->detail.left(200));
        }
        const auto retryAfter = AcmeResponse::parseRetryAfter(reply->rawHeader("Retry-After"),
                                                              QDateTime::currentDateTimeUtc());
        if ((status == 429 || status == 503) && retryAfter && r->rateLeft > 0 &&
            *retryAfter <= m_options.maxRetryAfterSeconds) {
            --r->rateLeft;
            qCDebug(lcAcme).noquote()
                << QStringLiteral("HTTP %1 from %2: retrying after %3 s; %4 retries left")
                       .arg(status)
                       .arg(r->url.toString())
                       .arg(*retryAfter)
                       .arg(r->rateLeft);
            QTimer::singleShot(std::chrono::seconds(*retryAfter), this, [this, r] { send(r); });
            return;
        }
    }
    r->done(readReply(reply, r->action, body));
}

Result<AcmeResponse> AcmeClient::readReply(QNetworkReply* reply, const QString& action,
                                           const QByteArray& body)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const auto retryAfter = AcmeResponse::parseRetryAfter(reply->rawHeader("Retry-After"),
                                                          QDateTime::currentDateTimeUtc());
    if (status < 200 || status >= 300) {
        Error e;
        if (auto problem = AcmeProblem::parse(body, status)) {
            e = problem->toError(action);
        } else {
            e = Error{ErrorCode::Protocol,
                      action + QStringLiteral(": the ACME server answered HTTP %1").arg(status),
                      QStringLiteral("%1: %2").arg(reply->url().toString(),
                                                   QString::fromUtf8(body.left(300)))};
        }
        if (retryAfter) {
            e.message += QStringLiteral(" (the server asks to retry in %1 s)").arg(*retryAfter);
        }
        if (status == 0) {
            e.code = ErrorCode::Network;
        }
        return tl::unexpected(e);
    }
    AcmeResponse out;
    out.status = status;
    out.body = body;
    out.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    out.location = reply->url().resolved(QUrl(QString::fromUtf8(reply->rawHeader("Location"))));
    if (reply->rawHeader("Location").isEmpty()) {
        out.location = QUrl();
    }
    for (const auto& [name, value] : reply->rawHeaderPairs()) {
        if (name.compare("Link", Qt::CaseInsensitive) == 0) {
            out.links += AcmeResponse::parseLinks(value, reply->url());
        }
    }
    out.retryAfterSeconds = retryAfter;
    if (out.contentType.startsWith("application/json") ||
        out.contentType.startsWith("application/problem+json") || body.startsWith('{')) {
        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject()) {
            return fail(ErrorCode::Protocol,
                        action + QStringLiteral(": the ACME server's answer is not valid JSON"),
                        QStringLiteral("%1 offset %2: %3")
                            .arg(reply->url().toString())
                            .arg(err.offset)
                            .arg(err.errorString()));
        }
        out.json = doc.object();
    }
    return out;
}

void AcmeClient::get(const QUrl& url, const QString& action, Done<AcmeResponse> done)
{
    if (!url.isValid() || url.scheme() != QLatin1String("https")) {
        done(fail(ErrorCode::Protocol,
                  action + QStringLiteral(": the server gave a URL that is not https"),
                  url.toString()));
        return;
    }
    qCDebug(lcAcme).noquote() << "GET" << url.toString() << QStringLiteral("(%1)").arg(action);
    QElapsedTimer clock;
    clock.start();
    QNetworkReply* reply = track(m_network->get(makeRequest(url, m_options)));
    auto sslErrors = std::make_shared<QList<QSslError>>();
    connect(reply, &QNetworkReply::sslErrors, this,
            [sslErrors](const QList<QSslError>& e) { *sslErrors += e; });
    const quint64 gen = m_generation;
    connect(reply, &QNetworkReply::finished, this, [=, this] {
        reply->deleteLater();
        if (gen != m_generation) {
            done(tl::unexpected(cancelledError(action)));
            return;
        }
        logReply("GET", reply, clock);
        if (auto t = transportError(reply, action, *sslErrors)) {
            done(tl::unexpected(*t));
            return;
        }
        keepNonce(reply);
        done(readReply(reply, action, reply->readAll()));
    });
}

void AcmeClient::abortAll()
{
    ++m_generation;
    qCDebug(lcAcme) << "aborting" << m_inFlight.size() << "request(s) in flight";
    const QList<QNetworkReply*> replies = m_inFlight;
    for (QNetworkReply* reply : replies) {
        reply->abort();
    }
}

} // namespace certdeck::acme
