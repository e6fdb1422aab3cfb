// SPDX-License-Identifier: GPL-3.0-or-later
#include "CertificateDetails.h"

#include "crypto/OpenSslError.h"
#include "crypto/internal/ExtensionDecoder.h"

#include <QJsonArray>
#include <array>
#include <openssl/core_names.h>
#include <openssl/evp.h>

namespace certdeck::crypto {

using internal::oidName;
using internal::oidText;

namespace {

QByteArray bitString(const ASN1_BIT_STRING* s)
{
    if (s == nullptr) {
        return {};
    }
    return QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      ASN1_STRING_length(s));
}

CertificateField leaf(const QString& name, const QString& value, const QString& oid = {})
{
    CertificateField f;
    f.name = name;
    f.value = value;
    f.oid = oid;
    return f;
}

QString utc(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"))
                       : QStringLiteral("<invalid time>");
}

QString daysText(const CertificateDetails& d)
{
    if (d.notYetValid) {
        return QStringLiteral("not yet valid");
    }
    if (d.expired) {
        return QStringLiteral("expired %1 day(s) ago").arg(-d.daysLeft);
    }
    return QStringLiteral("%1 day(s) left").arg(d.daysLeft);
}

void decodePublicKey(X509* x, CertificateDetails& d, CertificateField& node)
{
    node.name = QStringLiteral("Subject Public Key Info");
    const X509_PUBKEY* pub = X509_get_X509_PUBKEY(x);
    ASN1_OBJECT* alg = nullptr;
    const unsigned char* raw = nullptr;
    int rawLen = 0;
    if (pub != nullptr && X509_PUBKEY_get0_param(&alg, &raw, &rawLen, nullptr, pub) == 1) {
        node.children << leaf(QStringLiteral("Algorithm"), oidName(alg), oidText(alg));
    }
    // X509_get0_pubkey decodes lazily; a key it cannot decode is still shown
    // with its algorithm and raw bits.
    EVP_PKEY* key = X509_get0_pubkey(x);
    if (key == nullptr) {
        node.children << leaf(QStringLiteral("Key"),
                              QStringLiteral("could not be decoded (%1)").arg(ossl::drainErrors()));
    } else {
        const char* type = EVP_PKEY_get0_type_name(key);
        d.publicKeyAlgorithm = type != nullptr ? QString::fromUtf8(type) : oidName(alg);
        d.publicKeyBits = EVP_PKEY_get_bits(key);
        std::array<char, 80> group{};
        size_t groupLen = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                           group.size(), &groupLen) == 1) {
            d.curve = QString::fromUtf8(group.data(), static_cast<qsizetype>(groupLen));
        } else {
            // Keys without a group (RSA, Ed25519) end here; not an error.
            static_cast<void>(ossl::drainErrors());
        }
        node.children << leaf(QStringLiteral("Key Type"), d.publicKeyAlgorithm)
                      << leaf(QStringLiteral("Key Size"),
                              QStringLiteral("%1 bit").arg(d.publicKeyBits));
        if (!d.curve.isEmpty()) {
            node.children << leaf(QStringLiteral("Curve"), d.curve);
        }
    }
    if (raw != nullptr) {
        node.children << leaf(QStringLiteral("Public Key"),
                              colonHex(QByteArray(reinterpret_cast<const char*>(raw), rawLen)));
    }
    node.value =
        d.publicKeyAlgorithm.isEmpty()
            ? oidName(alg)
            : QStringLiteral("%1 %2 bit%3")
                  .arg(d.publicKeyAlgorithm)
                  .arg(d.publicKeyBits)
                  .arg(d.curve.isEmpty() ? QString() : QStringLiteral(" (") + d.curve + u')');
}

QJsonArray stringArray(const QStringList& list)
{
    return QJsonArray::fromStringList(list);
}

} // namespace

QJsonObject CertificateField::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name}, {QStringLiteral("value"), value}};
    if (!oid.isEmpty()) {
        o.insert(QStringLiteral("oid"), oid);
    }
    if (critical) {
        o.insert(QStringLiteral("critical"), true);
    }
    if (!children.isEmpty()) {
        QJsonArray kids;
        for (const CertificateField& c : children) {
            kids.append(c.toJson());
        }
        o.insert(QStringLiteral("children"), kids);
    }
    return o;
}

CertificateDetails CertificateDetails::decode(const Certificate& certificate, const QDateTime& now)
{
    CertificateDetails d;
    X509* x = certificate.handle();
    if (x == nullptr) {
        return d;
    }
    d.version = static_cast<int>(X509_get_version(x)) + 1;
    d.serialHex = certificate.serialHex();
    const ASN1_BIT_STRING* sig = nullptr;
    const X509_ALGOR* sigAlg = nullptr;
    X509_get0_signature(&sig, &sigAlg, x);
    const ASN1_OBJECT* sigObj = nullptr;
    X509_ALGOR_get0(&sigObj, nullptr, nullptr, sigAlg);
    d.signatureAlgorithm = oidName(sigObj);
    d.signatureAlgorithmOid = oidText(sigObj);
    d.subject = certificate.subject();
    d.issuer = certificate.issuer();
    d.notBefore = certificate.notBefore();
    d.notAfter = certificate.notAfter();
    d.daysLeft = certificate.daysLeft(now);
    d.expired = d.notAfter.isValid() && now > d.notAfter;
    d.notYetValid = d.notBefore.isValid() && now < d.notBefore;
    d.sha256Fingerprint = colonHex(certificate.fingerprint(QCryptographicHash::Sha256));
    d.sha1Fingerprint = colonHex(certificate.fingerprint(QCryptographicHash::Sha1));
    d.spkiPinSha256 = QString::fromLatin1(certificate.spkiSha256().toBase64());

    d.fields << leaf(QStringLiteral("Version"),
                     QStringLiteral("%1 (0x%2)").arg(d.version).arg(d.version - 1))
             << leaf(QStringLiteral("Serial Number"), d.serialHex)
             << leaf(QStringLiteral("Signature Algorithm"), d.signatureAlgorithm,
                     d.signatureAlgorithmOid);
    CertificateField issuer = leaf(QStringLiteral("Issuer"), d.issuer);
    issuer.children = internal::nameFields(X509_get_issuer_name(x));
    d.fields << issuer;
    CertificateField validity = leaf(QStringLiteral("Validity"), {});
    validity.children << leaf(QStringLiteral("Not Before"), utc(d.notBefore))
                      << leaf(QStringLiteral("Not After"), utc(d.notAfter))
                      << leaf(QStringLiteral("Days Left"), daysText(d));
    validity.value = daysText(d);
    d.fields << validity;
    CertificateField subject = leaf(QStringLiteral("Subject"), d.subject);
    subject.children = internal::nameFields(X509_get_subject_name(x));
    d.fields << subject;
    CertificateField key;
    decodePublicKey(x, d, key);
    d.fields << key;

    const ASN1_BIT_STRING* issuerUid = nullptr;
    const ASN1_BIT_STRING* subjectUid = nullptr;
    X509_get0_uids(x, &issuerUid, &subjectUid);
    if (issuerUid != nullptr) {
        d.fields << leaf(QStringLiteral("Issuer Unique ID"), colonHex(bitString(issuerUid)));
    }
    if (subjectUid != nullptr) {
        d.fields << leaf(QStringLiteral("Subject Unique ID"), colonHex(bitString(subjectUid)));
    }

    CertificateField extensions = leaf(QStringLiteral("Extensions"), {});
    const int count = X509_get_ext_count(x);
    for (int i = 0; i < count; ++i) {
        internal::decodeExtension(X509_get_ext(x, i), d, extensions);
    }
    extensions.value = QStringLiteral("%1 extension(s)").arg(count);
    if (count > 0) {
        d.fields << extensions;
    }

    CertificateField signature = leaf(QStringLiteral("Signature"), d.signatureAlgorithm);
    signature.children << leaf(QStringLiteral("Algorithm"), d.signatureAlgorithm,
                               d.signatureAlgorithmOid)
                       << leaf(QStringLiteral("Value"), colonHex(bitString(sig)));
    d.fields << signature;
    CertificateField prints = leaf(QStringLiteral("Fingerprints"), {});
    prints.children << leaf(QStringLiteral("SHA-256"), d.sha256Fingerprint)
                    << leaf(QStringLiteral("SHA-1"), d.sha1Fingerprint)
                    << leaf(QStringLiteral("SPKI Pin (SHA-256, base64)"), d.spkiPinSha256);
    d.fields << prints;
    return d;
}

QList<ExtensionInfo> CertificateDetails::unknownCriticalExtensions() const
{
    QList<ExtensionInfo> out;
    for (const ExtensionInfo& e : extensions) {
        if (e.critical && !e.known) {
            out << e;
        }
    }
    return out;
}

QJsonObject CertificateDetails::toJson() const
{
    QJsonObject o{
        {QStringLiteral("version"), version},
        {QStringLiteral("serial"), serialHex},
        {QStringLiteral("signatureAlgorithm"), signatureAlgorithm},
        {QStringLiteral("signatureAlgorithmOid"), signatureAlgorithmOid},
        {QStringLiteral("subject"), subject},
        {QStringLiteral("issuer"), issuer},
        {QStringLiteral("notBefore"), notBefore.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("notAfter"), notAfter.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("daysLeft"), daysLeft},
        {QStringLiteral("expired"), expired},
        {QStringLiteral("notYetValid"), notYetValid},
        {QStringLiteral("publicKey"), QJsonObject{{QStringLiteral("algorithm"), publicKeyAlgorithm},
                                                  {QStringLiteral("bits"), publicKeyBits},
                                                  {QStringLiteral("curve"), curve}}},
        {QStringLiteral("sha256Fingerprint"), sha256Fingerprint},
        {QStringLiteral("sha1Fingerprint"), sha1Fingerprint},
        {QStringLiteral("spkiPinSha256"), spkiPinSha256},
        {QStringLiteral("subjectAltNames"), stringArray(subjectAltNames)},
        {QStringLiteral("keyUsage"), stringArray(keyUsageNames)},
        {QStringLiteral("extendedKeyUsage"), stringArray(extendedKeyUsageNames)},
        {QStringLiteral("extendedKeyUsageOids"), stringArray(extendedKeyUsageOids)},
        {QStringLiteral("ocspUrls"), stringArray(ocspUrls)},
        {QStringLiteral("caIssuersUrls"), stringArray(caIssuersUrls)},
        {QStringLiteral("crlUrls"), stringArray(crlUrls)},
        {QStringLiteral("permittedSubtrees"), stringArray(permittedSubtrees)},
        {QStringLiteral("excludedSubtrees"), stringArray(excludedSubtrees)},
        {QStringLiteral("mustStaple"), mustStaple},
        {QStringLiteral("subjectKeyId"), colonHex(subjectKeyId)},
        {QStringLiteral("authorityKeyId"), colonHex(authorityKeyId)},
    };
    if (basicConstraintsCa) {
        o.insert(QStringLiteral("ca"), *basicConstraintsCa);
    }
    if (pathLengthConstraint) {
        o.insert(QStringLiteral("pathLength"), *pathLengthConstraint);
    }
    QJsonArray pols;
    for (const CertificatePolicy& p : policies) {
        pols.append(QJsonObject{{QStringLiteral("oid"), p.oid},
                                {QStringLiteral("name"), p.name},
                                {QStringLiteral("qualifiers"), stringArray(p.qualifiers)}});
    }
    o.insert(QStringLiteral("policies"), pols);
    QJsonArray sctArray;
    for (const SignedCertificateTimestamp& s : scts) {
        sctArray.append(
            QJsonObject{{QStringLiteral("version"), s.version + 1},
                        {QStringLiteral("logId"), QString::fromLatin1(s.logId.toBase64())},
                        {QStringLiteral("timestamp"), s.timestamp.toString(Qt::ISODateWithMs)}});
    }
    o.insert(QStringLiteral("scts"), sctArray);
    QJsonArray exts;
    for (const ExtensionInfo& e : extensions) {
        QJsonObject eo{{QStringLiteral("oid"), e.oid},
                       {QStringLiteral("name"), e.name},
                       {QStringLiteral("critical"), e.critical},
                       {QStringLiteral("known"), e.known}};
        if (!e.known || e.decodeFailed) {
            eo.insert(QStringLiteral("hex"), colonHex(e.value));
        }
        if (e.decodeFailed) {
            eo.insert(QStringLiteral("decodeFailed"), true);
        }
        exts.append(eo);
    }
    o.insert(QStringLiteral("extensions"), exts);
    QJsonArray tree;
    for (const CertificateField& f : fields) {
        tree.append(f.toJson());
    }
    o.insert(QStringLiteral("fields"), tree);
    return o;
}

} // namespace certdeck::crypto
