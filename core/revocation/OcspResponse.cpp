// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/OcspResponse.h"

#include "crypto/Asn1.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"

#include <openssl/err.h>

namespace certdeck::revocation {

namespace {

QByteArray bytesOf(const ASN1_STRING* s)
{
    return QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      ASN1_STRING_length(s));
}

/// Whether the single response's CertID names `cert` under `issuer`: built
/// again with the hash algorithm the responder used (SHA-1 or SHA-256...).
bool idMatches(const OCSP_CERTID* cid, X509* cert, X509* issuer)
{
    ASN1_OBJECT* alg = nullptr;
    if (OCSP_id_get0_info(nullptr, &alg, nullptr, nullptr, const_cast<OCSP_CERTID*>(cid)) != 1 ||
        alg == nullptr) {
        ERR_clear_error();
        return false;
    }
    const EVP_MD* md = EVP_get_digestbyobj(alg);
    if (md == nullptr) {
        ERR_clear_error();
        return false;
    }
    ossl::OcspCertIdPtr ours(OCSP_cert_to_id(md, cert, issuer));
    if (!ours) {
        ERR_clear_error();
        return false;
    }
    return OCSP_id_cmp(ours.get(), cid) == 0;
}

/// The index of the single response for `cert`: by full CertID when the
/// issuer is known, else by serial number alone.
int findSingle(OCSP_BASICRESP* bs, X509* cert, X509* issuer)
{
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
    for (int i = 0; i < OCSP_resp_count(bs); ++i) {
        const OCSP_CERTID* cid = OCSP_SINGLERESP_get0_id(OCSP_resp_get0(bs, i));
        if (cid == nullptr) {
            continue;
        }
        if (issuer != nullptr) {
            if (idMatches(cid, cert, issuer)) {
                return i;
            }
            continue;
        }
        ASN1_INTEGER* s = nullptr;
        if (OCSP_id_get0_info(nullptr, nullptr, nullptr, &s, const_cast<OCSP_CERTID*>(cid)) == 1 &&
            s != nullptr && ASN1_INTEGER_cmp(s, serial) == 0) {
            return i;
        }
    }
    ERR_clear_error();
    return -1;
}

NonceCheck checkNonce(OCSP_BASICRESP* bs, const QByteArray& expected)
{
    if (expected.isEmpty()) {
        return NonceCheck::NotSent;
    }
    const int idx = OCSP_BASICRESP_get_ext_by_NID(bs, NID_id_pkix_OCSP_Nonce, -1);
    if (idx < 0) {
        return NonceCheck::Omitted;
    }
    X509_EXTENSION* ext = OCSP_BASICRESP_get_ext(bs, idx);
    const ASN1_OCTET_STRING* value = ext == nullptr ? nullptr : X509_EXTENSION_get_data(ext);
    if (value == nullptr) {
        return NonceCheck::Mismatch;
    }
    // RFC 8954: the extension value is an OCTET STRING holding the nonce;
    // some responders echo the raw octets instead. Both are the same nonce.
    const QByteArray got = bytesOf(value);
    QByteArray wrapped;
    wrapped.append('\x04');
    wrapped.append(static_cast<char>(expected.size()));
    wrapped.append(expected);
    return got == wrapped || got == expected ? NonceCheck::Echoed : NonceCheck::Mismatch;
}

} // namespace

OcspResponseCheck checkOcspResponse(const QByteArray& der, const crypto::Certificate& cert,
                                    const crypto::Certificate& issuer, const QDateTime& now,
                                    const QByteArray& expectedNonce)
{
    OcspResponseCheck r;
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    ossl::OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!resp) {
        r.problems << QStringLiteral("the answer is not a DER OCSP response (%1)")
                          .arg(ossl::drainErrors());
        return r;
    }
    if (p != reinterpret_cast<const unsigned char*>(der.constData()) + der.size()) {
        r.problems << QStringLiteral("the answer is not a DER OCSP response (%1 bytes follow it)")
                          .arg(reinterpret_cast<const unsigned char*>(der.constData()) +
                               der.size() - p);
        return r;
    }
    r.decoded = true;
    const int rs = OCSP_response_status(resp.get());
    r.responseStatus = QString::fromLatin1(OCSP_response_status_str(rs));
    if (rs != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        r.problems
            << QStringLiteral("the responder answered \"%1\", not a status").arg(r.responseStatus);
        return r;
    }
    ossl::OcspBasicRespPtr bs(OCSP_response_get1_basic(resp.get()));
    if (!bs) {
        r.problems << QStringLiteral("the response is not a basic OCSP response (%1)")
                          .arg(ossl::drainErrors());
        return r;
    }
    r.successful = true;
    r.producedAt = crypto::asn1ToDateTime(OCSP_resp_get0_produced_at(bs.get()));
    const ASN1_OCTET_STRING* keyId = nullptr;
    const X509_NAME* byName = nullptr;
    if (OCSP_resp_get0_id(bs.get(), &keyId, &byName) == 1) {
        if (byName != nullptr) {
            r.responder = crypto::nameToString(byName);
        } else if (keyId != nullptr) {
            r.responder =
                QStringLiteral("key hash ") + QString::fromLatin1(bytesOf(keyId).toHex(':'));
        }
    }
    ERR_clear_error();
    if (cert.isNull()) {
        r.problems << QStringLiteral("no certificate to match the response against");
        return r;
    }
    X509* leaf = cert.handle();
    X509* ca = issuer.isNull() ? nullptr : issuer.handle();
    const int idx = findSingle(bs.get(), leaf, ca);
    if (idx < 0) {
        r.problems << QStringLiteral("the response has no status for the certificate asked about "
                                     "(serial %1)")
                          .arg(cert.serialHex());
    } else {
        r.matched = true;
        int reason = -1;
        ASN1_GENERALIZEDTIME* revoked = nullptr;
        ASN1_GENERALIZEDTIME* thisUpd = nullptr;
        ASN1_GENERALIZEDTIME* nextUpd = nullptr;
        const int st = OCSP_single_get0_status(OCSP_resp_get0(bs.get(), idx), &reason, &revoked,
                                               &thisUpd, &nextUpd);
        r.thisUpdate = crypto::asn1ToDateTime(thisUpd);
        r.nextUpdate = crypto::asn1ToDateTime(nextUpd);
        switch (st) {
        case V_OCSP_CERTSTATUS_GOOD:
            r.status = CertStatus::Good;
            break;
        case V_OCSP_CERTSTATUS_REVOKED:
            r.status = CertStatus::Revoked;
            r.revocationTime = crypto::asn1ToDateTime(revoked);
            r.revocationReason = revocationReasonName(reason);
            break;
        case V_OCSP_CERTSTATUS_UNKNOWN:
            r.status = CertStatus::Unknown;
            break;
        default:
            r.problems << QStringLiteral("the entry for the certificate has no readable status");
            break;
        }
        if (!r.thisUpdate.isValid()) {
            r.problems << QStringLiteral("the entry has no readable thisUpdate");
        } else if (r.thisUpdate > now.addSecs(kClockSkewSeconds)) {
            r.problems
                << QStringLiteral("thisUpdate %1 is in the future").arg(utcStamp(r.thisUpdate));
        }
        if (r.nextUpdate.isValid() && r.nextUpdate < now.addSecs(-kClockSkewSeconds)) {
            r.problems << QStringLiteral("the response expired on %1 (nextUpdate): it is stale")
                              .arg(utcStamp(r.nextUpdate));
        }
    }
    r.nonce = checkNonce(bs.get(), expectedNonce);
    if (r.nonce == NonceCheck::Mismatch) {
        r.problems << QStringLiteral("the response carries another nonce than the request's (a "
                                     "replayed or misdirected answer)");
    }
    if (ca == nullptr) {
        r.problems << QStringLiteral("the issuer of the certificate is not known, so the "
                                     "signature cannot be checked");
        return r;
    }
    ossl::X509StackRefPtr certs(sk_X509_new_null());
    ossl::X509StorePtr store(X509_STORE_new());
    if (!certs || !store || sk_X509_push(certs.get(), ca) <= 0 ||
        X509_STORE_add_cert(store.get(), ca) != 1) {
        r.problems << QStringLiteral("cannot check the signature (%1)").arg(ossl::drainErrors());
        return r;
    }
    // The issuer is the only anchor: the response must come from it or from
    // a responder it delegated to (OCSP_basic_verify checks that delegate's
    // id-kp-OCSPSigning and that it was issued by the CA of the CertID),
    // whatever the issuer's own chain.
    X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), now.toSecsSinceEpoch());
    ERR_clear_error();
    if (OCSP_basic_verify(bs.get(), certs.get(), store.get(), 0) == 1) {
        r.signatureValid = true;
    } else {
        r.problems << QStringLiteral("the signature does not verify with the issuer %1 or a "
                                     "responder it delegated to (%2)")
                          .arg(crypto::nameToString(X509_get_subject_name(ca)),
                               ossl::drainErrors());
    }
    X509* signer = nullptr;
    if (OCSP_resp_get0_signer(bs.get(), &signer, certs.get()) == 1 && signer != nullptr) {
        r.responder = crypto::nameToString(X509_get_subject_name(signer));
    }
    ERR_clear_error();
    return r;
}

} // namespace certdeck::revocation
