// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/CrlClient.h"

#include "common/OpensslThreadCleanup.h"
#include "common/PoolTask.h"
#include "revocation/RevocationCache.h"
#include "revocation/internal/HttpExchange.h"
#include "revocation/internal/RevocationLog.h"

namespace certdeck::revocation {

CrlClient::CrlClient(QNetworkAccessManager* network, CrlClientOptions options, QObject* parent)
    : QObject(parent)
    , m_network(network)
    , m_options(std::move(options))
    , m_result(fail(ErrorCode::Internal, QStringLiteral("the CRL check has not run")))
{}

// The check on the pool holds copies only: nothing waits for it.
CrlClient::~CrlClient() = default;

QDateTime CrlClient::now() const
{
    return m_options.now.isValid() ? m_options.now : QDateTime::currentDateTimeUtc();
}

void CrlClient::check(const QUrl& url, const crypto::Certificate& cert,
                      const crypto::Certificate& issuer)
{
    if (m_started) {
        return;
    }
    m_started = true;
    m_url = url;
    m_cert = cert;
    m_issuer = issuer;
    if (m_options.useCache) {
        if (auto hit = RevocationCache::instance().crl(url.toString(), now())) {
            qCDebug(lcRevocation) << "CRL" << url.toString() << "from cache";
            m_fromCache = true;
            m_bytes = hit->encodedSize();
            runCheck({}, *hit);
            return;
        }
    }
    internal::HttpExchange::Limits limits;
    limits.timeoutMs = m_options.timeoutMs;
    limits.maxBytes = m_options.maxBytes;
    m_exchange = std::make_unique<internal::HttpExchange>(m_network, limits,
                                                          QStringLiteral("the CRL server"));
    connect(m_exchange.get(), &internal::HttpExchange::finished, this, &CrlClient::onExchange);
    m_exchange->get(url);
}

void CrlClient::onExchange()
{
    if (m_finished || !m_exchange) {
        return;
    }
    const Result<QByteArray> got = m_exchange->result();
    m_exchange.release()->deleteLater();
    if (!got) {
        finish(tl::unexpected(got.error()));
        return;
    }
    m_bytes = got->size();
    runCheck(*got, {});
}

void CrlClient::runCheck(const QByteArray& bytes, const Crl& cached)
{
    // Decoding and verifying a CRL of megabytes is work for a pool thread.
    m_checking = runOnPool(
        this,
        [bytes, cached, url = m_url.toString(), cert = m_cert, issuer = m_issuer, when = now()] {
            const certdeck::OpensslThreadCleanup cleanup;
            Work w;
            if (!cached.isNull()) {
                w.crl = cached;
            } else {
                auto parsed = Crl::parse(bytes, url);
                if (!parsed) {
                    w.check.problems << parsed.error().toString();
                    return w;
                }
                w.crl = *parsed;
            }
            w.check = checkCrl(w.crl, cert, issuer, when);
            return w;
        },
        [this](const Work& w) { onChecked(w); });
}

void CrlClient::onChecked(const Work& w)
{
    if (m_finished) {
        return;
    }
    if (m_options.useCache && !m_fromCache && !w.crl.isNull() && w.check.verified()) {
        RevocationCache::instance().putCrl(m_url.toString(), w.crl, now());
    }
    CrlAnswer a;
    a.url = m_url;
    a.fromCache = m_fromCache;
    a.bytes = m_bytes;
    a.check = w.check;
    finish(std::move(a));
}

void CrlClient::cancel()
{
    if (m_finished) {
        return;
    }
    if (m_exchange) {
        m_exchange->abort();
        m_exchange.release()->deleteLater();
    }
    delete m_checking; // its result is dropped; the pool is not waited for
    m_finished = true;
    m_result = fail(ErrorCode::Cancelled,
                    QStringLiteral("fetching %1 was cancelled").arg(m_url.toString()));
    QMetaObject::invokeMethod(this, &CrlClient::finished, Qt::QueuedConnection);
}

void CrlClient::finish(Result<CrlAnswer> result)
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_result = std::move(result);
    if (m_result) {
        const CrlCheck& c = m_result->check;
        qCDebug(lcRevocation) << "CRL" << m_url.toString() << "serial" << m_cert.serialHex()
                              << "status"
                              << (c.status ? certStatusName(*c.status) : QStringLiteral("none"))
                              << "problems" << c.problems;
    }
    emit finished();
}

} // namespace certdeck::revocation
