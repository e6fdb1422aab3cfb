// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/OcspClient.h"

#include "common/OpensslThreadCleanup.h"
#include "common/PoolTask.h"
#include "revocation/RevocationCache.h"
#include "revocation/internal/HttpExchange.h"
#include "revocation/internal/RevocationLog.h"

namespace certdeck::revocation {

OcspClient::OcspClient(QNetworkAccessManager* network, OcspClientOptions options, QObject* parent)
    : QObject(parent)
    , m_network(network)
    , m_options(std::move(options))
    , m_result(fail(ErrorCode::Internal, QStringLiteral("the OCSP check has not run")))
{}

// The check on the pool holds copies only: nothing waits for it.
OcspClient::~OcspClient() = default;

QDateTime OcspClient::now() const
{
    return m_options.now.isValid() ? m_options.now : QDateTime::currentDateTimeUtc();
}

void OcspClient::check(const QUrl& responder, const crypto::Certificate& cert,
                       const crypto::Certificate& issuer)
{
    if (m_started) {
        return;
    }
    m_started = true;
    m_url = responder;
    m_cert = cert;
    m_issuer = issuer;
    if (m_options.useCache) {
        const QByteArray id = ocspCertId(cert, issuer);
        if (auto hit = RevocationCache::instance().ocsp(id, now())) {
            hit->fromCache = true;
            m_request.certId = id;
            qCDebug(lcRevocation) << "OCSP answer for serial" << cert.serialHex() << "from cache";
            QMetaObject::invokeMethod(
                this, [this, a = *hit]() mutable { finish(std::move(a)); }, Qt::QueuedConnection);
            return;
        }
    }
    auto request = buildOcspRequest(cert, issuer, m_options.nonce);
    if (!request) {
        QMetaObject::invokeMethod(
            this, [this, e = request.error()] { finish(tl::unexpected(e)); }, Qt::QueuedConnection);
        return;
    }
    m_request = *request;
    bool asGet = m_options.method == OcspClientOptions::Method::Get;
    if (m_options.method == OcspClientOptions::Method::Auto) {
        const QByteArray full = ocspGetUrl(responder, m_request.der).toEncoded();
        const qsizetype base = responder.toEncoded().size();
        asGet = full.size() - base < kMaxGetRequestBytes;
    }
    send(asGet);
}

void OcspClient::send(bool asGet)
{
    internal::HttpExchange::Limits limits;
    limits.timeoutMs = m_options.timeoutMs;
    limits.maxBytes = m_options.maxBytes;
    m_exchange = std::make_unique<internal::HttpExchange>(m_network, limits,
                                                          QStringLiteral("the OCSP responder"));
    connect(m_exchange.get(), &internal::HttpExchange::finished, this, &OcspClient::onExchange);
    const QString method = asGet ? QStringLiteral("GET") : QStringLiteral("POST");
    m_method = m_method.isEmpty() ? method : m_method + QStringLiteral(", then ") + method;
    if (asGet) {
        m_triedGet = true;
        m_exchange->get(ocspGetUrl(m_url, m_request.der), m_url);
    } else {
        m_exchange->post(m_url, m_request.der, QByteArrayLiteral("application/ocsp-request"));
    }
}

void OcspClient::onExchange()
{
    if (m_finished || !m_exchange) {
        return;
    }
    const Result<QByteArray> got = m_exchange->result();
    const int status = m_exchange->httpStatus();
    // Not deleted inside its own signal: the object goes on the next turn.
    m_exchange.release()->deleteLater();
    const bool mayFallBack = m_options.method == OcspClientOptions::Method::Auto && m_triedGet &&
                             !m_method.contains(QLatin1String("POST"));
    if (!got) {
        // A responder that refuses GET says so with an HTTP error; one that
        // cannot be reached or timed out will not do better with POST.
        if (mayFallBack && status >= 400) {
            qCDebug(lcRevocation) << "GET refused with HTTP" << status << "- trying POST";
            send(false);
            return;
        }
        finish(tl::unexpected(got.error()));
        return;
    }
    if (mayFallBack && !got->startsWith('\x30')) {
        qCDebug(lcRevocation) << "GET answered no DER - trying POST";
        send(false);
        return;
    }
    verify(*got);
}

void OcspClient::verify(const QByteArray& der)
{
    m_der = der;
    m_verifying = runOnPool(
        this,
        [der, cert = m_cert, issuer = m_issuer, when = now(), nonce = m_request.nonce] {
            const certdeck::OpensslThreadCleanup cleanup;
            return checkOcspResponse(der, cert, issuer, when, nonce);
        },
        [this](const OcspResponseCheck& response) { onVerified(response); });
}

void OcspClient::onVerified(const OcspResponseCheck& response)
{
    if (m_finished) {
        return;
    }
    OcspAnswer a;
    a.url = m_url;
    a.method = m_method;
    a.der = m_der;
    a.response = response;
    if (m_options.useCache && a.response.verified() && !m_request.certId.isEmpty()) {
        RevocationCache::instance().putOcsp(m_request.certId, a, now());
    }
    finish(std::move(a));
}

void OcspClient::cancel()
{
    if (m_finished) {
        return;
    }
    if (m_exchange) {
        m_exchange->abort();
        m_exchange.release()->deleteLater();
    }
    delete m_verifying; // its result is dropped; the pool is not waited for
    m_finished = true;
    m_result =
        fail(ErrorCode::Cancelled, QStringLiteral("asking %1 was cancelled").arg(m_url.toString()));
    QMetaObject::invokeMethod(this, &OcspClient::finished, Qt::QueuedConnection);
}

void OcspClient::finish(Result<OcspAnswer> result)
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_result = std::move(result);
    if (m_result) {
        const OcspResponseCheck& r = m_result->response;
        qCDebug(lcRevocation) << "OCSP" << m_url.toString() << m_result->method << "serial"
                              << m_cert.serialHex() << "status"
                              << (r.status ? certStatusName(*r.status) : QStringLiteral("none"))
                              << "problems" << r.problems;
    }
    emit finished();
}

} // namespace certdeck::revocation
