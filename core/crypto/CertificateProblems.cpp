// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/CertificateProblems.h"

#include "crypto/CertificateDetails.h"
#include "crypto/internal/ChainMessages.h"
#include "crypto/internal/ChainPath.h"

#include <QSet>
#include <algorithm>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

namespace certdeck::crypto {

namespace {

using Level = CertificateProblem::Severity;

QString dayCount(qint64 days)
{
    return days == 1 ? QStringLiteral("1 day") : QStringLiteral("%1 days").arg(days);
}

QString oidOf(const ASN1_OBJECT* obj)
{
    char buf[128] = {};
    const int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
    return n > 0 ? QString::fromLatin1(buf, std::min<int>(n, sizeof(buf) - 1)) : QString();
}

} // namespace

QString problemSeverityName(CertificateProblem::Severity severity)
{
    return severity == Level::Warning ? QStringLiteral("warning") : QStringLiteral("critical");
}

QList<CertificateProblem> certificateProblems(const Certificate& certificate, const QDateTime& now,
                                              int warnDays)
{
    QList<CertificateProblem> out;
    if (certificate.isNull()) {
        return out;
    }
    auto add = [&out](const char* code, Level severity, const QString& message) {
        out << CertificateProblem{QString::fromLatin1(code), severity, message};
    };

    const QDateTime notBefore = certificate.notBefore();
    const QDateTime notAfter = certificate.notAfter();
    if (now > notAfter) {
        const qint64 days = notAfter.secsTo(now) / 86400;
        add("expired", Level::Critical,
            days == 0 ? QStringLiteral("expired today, on %1").arg(internal::utcDate(notAfter))
                      : QStringLiteral("expired %1 ago, on %2")
                            .arg(dayCount(days), internal::utcDate(notAfter)));
    } else if (now < notBefore) {
        const qint64 days = now.secsTo(notBefore) / 86400;
        add("not-yet-valid", Level::Critical,
            QStringLiteral("not valid yet: valid from %1 (%2)")
                .arg(internal::utcDate(notBefore), days == 0
                                                       ? QStringLiteral("later today")
                                                       : QStringLiteral("in ") + dayCount(days)));
    } else if (const qint64 days = certificate.daysLeft(now); days < warnDays) {
        add("expiring", Level::Warning,
            QStringLiteral("expires %1, on %2")
                .arg(days == 0 ? QStringLiteral("today") : QStringLiteral("in ") + dayCount(days),
                     internal::utcDate(notAfter)));
    }

    QString key;
    if (internal::isWeakKey(certificate, &key)) {
        add("weak-key", Level::Critical,
            QStringLiteral("weak key: %1 (RSA and DSA need at least 2048 bits, EC at least 256)")
                .arg(key));
    }

    // A self-signed certificate (a root, or a leaf trusted as it is) is
    // trusted because it sits in a trust store, not because of its
    // signature: no client checks that signature, so a SHA-1 one there does
    // no harm. Every other signature is what a client checks, and MD5 and
    // SHA-1 signatures can be forged (chosen-prefix collisions).
    QString digest;
    if (internal::hasWeakSignatureDigest(certificate, &digest) &&
        !internal::isSelfSigned(certificate)) {
        add("weak-signature", Level::Critical,
            QStringLiteral("signed with %1, which is broken for signatures: clients reject it")
                .arg(digest));
    }

    // Unknown means unknown to OpenSSL's verifier (X509_supported_extension,
    // the test behind EXFLAG_CRITICAL and X509_V_ERR_UNHANDLED_CRITICAL_
    // EXTENSION), so the verdict is what OpenSSL-based clients do.
    QSet<QString> unknownCritical;
    const X509* x = certificate.handle();
    for (int i = 0; i < X509_get_ext_count(x); ++i) {
        X509_EXTENSION* ext = X509_get_ext(x, i);
        if (ext == nullptr || X509_EXTENSION_get_critical(ext) == 0 ||
            X509_supported_extension(ext) != 0) {
            continue;
        }
        const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
        const QString oid = oidOf(obj);
        const int nid = OBJ_obj2nid(obj);
        const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
        const QByteArray value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                               ASN1_STRING_length(data));
        unknownCritical.insert(oid);
        add("unknown-critical-extension", Level::Critical,
            QStringLiteral("unknown critical extension %1 (%2): TLS clients must reject this "
                           "certificate")
                .arg(nid == NID_undef
                         ? oid
                         : QStringLiteral("%1 %2").arg(QString::fromLatin1(OBJ_nid2ln(nid)), oid),
                     colonHex(value.left(32)) +
                         (value.size() > 32 ? QStringLiteral("...") : QString())));
    }

    // Values that do not parse, from the same decoder the inspector shows.
    const CertificateDetails details = CertificateDetails::decode(certificate, now);
    for (const ExtensionInfo& e : details.extensions) {
        if (e.decodeFailed && !unknownCritical.contains(e.oid)) {
            add("malformed-extension", e.critical ? Level::Critical : Level::Warning,
                QStringLiteral("the %1 extension (%2) is malformed%3")
                    .arg(e.name.isEmpty() ? e.oid : e.name, e.oid,
                         e.critical ? QStringLiteral(" and critical: clients reject it")
                                    : QString()));
        }
    }

    std::stable_sort(out.begin(), out.end(),
                     [](const CertificateProblem& a, const CertificateProblem& b) {
                         return a.severity == Level::Critical && b.severity != Level::Critical;
                     });
    return out;
}

QString problemsVerdict(const QList<CertificateProblem>& problems)
{
    QString verdict = QStringLiteral("ok");
    for (const CertificateProblem& p : problems) {
        if (p.severity == Level::Critical) {
            return QStringLiteral("critical");
        }
        verdict = QStringLiteral("warning");
    }
    return verdict;
}

} // namespace certdeck::crypto
