// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/OcspStaple.h"

#include "crypto/OpenSslError.h"
#include "probe/internal/InspectPtr.h"

#include <openssl/err.h>

namespace certdeck::probe {

namespace {

ossl::X509Ptr decodeCert(const QByteArray& der)
{
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    ossl::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!x) {
        ERR_clear_error();
    }
    return x;
}

QDateTime toDateTime(const ASN1_GENERALIZEDTIME* t)
{
    tm parts{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &parts) != 1) {
        ERR_clear_error();
        return {};
    }
    return QDateTime(QDate(parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday),
                     QTime(parts.tm_hour, parts.tm_min, parts.tm_sec), Qt::UTC);
}

QString nameText(const X509_NAME* name)
{
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
        ERR_clear_error();
        return {};
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return QString::fromUtf8(data, static_cast<qsizetype>(len));
}

QString stamp(const QDateTime& t)
{
    return t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QStringLiteral(" UTC");
}

/// The index of the single response for `leaf`: by full certificate ID when
/// the issuer is known, else by serial number alone.
int findSingle(OCSP_BASICRESP* bs, X509* leaf, X509* issuer)
{
    if (issuer != nullptr) {
        ossl::OcspCertIdPtr id(OCSP_cert_to_id(nullptr, leaf, issuer));
        if (id) {
            const int idx = OCSP_resp_find(bs, id.get(), -1);
            if (idx >= 0) {
                return idx;
            }
        }
        ERR_clear_error();
    }
    const ASN1_INTEGER* serial = X509_get0_serialNumber(leaf);
    for (int i = 0; i < OCSP_resp_count(bs); ++i) {
        const OCSP_CERTID* cid = OCSP_SINGLERESP_get0_id(OCSP_resp_get0(bs, i));
        ASN1_INTEGER* s = nullptr;
        if (cid != nullptr &&
            OCSP_id_get0_info(nullptr, nullptr, nullptr, &s, const_cast<OCSP_CERTID*>(cid)) == 1 &&
            s != nullptr && ASN1_INTEGER_cmp(s, serial) == 0) {
            return i;
        }
    }
    return -1;
}

} // namespace

QString stapleStatusName(StapleStatus status)
{
    switch (status) {
    case StapleStatus::Good:
        return QStringLiteral("good");
    case StapleStatus::Revoked:
        return QStringLiteral("revoked");
    case StapleStatus::Unknown:
        return QStringLiteral("unknown");
    }
    return {};
}

StapleInfo parseStaple(const QByteArray& der, const QList<QByteArray>& chain, const QDateTime& now)
{
    StapleInfo s;
    s.requested = true;
    s.present = true;
    s.der = der;
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    ossl::OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!resp) {
        s.problems << QStringLiteral("the stapled response is not a DER OCSP response (%1)")
                          .arg(ossl::drainErrors());
        return s;
    }
    const int rs = OCSP_response_status(resp.get());
    if (rs != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        s.problems << QStringLiteral("the responder answered \"%1\", not a status")
                          .arg(QString::fromLatin1(OCSP_response_status_str(rs)));
        return s;
    }
    ossl::OcspBasicRespPtr bs(OCSP_response_get1_basic(resp.get()));
    if (!bs) {
        s.problems << QStringLiteral("the response is not a basic OCSP response (%1)")
                          .arg(ossl::drainErrors());
        return s;
    }
    const ASN1_OCTET_STRING* keyId = nullptr;
    const X509_NAME* byName = nullptr;
    if (OCSP_resp_get0_id(bs.get(), &keyId, &byName) == 1) {
        if (byName != nullptr) {
            s.responder = nameText(byName);
        } else if (keyId != nullptr) {
            s.responder =
                QStringLiteral("key hash ") +
                QString::fromLatin1(
                    QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(keyId)),
                               ASN1_STRING_length(keyId))
                        .toHex(':'));
        }
    }
    ossl::X509Ptr leaf = chain.isEmpty() ? nullptr : decodeCert(chain.first());
    if (!leaf) {
        s.problems << QStringLiteral("no served certificate to match the response against");
        return s;
    }
    ossl::X509Ptr issuer;
    for (qsizetype i = 1; i < chain.size() && !issuer; ++i) {
        ossl::X509Ptr candidate = decodeCert(chain.at(i));
        if (candidate && X509_check_issued(candidate.get(), leaf.get()) == X509_V_OK) {
            issuer = std::move(candidate);
        }
    }
    const int idx = findSingle(bs.get(), leaf.get(), issuer.get());
    if (idx < 0) {
        s.problems << QStringLiteral("the response has no status for the served certificate");
    } else {
        int reason = -1;
        ASN1_GENERALIZEDTIME* revoked = nullptr;
        ASN1_GENERALIZEDTIME* thisUpd = nullptr;
        ASN1_GENERALIZEDTIME* nextUpd = nullptr;
        const int st = OCSP_single_get0_status(OCSP_resp_get0(bs.get(), idx), &reason, &revoked,
                                               &thisUpd, &nextUpd);
        s.thisUpdate = toDateTime(thisUpd);
        s.nextUpdate = toDateTime(nextUpd);
        switch (st) {
        case V_OCSP_CERTSTATUS_GOOD:
            s.status = StapleStatus::Good;
            break;
        case V_OCSP_CERTSTATUS_REVOKED:
            s.status = StapleStatus::Revoked;
            s.revocationTime = toDateTime(revoked);
            if (reason >= 0) {
                s.revocationReason = QString::fromLatin1(OCSP_crl_reason_str(reason));
            }
            break;
        default:
            s.status = StapleStatus::Unknown;
            s.problems << QStringLiteral("the responder does not know the certificate (status "
                                         "unknown)");
            break;
        }
        if (s.thisUpdate.isValid() && s.thisUpdate > now.addSecs(kStapleClockSkewSeconds)) {
            s.problems << QStringLiteral("thisUpdate %1 is in the future").arg(stamp(s.thisUpdate));
        }
        if (s.nextUpdate.isValid() && s.nextUpdate < now.addSecs(-kStapleClockSkewSeconds)) {
            s.problems << QStringLiteral("the response expired on %1 (nextUpdate)")
                              .arg(stamp(s.nextUpdate));
        }
    }
    if (!issuer) {
        s.problems << QStringLiteral("the issuer of the certificate is not served, so the "
                                     "signature cannot be checked");
        return s;
    }
    ossl::X509StackRefPtr certs(sk_X509_new_null());
    ossl::X509StorePtr store(X509_STORE_new());
    if (!certs || !store || sk_X509_push(certs.get(), issuer.get()) <= 0 ||
        X509_STORE_add_cert(store.get(), issuer.get()) != 1) {
        s.problems << QStringLiteral("cannot check the signature (%1)").arg(ossl::drainErrors());
        return s;
    }
    // The issuer is the only anchor: the staple must come from it or from a
    // responder it delegated to, whatever the issuer's own chain.
    X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), now.toSecsSinceEpoch());
    ERR_clear_error();
    if (OCSP_basic_verify(bs.get(), certs.get(), store.get(), 0) == 1) {
        s.signatureValid = true;
    } else {
        s.problems << QStringLiteral("the signature does not verify with the issuer %1 (%2)")
                          .arg(nameText(X509_get_subject_name(issuer.get())), ossl::drainErrors());
    }
    X509* signer = nullptr;
    if (OCSP_resp_get0_signer(bs.get(), &signer, certs.get()) == 1 && signer != nullptr) {
        s.responder = nameText(X509_get_subject_name(signer));
    }
    ERR_clear_error();
    return s;
}

} // namespace certdeck::probe
