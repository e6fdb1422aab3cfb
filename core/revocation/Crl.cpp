// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/Crl.h"

#include "crypto/Asn1.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace certdeck::revocation {

namespace {

int reasonOf(X509_REVOKED* entry)
{
    int critical = 0;
    ossl::Asn1EnumeratedPtr reason(static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &critical, nullptr)));
    ERR_clear_error();
    if (!reason) {
        return -1;
    }
    const long code = ASN1_ENUMERATED_get(reason.get());
    ERR_clear_error();
    return code < 0 || code > 0xff ? -1 : static_cast<int>(code);
}

} // namespace

Result<Crl> Crl::parse(const QByteArray& bytes, const QString& origin)
{
    if (bytes.isEmpty()) {
        return fail(ErrorCode::Protocol, QStringLiteral("%1 answered nothing").arg(origin));
    }
    X509_CRL* raw = nullptr;
    if (bytes.contains("-----BEGIN")) {
        if (!bytes.contains("-----BEGIN X509 CRL-----")) {
            return fail(ErrorCode::Protocol,
                        QStringLiteral("%1 answered PEM without an X509 CRL block").arg(origin));
        }
        ossl::BioPtr bio(BIO_new_mem_buf(bytes.constData(), static_cast<int>(bytes.size())));
        raw = bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr;
        if (raw == nullptr) {
            return fail(ErrorCode::Protocol,
                        QStringLiteral("%1 answered a PEM CRL that does not decode").arg(origin),
                        ossl::drainErrors());
        }
    } else {
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.constData());
        raw = d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size()));
        if (raw == nullptr) {
            return fail(ErrorCode::Protocol,
                        QStringLiteral("%1 answered neither a DER nor a PEM CRL").arg(origin),
                        ossl::drainErrors());
        }
        const qint64 rest =
            reinterpret_cast<const unsigned char*>(bytes.constData()) + bytes.size() - p;
        if (rest != 0) {
            X509_CRL_free(raw);
            return fail(ErrorCode::Protocol,
                        QStringLiteral("%1 answered a DER CRL followed by %2 more bytes")
                            .arg(origin)
                            .arg(rest));
        }
    }
    Crl crl;
    crl.m_crl = std::shared_ptr<X509_CRL>(raw, X509_CRL_free);
    crl.m_size = bytes.size();
    return crl;
}

QString Crl::issuer() const
{
    return m_crl ? crypto::nameToString(X509_CRL_get_issuer(m_crl.get())) : QString();
}

QDateTime Crl::thisUpdate() const
{
    return m_crl ? crypto::asn1ToDateTime(X509_CRL_get0_lastUpdate(m_crl.get())) : QDateTime();
}

QDateTime Crl::nextUpdate() const
{
    return m_crl ? crypto::asn1ToDateTime(X509_CRL_get0_nextUpdate(m_crl.get())) : QDateTime();
}

int Crl::entryCount() const
{
    return m_crl ? sk_X509_REVOKED_num(X509_CRL_get_REVOKED(m_crl.get())) : 0;
}

CrlCheck checkCrl(const Crl& crl, const crypto::Certificate& cert,
                  const crypto::Certificate& issuer, const QDateTime& now)
{
    CrlCheck r;
    if (crl.isNull() || cert.isNull() || issuer.isNull()) {
        r.problems << QStringLiteral("a CRL check needs the CRL, the certificate and its issuer");
        return r;
    }
    X509_CRL* x = crl.handle();
    r.issuer = crl.issuer();
    r.thisUpdate = crl.thisUpdate();
    r.nextUpdate = crl.nextUpdate();

    if (X509_NAME_cmp(X509_CRL_get_issuer(x), X509_get_subject_name(issuer.handle())) != 0) {
        r.problems << QStringLiteral("the CRL is issued by %1, not by the certificate's issuer %2")
                          .arg(r.issuer, issuer.subject());
    }
    // No keyUsage extension means any use (RFC 5280 4.2.1.3).
    if ((X509_get_key_usage(issuer.handle()) & KU_CRL_SIGN) == 0) {
        r.problems << QStringLiteral("the issuer %1 may not sign CRLs (keyUsage without cRLSign)")
                          .arg(issuer.subject());
    }
    EVP_PKEY* key = X509_get0_pubkey(issuer.handle());
    ERR_clear_error();
    if (key != nullptr && X509_CRL_verify(x, key) == 1) {
        r.signatureValid = true;
    } else {
        r.problems << QStringLiteral("the CRL's signature does not verify with the key of %1 (%2)")
                          .arg(issuer.subject(), ossl::drainErrors());
    }
    if (!r.thisUpdate.isValid()) {
        r.problems << QStringLiteral("the CRL has no readable thisUpdate");
    } else if (r.thisUpdate > now.addSecs(kClockSkewSeconds)) {
        r.problems << QStringLiteral("the CRL's thisUpdate %1 is in the future")
                          .arg(utcStamp(r.thisUpdate));
    }
    if (r.nextUpdate.isValid() && r.nextUpdate < now.addSecs(-kClockSkewSeconds)) {
        r.problems
            << QStringLiteral("the CRL expired on %1 (nextUpdate)").arg(utcStamp(r.nextUpdate));
    }
    int critical = -1;
    ossl::Asn1EnumeratedPtr delta(
        static_cast<ASN1_ENUMERATED*>(X509_CRL_get_ext_d2i(x, NID_delta_crl, &critical, nullptr)));
    ERR_clear_error();
    if (delta || critical >= 0) {
        r.problems << QStringLiteral("the URL serves a delta CRL, not a complete one");
    }
    critical = -1;
    ossl::IssuingDistPointPtr idp(static_cast<ISSUING_DIST_POINT*>(
        X509_CRL_get_ext_d2i(x, NID_issuing_distribution_point, &critical, nullptr)));
    ERR_clear_error();
    if (!idp && critical >= 0) {
        r.problems << QStringLiteral("the CRL's issuingDistributionPoint does not decode");
    }
    if (idp && idp->indirectCRL > 0) {
        r.problems << QStringLiteral("indirect CRLs are not supported");
    }
    if (!r.problems.isEmpty()) {
        return r;
    }

    X509_REVOKED* entry = nullptr;
    const int found = X509_CRL_get0_by_serial(x, &entry, X509_get0_serialNumber(cert.handle()));
    ERR_clear_error();
    if (found == 1 && entry != nullptr) {
        r.status = CertStatus::Revoked;
        r.revocationTime = crypto::asn1ToDateTime(X509_REVOKED_get0_revocationDate(entry));
        r.revocationReason = revocationReasonName(reasonOf(entry));
        return r;
    }
    // Not listed: good, as far as this CRL's scope reaches.
    r.status = CertStatus::Good;
    if (idp) {
        const bool isCa = X509_check_ca(cert.handle()) > 0;
        if (idp->onlyuser > 0 && isCa) {
            r.note = QStringLiteral("the CRL lists end-entity certificates only");
        } else if (idp->onlyCA > 0 && !isCa) {
            r.note = QStringLiteral("the CRL lists CA certificates only");
        } else if (idp->onlyattr > 0) {
            r.note = QStringLiteral("the CRL lists attribute certificates only");
        } else if (idp->onlysomereasons != nullptr) {
            // Not listed for some reasons says nothing about the others.
            r.note = QStringLiteral("the CRL lists revocations for some reasons only");
        }
        if (!r.note.isEmpty()) {
            r.status = CertStatus::Unknown;
        }
    }
    return r;
}

} // namespace certdeck::revocation
