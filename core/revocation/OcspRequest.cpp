// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/OcspRequest.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"

#include <openssl/err.h>
#include <openssl/rand.h>

namespace certdeck::revocation {

namespace {

constexpr int kNonceBytes = 32; // RFC 8954 2.1: 1..32 octets; the most it allows

QByteArray derOf(const OCSP_CERTID* id)
{
    unsigned char* out = nullptr;
    const int len = i2d_OCSP_CERTID(const_cast<OCSP_CERTID*>(id), &out);
    if (len <= 0 || out == nullptr) {
        ERR_clear_error();
        return {};
    }
    QByteArray der(reinterpret_cast<const char*>(out), len);
    OPENSSL_free(out);
    return der;
}

QUrl uriOf(const GENERAL_NAME* name)
{
    if (name == nullptr || name->type != GEN_URI) {
        return {};
    }
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    return QUrl(QString::fromLatin1(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                    ASN1_STRING_length(uri)),
                QUrl::StrictMode);
}

} // namespace

QByteArray ocspCertId(const crypto::Certificate& cert, const crypto::Certificate& issuer)
{
    if (cert.isNull() || issuer.isNull()) {
        return {};
    }
    ossl::OcspCertIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert.handle(), issuer.handle()));
    if (!id) {
        ERR_clear_error();
        return {};
    }
    return derOf(id.get());
}

Result<OcspRequest> buildOcspRequest(const crypto::Certificate& cert,
                                     const crypto::Certificate& issuer, bool withNonce)
{
    if (cert.isNull() || issuer.isNull()) {
        return fail(ErrorCode::Internal,
                    QStringLiteral("an OCSP request needs the certificate and its issuer"));
    }
    ossl::OcspRequestPtr req(OCSP_REQUEST_new());
    if (!req) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot allocate an OCSP request"),
                    ossl::drainErrors());
    }
    ossl::OcspCertIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert.handle(), issuer.handle()));
    if (!id) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("cannot name %1 in an OCSP request").arg(cert.subject()),
                    ossl::drainErrors());
    }
    OcspRequest out;
    out.certId = derOf(id.get());
    // add0: the request owns the id from here on.
    if (OCSP_request_add0_id(req.get(), id.get()) == nullptr) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot add the certificate ID"),
                    ossl::drainErrors());
    }
    id.release();
    if (withNonce) {
        QByteArray nonce(kNonceBytes, '\0');
        if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("no random bytes for the OCSP nonce"),
                        ossl::drainErrors());
        }
        // Given bytes are wrapped in an OCTET STRING, as RFC 8954 wants.
        if (OCSP_request_add1_nonce(req.get(), reinterpret_cast<unsigned char*>(nonce.data()),
                                    kNonceBytes) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("cannot add the OCSP nonce"),
                        ossl::drainErrors());
        }
        out.nonce = nonce;
    }
    unsigned char* der = nullptr;
    const int len = i2d_OCSP_REQUEST(req.get(), &der);
    if (len <= 0 || der == nullptr) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot encode the OCSP request"),
                    ossl::drainErrors());
    }
    out.der = QByteArray(reinterpret_cast<const char*>(der), len);
    OPENSSL_free(der);
    return out;
}

QUrl ocspGetUrl(const QUrl& responder, const QByteArray& der)
{
    QByteArray base = responder.toEncoded(QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (!base.endsWith('/')) {
        base += '/';
    }
    // Percent-encode '+', '/' and '=' of standard base64 (A.1 says "url-encoding").
    return QUrl::fromEncoded(base + der.toBase64().toPercentEncoding(), QUrl::StrictMode);
}

QList<QUrl> ocspUrls(const crypto::Certificate& cert)
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
        if (OBJ_obj2nid(ad->method) != NID_ad_OCSP) {
            continue;
        }
        const QUrl url = uriOf(ad->location);
        if (url.isValid()) {
            out << url;
        }
    }
    return out;
}

QList<QUrl> crlUrls(const crypto::Certificate& cert)
{
    QList<QUrl> out;
    if (cert.isNull()) {
        return out;
    }
    ossl::CrlDistPointsPtr points(static_cast<CRL_DIST_POINTS*>(
        X509_get_ext_d2i(cert.handle(), NID_crl_distribution_points, nullptr, nullptr)));
    ERR_clear_error();
    for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
        const DIST_POINT* dp = sk_DIST_POINT_value(points.get(), i);
        // A nameRelativeToCRLIssuer names no place to fetch from.
        if (dp->distpoint == nullptr || dp->distpoint->type != 0) {
            continue;
        }
        const GENERAL_NAMES* names = dp->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
            const QUrl url = uriOf(sk_GENERAL_NAME_value(names, j));
            if (url.isValid()) {
                out << url;
            }
        }
    }
    return out;
}

} // namespace certdeck::revocation
