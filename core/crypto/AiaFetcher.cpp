// SPDX-License-Identifier: GPL-3.0-or-later
#include "AiaFetcher.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/internal/PemBlocks.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <openssl/err.h>

namespace certdeck::crypto {

namespace {

bool isHttp(const QUrl& url)
{
    return url.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) == 0;
}

Result<QList<Certificate>> parsePkcs7(const QByteArray& body, const QString& origin)
{
    const auto* p = reinterpret_cast<const unsigned char*>(body.constData());
    ossl::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, body.size()));
    if (!p7) {
        return fail(
            ErrorCode::Protocol,
            QStringLiteral("%1 answered neither a certificate nor a PKCS#7 bundle").arg(origin),
            ossl::drainErrors());
    }
    if (!PKCS7_type_is_signed(p7.get()) || p7->d.sign == nullptr || p7->d.sign->cert == nullptr) {
        return fail(
            ErrorCode::Protocol,
            QStringLiteral("%1 answered a PKCS#7 structure without certificates").arg(origin));
    }
    QList<Certificate> out;
    STACK_OF(X509)* certs = p7->d.sign->cert;
    for (int i = 0; i < sk_X509_num(certs); ++i) {
        X509* x = sk_X509_value(certs, i);
        if (X509_up_ref(x) == 1) {
            out << Certificate(ossl::X509Ptr(x));
        }
    }
    if (out.isEmpty()) {
        return fail(ErrorCode::Protocol,
                    QStringLiteral("%1 answered an empty PKCS#7 bundle").arg(origin));
    }
    return out;
}

} // namespace

AiaFetcher::AiaFetcher(QNetworkAccessManager* network, AiaLimits limits, QObject* parent)
    : TypedOperation<QList<Certificate>>(parent)
    , m_network(network)
    , m_limits(limits)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        conclude(fail(ErrorCode::Timeout,
                      QStringLiteral("fetching the issuer from %1 timed out after %2 s")
                          .arg(m_url.toString())
                          .arg(m_limits.timeoutMs / 1000.0)));
    });
}

AiaFetcher::~AiaFetcher()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

QList<QUrl> AiaFetcher::caIssuersUrls(const Certificate& cert)
{
    QList<QUrl> out;
    if (cert.isNull()) {
        return out;
    }
    ossl::AuthorityInfoAccessPtr aia(static_cast<AUTHORITY_INFO_ACCESS*>(
        X509_get_ext_d2i(cert.handle(), NID_info_access, nullptr, nullptr)));
    ERR_clear_error(); // no extension is an answer, not an error
    for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
        const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
        if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers || ad->location->type != GEN_URI) {
            continue;
        }
        const ASN1_IA5STRING* uri = ad->location->d.uniformResourceIdentifier;
        out << QUrl(QString::fromLatin1(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                        ASN1_STRING_length(uri)),
                    QUrl::StrictMode);
    }
    return out;
}

Result<QList<Certificate>> AiaFetcher::parseResponse(const QByteArray& body, const QString& origin)
{
    if (body.isEmpty()) {
        return fail(ErrorCode::Protocol, QStringLiteral("%1 answered nothing").arg(origin));
    }
    if (body.contains("-----BEGIN")) {
        auto pem = internal::readCertificates(body, origin);
        if (!pem) {
            return fail(ErrorCode::Protocol, pem.error().message, pem.error().detail);
        }
        return pem;
    }
    auto der = Certificate::fromDer(body, origin);
    if (der) {
        return QList<Certificate>{*der};
    }
    return parsePkcs7(body, origin);
}

void AiaFetcher::fetch(const QUrl& url)
{
    setUrl(url);
    start();
}

void AiaFetcher::onStart()
{
    const QUrl url = m_url;
    if (!url.isValid() || !isHttp(url)) {
        conclude(fail(ErrorCode::Unsupported,
                      QStringLiteral("the caIssuers URL %1 is not plain http; only http is fetched "
                                     "(https would itself need a verified chain)")
                          .arg(url.toString())));
        return;
    }
    QNetworkRequest req(url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                     QNetworkRequest::UserVerifiedRedirectPolicy);
    req.setMaximumRedirectsAllowed(m_limits.maxRedirects);
    req.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("CertDeck"));
    m_reply = m_network->get(req);
    connect(m_reply, &QNetworkReply::readyRead, this, &AiaFetcher::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &AiaFetcher::onFinished);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, [this] {
        const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > m_limits.maxBytes) {
            conclude(fail(ErrorCode::Protocol,
                          QStringLiteral("%1 announces %2 bytes; an issuer certificate is at most "
                                         "%3 bytes")
                              .arg(m_url.toString())
                              .arg(length.toLongLong())
                              .arg(m_limits.maxBytes)));
        }
    });
    connect(m_reply, &QNetworkReply::redirected, this, [this](const QUrl& to) {
        if (!isHttp(to)) {
            conclude(fail(ErrorCode::Unsupported,
                          QStringLiteral("%1 redirects to %2, which is not plain http")
                              .arg(m_url.toString(), to.toString())));
            return;
        }
        emit m_reply->redirectAllowed();
    });
    m_timer.start(m_limits.timeoutMs);
}

void AiaFetcher::onCancel()
{
    conclude(fail(ErrorCode::Cancelled,
                  QStringLiteral("fetching %1 was cancelled").arg(m_url.toString())));
}

void AiaFetcher::onReadyRead()
{
    if (isEnding() || !m_reply) {
        return;
    }
    if (m_body.size() + m_reply->bytesAvailable() > m_limits.maxBytes) {
        conclude(fail(ErrorCode::Protocol,
                      QStringLiteral("%1 sent more than %2 bytes; an issuer certificate is smaller")
                          .arg(m_url.toString())
                          .arg(m_limits.maxBytes)));
        return;
    }
    m_body += m_reply->readAll();
}

void AiaFetcher::onFinished()
{
    if (isEnding() || !m_reply) {
        return;
    }
    onReadyRead();
    if (isEnding()) {
        return;
    }
    // An HTTP answer other than 200 says more than Qt's error text for it.
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (status.isValid() && status.toInt() != 200) {
        conclude(fail(
            ErrorCode::Protocol,
            QStringLiteral("%1 answered HTTP %2 %3")
                .arg(m_reply->url().toString())
                .arg(status.toInt())
                .arg(m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString())));
        return;
    }
    if (m_reply->error() != QNetworkReply::NoError) {
        const bool timeout = m_reply->error() == QNetworkReply::TimeoutError;
        conclude(fail(timeout ? ErrorCode::Timeout : ErrorCode::Network,
                      QStringLiteral("fetching the issuer from %1 failed: %2")
                          .arg(m_url.toString(), m_reply->errorString())));
        return;
    }
    conclude(parseResponse(m_body, m_url.toString()));
}

void AiaFetcher::conclude(Result<QList<Certificate>> result)
{
    if (isEnding()) {
        return;
    }
    m_timer.stop();
    if (m_reply) {
        // abort() emits finished() on the reply; we are no longer listening.
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply.clear();
    }
    m_body.clear();
    finishWith(std::move(result));
}

} // namespace certdeck::crypto
