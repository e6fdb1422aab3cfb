// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/internal/ChainMessages.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509_vfy.h>

namespace certdeck::crypto::internal {

namespace {

QString displayName(const Certificate& c)
{
    const QString cn = c.commonName();
    return cn.isEmpty() ? c.subject() : cn;
}

QString dayCount(qint64 days)
{
    return days == 1 ? QStringLiteral("1 day") : QStringLiteral("%1 days").arg(days);
}

} // namespace

QString utcDate(const QDateTime& t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd")) + QStringLiteral(" UTC");
}

LinkProblem problemForVerifyError(int error)
{
    switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return LinkProblem::Expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return LinkProblem::NotYetValid;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return LinkProblem::UnknownIssuer;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return LinkProblem::SelfSignedUntrusted;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        return LinkProblem::BadSignature;
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
        return LinkProblem::WeakKey;
    case X509_V_ERR_CA_MD_TOO_WEAK:
        return LinkProblem::Sha1Signature;
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE:
        return LinkProblem::NameConstraints;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return LinkProblem::HostnameMismatch;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
        return LinkProblem::NotCa;
    case X509_V_ERR_INVALID_PURPOSE:
        return LinkProblem::WrongPurpose;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        return LinkProblem::PathLength;
    default:
        return LinkProblem::Other;
    }
}

QString linkMessage(LinkProblem problem, const LinkContext& c)
{
    switch (problem) {
    case LinkProblem::Expired: {
        const QDateTime end = c.cert.notAfter();
        const qint64 days = end.secsTo(c.now) / 86400;
        if (days == 0) {
            return QStringLiteral("Expired today, on %1").arg(utcDate(end));
        }
        return QStringLiteral("Expired %1 ago, on %2").arg(dayCount(days), utcDate(end));
    }
    case LinkProblem::NotYetValid: {
        const QDateTime start = c.cert.notBefore();
        const qint64 days = c.now.secsTo(start) / 86400;
        return QStringLiteral("Not valid yet: valid from %1 (%2)")
            .arg(utcDate(start), days == 0 ? QStringLiteral("later today")
                                           : QStringLiteral("in ") + dayCount(days));
    }
    case LinkProblem::UnknownIssuer: {
        QString m = QStringLiteral("Unknown issuer: %1 was not served and is not a trust anchor")
                        .arg(c.cert.issuer());
        if (!c.aiaErrors.isEmpty()) {
            m += QStringLiteral("; ") + c.aiaErrors.join(QStringLiteral("; "));
        }
        return m;
    }
    case LinkProblem::SelfSignedUntrusted:
        return QStringLiteral("Self-signed, and not a trusted anchor");
    case LinkProblem::BadSignature:
        return c.issuer.isNull()
                   ? QStringLiteral("Bad signature: it does not verify with the issuer's key")
                   : QStringLiteral("Bad signature: it does not verify with the key of %1")
                         .arg(displayName(c.issuer));
    case LinkProblem::WeakKey: {
        QString key;
        (void)isWeakKey(c.cert, &key);
        return QStringLiteral("Weak key: %1 (RSA needs at least 2048 bits, EC 256)").arg(key);
    }
    case LinkProblem::Sha1Signature: {
        QString digest;
        (void)hasWeakSignatureDigest(c.cert, &digest);
        return QStringLiteral("Signed with %1, which is broken for signatures")
            .arg(digest.isEmpty() ? QStringLiteral("a weak digest") : digest);
    }
    case LinkProblem::NameConstraints:
        return QStringLiteral("Violates its issuer's name constraints (%1)").arg(c.opensslText);
    case LinkProblem::HostnameMismatch: {
        QStringList names;
        for (const QString& d : c.cert.dnsNames()) {
            names << QStringLiteral("DNS:") + d;
        }
        for (const QString& ip : c.cert.ipAddresses()) {
            names << QStringLiteral("IP:") + ip;
        }
        if (names.isEmpty() && !c.cert.commonName().isEmpty()) {
            names << QStringLiteral("CN=%1 (no subjectAltName)").arg(c.cert.commonName());
        }
        return QStringLiteral("Not valid for %1: the certificate names %2")
            .arg(c.host,
                 names.isEmpty() ? QStringLiteral("nothing") : names.join(QStringLiteral(", ")));
    }
    case LinkProblem::NotCa:
        return QStringLiteral("Issues a certificate but may not: no basicConstraints CA:TRUE "
                              "or no keyCertSign key usage");
    case LinkProblem::WrongPurpose:
        return QStringLiteral("Not allowed for TLS servers (extendedKeyUsage or key usage "
                              "excludes serverAuth)");
    case LinkProblem::PathLength:
        return QStringLiteral("The chain is longer than a CA's pathLenConstraint allows");
    case LinkProblem::ExpiresSoon: {
        const QDateTime end = c.cert.notAfter();
        const qint64 days = c.now.secsTo(end) / 86400;
        return QStringLiteral("Expires %1, on %2")
            .arg(days == 0 ? QStringLiteral("today") : QStringLiteral("in ") + dayCount(days),
                 utcDate(end));
    }
    case LinkProblem::Revoked:
        return QStringLiteral("Revoked");
    case LinkProblem::RevocationUnknown:
        return QStringLiteral("Revocation status unknown");
    case LinkProblem::Other:
        break;
    }
    return QStringLiteral("Rejected: %1").arg(c.opensslText);
}

bool isWeakKey(const Certificate& cert, QString* description)
{
    EVP_PKEY* key = cert.isNull() ? nullptr : X509_get0_pubkey(cert.handle());
    if (key == nullptr) {
        return false;
    }
    const int bits = EVP_PKEY_get_bits(key);
    const int id = EVP_PKEY_get_base_id(key);
    QString kind;
    int minimum = 0;
    switch (id) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        kind = QStringLiteral("RSA");
        minimum = 2048;
        break;
    case EVP_PKEY_DSA:
        kind = QStringLiteral("DSA");
        minimum = 2048;
        break;
    case EVP_PKEY_EC:
        kind = QStringLiteral("EC");
        minimum = 256;
        break;
    default:
        kind = QString::fromLatin1(OBJ_nid2sn(id));
        break;
    }
    if (description != nullptr) {
        *description = QStringLiteral("%1 %2 bits").arg(kind).arg(bits);
    }
    return minimum > 0 && bits < minimum;
}

bool hasWeakSignatureDigest(const Certificate& cert, QString* digestName)
{
    int mdNid = NID_undef;
    if (cert.isNull() ||
        X509_get_signature_info(cert.handle(), &mdNid, nullptr, nullptr, nullptr) != 1) {
        return false;
    }
    const bool weak = mdNid == NID_sha1 || mdNid == NID_md5 || mdNid == NID_md5_sha1;
    if (digestName != nullptr && weak) {
        *digestName = mdNid == NID_sha1 ? QStringLiteral("SHA-1") : QStringLiteral("MD5");
    }
    return weak;
}

} // namespace certdeck::crypto::internal
