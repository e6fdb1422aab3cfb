// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExtensionDecoder.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/internal/IpOctets.h"

#include <QHostAddress>
#include <array>

namespace certdeck::crypto::internal {

using namespace ossl; // the owner types of crypto/OpenSslPtr.h

namespace {

QString bioText(BIO* bio)
{
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return QString::fromUtf8(data, static_cast<qsizetype>(len));
}

QByteArray octets(const ASN1_STRING* s)
{
    if (s == nullptr) {
        return {};
    }
    return QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      ASN1_STRING_length(s));
}

QString ipText(const ASN1_OCTET_STRING* s)
{
    const QByteArray b = octets(s);
    if (b.size() == 8 || b.size() == 32) { // name constraints: address and mask
        const QByteArrayView v(b);
        return ipAddressText(v.first(b.size() / 2)) + u'/' + ipAddressText(v.sliced(b.size() / 2));
    }
    return ipAddressText(b);
}

CertificateField child(const QString& name, const QString& value, const QString& oid = {})
{
    CertificateField f;
    f.name = name;
    f.value = value;
    f.oid = oid;
    return f;
}

QStringList generalNamesText(const GENERAL_NAMES* names)
{
    QStringList out;
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
        out << generalNameText(sk_GENERAL_NAME_value(names, i));
    }
    return out;
}

void addList(CertificateField& node, const QString& childName, const QStringList& values)
{
    node.value = values.join(QStringLiteral(", "));
    for (const QString& v : values) {
        node.children << child(childName, v);
    }
}

void decodeBasicConstraints(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node,
                            bool& ok)
{
    BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(bc))) {
        return;
    }
    d.basicConstraintsCa = bc->ca != 0;
    node.value = bc->ca != 0 ? QStringLiteral("CA:TRUE") : QStringLiteral("CA:FALSE");
    node.children << child(QStringLiteral("Certificate Authority"),
                           bc->ca != 0 ? QStringLiteral("yes") : QStringLiteral("no"));
    if (bc->pathlen != nullptr) {
        const long len = ASN1_INTEGER_get(bc->pathlen);
        d.pathLengthConstraint = static_cast<int>(len);
        node.value += QStringLiteral(", pathlen:%1").arg(len);
        node.children << child(QStringLiteral("Path Length Constraint"), QString::number(len));
    }
}

void decodeKeyUsage(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node, bool& ok)
{
    Asn1BitStringPtr bits(static_cast<ASN1_BIT_STRING*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(bits))) {
        return;
    }
    // The names `openssl x509 -text` uses, so output can be compared.
    static const std::array<const char*, 9> names = {
        "Digital Signature", "Non Repudiation", "Key Encipherment",
        "Data Encipherment", "Key Agreement",   "Certificate Sign",
        "CRL Sign",          "Encipher Only",   "Decipher Only"};
    quint16 flags = 0;
    for (int i = 0; i < static_cast<int>(names.size()); ++i) {
        if (ASN1_BIT_STRING_get_bit(bits.get(), i) != 0) {
            flags |= static_cast<quint16>(1U << i);
            d.keyUsageNames << QString::fromLatin1(names[static_cast<size_t>(i)]);
        }
    }
    d.keyUsageBits = flags;
    addList(node, QStringLiteral("Usage"), d.keyUsageNames);
}

void decodeExtendedKeyUsage(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node,
                            bool& ok)
{
    ExtendedKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(eku))) {
        return;
    }
    QStringList shown;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        const ASN1_OBJECT* o = sk_ASN1_OBJECT_value(eku.get(), i);
        d.extendedKeyUsageOids << oidText(o);
        d.extendedKeyUsageNames << oidName(o);
        node.children << child(QStringLiteral("Purpose"), oidName(o), oidText(o));
        shown << oidName(o);
    }
    node.value = shown.join(QStringLiteral(", "));
}

void decodeAltName(X509_EXTENSION* ext, QStringList* sink, CertificateField& node, bool& ok)
{
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(names))) {
        return;
    }
    const QStringList list = generalNamesText(names.get());
    if (sink != nullptr) {
        *sink = list;
    }
    addList(node, QStringLiteral("Name"), list);
}

void decodeSubjectKeyId(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node,
                        bool& ok)
{
    Asn1OctetStringPtr id(static_cast<ASN1_OCTET_STRING*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(id))) {
        return;
    }
    d.subjectKeyId = octets(id.get());
    node.value = colonHex(d.subjectKeyId);
}

void decodeAuthorityKeyId(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node,
                          bool& ok)
{
    AuthorityKeyIdPtr aki(static_cast<AUTHORITY_KEYID*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(aki))) {
        return;
    }
    QStringList parts;
    if (aki->keyid != nullptr) {
        d.authorityKeyId = octets(aki->keyid);
        node.children << child(QStringLiteral("Key Identifier"), colonHex(d.authorityKeyId));
        parts << colonHex(d.authorityKeyId);
    }
    if (aki->issuer != nullptr) {
        const QString issuers = generalNamesText(aki->issuer).join(QStringLiteral(", "));
        node.children << child(QStringLiteral("Issuer"), issuers);
        parts << issuers;
    }
    if (aki->serial != nullptr) {
        const QString serial = colonHex(octets(aki->serial));
        node.children << child(QStringLiteral("Serial"), serial);
        parts << QStringLiteral("serial ") + serial;
    }
    node.value = parts.join(QStringLiteral("; "));
}

void decodeAuthorityInfoAccess(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node,
                               bool& ok)
{
    AuthorityInfoAccessPtr aia(static_cast<AUTHORITY_INFO_ACCESS*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(aia))) {
        return;
    }
    QStringList shown;
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
        const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
        const int nid = OBJ_obj2nid(ad->method);
        const QString location = generalNameText(ad->location);
        const bool isUri = ad->location->type == GEN_URI;
        const QString uri = isUri ? asn1Text(ad->location->d.uniformResourceIdentifier) : QString();
        QString method = oidName(ad->method);
        if (nid == NID_ad_OCSP) {
            method = QStringLiteral("OCSP");
            if (isUri) {
                d.ocspUrls << uri;
            }
        } else if (nid == NID_ad_ca_issuers) {
            method = QStringLiteral("CA Issuers");
            if (isUri) {
                d.caIssuersUrls << uri;
            }
        }
        node.children << child(method, location, oidText(ad->method));
        shown << method + QStringLiteral(" - ") + location;
    }
    node.value = shown.join(QStringLiteral(", "));
}

void decodeCrlDistributionPoints(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node,
                                 bool& ok)
{
    CrlDistPointsPtr dps(static_cast<CRL_DIST_POINTS*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(dps))) {
        return;
    }
    QStringList shown;
    for (int i = 0; i < sk_DIST_POINT_num(dps.get()); ++i) {
        const DIST_POINT* dp = sk_DIST_POINT_value(dps.get(), i);
        CertificateField point = child(QStringLiteral("Distribution Point"), {});
        if (dp->distpoint != nullptr && dp->distpoint->type == 0) {
            const GENERAL_NAMES* full = dp->distpoint->name.fullname;
            for (int j = 0; j < sk_GENERAL_NAME_num(full); ++j) {
                const GENERAL_NAME* gn = sk_GENERAL_NAME_value(full, j);
                if (gn->type == GEN_URI) {
                    d.crlUrls << asn1Text(gn->d.uniformResourceIdentifier);
                }
                point.children << child(QStringLiteral("Full Name"), generalNameText(gn));
            }
            point.value = generalNamesText(full).join(QStringLiteral(", "));
        } else if (dp->distpoint != nullptr) {
            point.value = QStringLiteral("relative name");
        }
        if (dp->CRLissuer != nullptr) {
            point.children << child(QStringLiteral("CRL Issuer"),
                                    generalNamesText(dp->CRLissuer).join(QStringLiteral(", ")));
        }
        if (dp->reasons != nullptr) {
            point.children << child(QStringLiteral("Reasons"), colonHex(octets(dp->reasons)));
        }
        shown << point.value;
        node.children << point;
    }
    node.value = shown.join(QStringLiteral(", "));
}

void decodePolicies(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node, bool& ok)
{
    CertificatePoliciesPtr pols(static_cast<CERTIFICATEPOLICIES*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(pols))) {
        return;
    }
    QStringList shown;
    for (int i = 0; i < sk_POLICYINFO_num(pols.get()); ++i) {
        const POLICYINFO* pi = sk_POLICYINFO_value(pols.get(), i);
        CertificatePolicy policy;
        policy.oid = oidText(pi->policyid);
        const QString name = oidName(pi->policyid);
        policy.name = name == policy.oid ? QString() : name;
        CertificateField p = child(QStringLiteral("Policy"), name, policy.oid);
        for (int j = 0; pi->qualifiers != nullptr && j < sk_POLICYQUALINFO_num(pi->qualifiers);
             ++j) {
            const POLICYQUALINFO* q = sk_POLICYQUALINFO_value(pi->qualifiers, j);
            const int nid = OBJ_obj2nid(q->pqualid);
            QString text;
            if (nid == NID_id_qt_cps) {
                text = QStringLiteral("CPS: ") + asn1Text(q->d.cpsuri);
            } else if (nid == NID_id_qt_unotice && q->d.usernotice != nullptr &&
                       q->d.usernotice->exptext != nullptr) {
                text = QStringLiteral("User Notice: ") + asn1Text(q->d.usernotice->exptext);
            } else {
                text = oidName(q->pqualid);
            }
            policy.qualifiers << text;
            p.children << child(QStringLiteral("Qualifier"), text, oidText(q->pqualid));
        }
        shown << name;
        node.children << p;
        d.policies << policy;
    }
    node.value = shown.join(QStringLiteral(", "));
}

QStringList subtrees(const STACK_OF(GENERAL_SUBTREE) * trees)
{
    QStringList out;
    for (int i = 0; trees != nullptr && i < sk_GENERAL_SUBTREE_num(trees); ++i) {
        out << generalNameText(sk_GENERAL_SUBTREE_value(trees, i)->base);
    }
    return out;
}

void decodeNameConstraints(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node,
                           bool& ok)
{
    NameConstraintsPtr nc(static_cast<NAME_CONSTRAINTS*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(nc))) {
        return;
    }
    d.permittedSubtrees = subtrees(nc->permittedSubtrees);
    d.excludedSubtrees = subtrees(nc->excludedSubtrees);
    CertificateField permitted = child(QStringLiteral("Permitted"), {});
    addList(permitted, QStringLiteral("Subtree"), d.permittedSubtrees);
    CertificateField excluded = child(QStringLiteral("Excluded"), {});
    addList(excluded, QStringLiteral("Subtree"), d.excludedSubtrees);
    QStringList shown;
    if (!d.permittedSubtrees.isEmpty()) {
        shown << QStringLiteral("permitted: ") + permitted.value;
        node.children << permitted;
    }
    if (!d.excludedSubtrees.isEmpty()) {
        shown << QStringLiteral("excluded: ") + excluded.value;
        node.children << excluded;
    }
    node.value = shown.join(QStringLiteral("; "));
}

void decodeTlsFeature(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node, bool& ok)
{
    TlsFeaturePtr features(static_cast<TLS_FEATURE*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(features))) {
        return;
    }
    QStringList shown;
    for (int i = 0; i < sk_ASN1_INTEGER_num(features.get()); ++i) {
        const long v = ASN1_INTEGER_get(sk_ASN1_INTEGER_value(features.get(), i));
        // RFC 7633: the TLS extension numbers; 5 is OCSP must-staple.
        QString name;
        if (v == 5) {
            name = QStringLiteral("status_request");
            d.mustStaple = true;
        } else if (v == 17) {
            name = QStringLiteral("status_request_v2");
        } else {
            name = QStringLiteral("TLS extension %1").arg(v);
        }
        node.children << child(QStringLiteral("Feature"), name);
        shown << name;
    }
    node.value = shown.join(QStringLiteral(", "));
}

void decodeSctList(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& node, bool& ok)
{
    SctListPtr list(static_cast<STACK_OF(SCT)*>(X509V3_EXT_d2i(ext)));
    if (!(ok = static_cast<bool>(list))) {
        return;
    }
    for (int i = 0; i < sk_SCT_num(list.get()); ++i) {
        const SCT* sct = sk_SCT_value(list.get(), i);
        SignedCertificateTimestamp s;
        s.version = static_cast<int>(SCT_get_version(sct));
        unsigned char* logId = nullptr;
        const size_t idLen = SCT_get0_log_id(sct, &logId);
        s.logId = QByteArray(reinterpret_cast<const char*>(logId), static_cast<qsizetype>(idLen));
        s.timestamp =
            QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(SCT_get_timestamp(sct)), Qt::UTC);
        CertificateField f = child(QStringLiteral("Signed Certificate Timestamp"),
                                   s.timestamp.toString(Qt::ISODateWithMs));
        f.children << child(QStringLiteral("Version"), QStringLiteral("v%1").arg(s.version + 1))
                   << child(QStringLiteral("Log ID"), colonHex(s.logId))
                   << child(QStringLiteral("Timestamp"), s.timestamp.toString(Qt::ISODateWithMs));
        node.children << f;
        d.scts << s;
    }
    node.value = QStringLiteral("%1 timestamp(s)").arg(d.scts.size());
}

/// Extensions OpenSSL knows but that CertDeck has no dedicated view for
/// (policy constraints, inhibitAnyPolicy...): OpenSSL's own text.
void decodeGeneric(X509_EXTENSION* ext, CertificateField& node, bool& ok)
{
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    ok = bio && X509V3_EXT_print(bio.get(), ext, 0, 0) == 1;
    if (ok) {
        node.value = bioText(bio.get()).trimmed().replace(u'\n', QStringLiteral(", "));
    }
}

} // namespace

QString oidText(const ASN1_OBJECT* object)
{
    if (object == nullptr) {
        return {};
    }
    std::array<char, 128> buf{};
    const int len = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), object, 1);
    if (len <= 0) {
        return {};
    }
    if (len < static_cast<int>(buf.size())) {
        return QString::fromLatin1(buf.data(), len);
    }
    // Very long OIDs (fuzzers make them) need the exact size.
    QByteArray big(len + 1, '\0');
    OBJ_obj2txt(big.data(), static_cast<int>(big.size()), object, 1);
    return QString::fromLatin1(big.constData(), len);
}

QString oidName(const ASN1_OBJECT* object)
{
    const int nid = OBJ_obj2nid(object);
    if (nid != NID_undef) {
        const char* ln = OBJ_nid2ln(nid);
        if (ln != nullptr) {
            return QString::fromUtf8(ln);
        }
    }
    return oidText(object);
}

QString asn1Text(const ASN1_STRING* s)
{
    if (s == nullptr) {
        return {};
    }
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, s);
    if (len < 0) {
        // An undecodable string is shown as hex instead; not an error.
        static_cast<void>(ossl::drainErrors());
        return colonHex(octets(s));
    }
    QString out = QString::fromUtf8(reinterpret_cast<const char*>(utf8), len);
    OPENSSL_free(utf8);
    return out;
}

QString generalNameText(const GENERAL_NAME* gn)
{
    if (gn == nullptr) {
        return {};
    }
    switch (gn->type) {
    case GEN_DNS:
        return QStringLiteral("DNS:") + asn1Text(gn->d.dNSName);
    case GEN_EMAIL:
        return QStringLiteral("email:") + asn1Text(gn->d.rfc822Name);
    case GEN_URI:
        return QStringLiteral("URI:") + asn1Text(gn->d.uniformResourceIdentifier);
    case GEN_IPADD:
        return QStringLiteral("IP Address:") + ipText(gn->d.iPAddress);
    case GEN_DIRNAME:
        return QStringLiteral("DirName:") + nameText(gn->d.directoryName);
    case GEN_RID:
        return QStringLiteral("Registered ID:") + oidText(gn->d.registeredID);
    case GEN_OTHERNAME:
        return QStringLiteral("othername:") + oidText(gn->d.otherName->type_id);
    case GEN_X400:
        return QStringLiteral("X400Name:<unsupported>");
    case GEN_EDIPARTY:
        return QStringLiteral("EdiPartyName:<unsupported>");
    default:
        return QStringLiteral("<unknown general name type %1>").arg(gn->type);
    }
}

QString nameText(const X509_NAME* name)
{
    if (name == nullptr) {
        return {};
    }
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
        return {};
    }
    return bioText(bio.get());
}

QList<CertificateField> nameFields(const X509_NAME* name)
{
    QList<CertificateField> out;
    for (int i = 0; name != nullptr && i < X509_NAME_entry_count(name); ++i) {
        const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
        const ASN1_OBJECT* o = X509_NAME_ENTRY_get_object(e);
        const int nid = OBJ_obj2nid(o);
        const QString label = nid != NID_undef ? QString::fromUtf8(OBJ_nid2sn(nid)) : oidText(o);
        out << child(label, asn1Text(X509_NAME_ENTRY_get_data(e)), oidText(o));
    }
    return out;
}

void decodeExtension(X509_EXTENSION* ext, CertificateDetails& d, CertificateField& parent)
{
    const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
    ExtensionInfo info;
    info.oid = oidText(obj);
    info.critical = X509_EXTENSION_get_critical(ext) != 0;
    info.value = octets(X509_EXTENSION_get_data(ext));
    const int nid = OBJ_obj2nid(obj);
    info.known = nid != NID_undef && X509V3_EXT_get(ext) != nullptr;
    info.name = nid != NID_undef ? QString::fromUtf8(OBJ_nid2ln(nid)) : QString();

    CertificateField node;
    node.name = info.name.isEmpty() ? info.oid : info.name;
    node.oid = info.oid;
    node.critical = info.critical;

    bool ok = true;
    if (info.known) {
        switch (nid) {
        case NID_basic_constraints:
            decodeBasicConstraints(ext, d, node, ok);
            break;
        case NID_key_usage:
            decodeKeyUsage(ext, d, node, ok);
            break;
        case NID_ext_key_usage:
            decodeExtendedKeyUsage(ext, d, node, ok);
            break;
        case NID_subject_alt_name:
            decodeAltName(ext, &d.subjectAltNames, node, ok);
            break;
        case NID_issuer_alt_name:
            decodeAltName(ext, nullptr, node, ok);
            break;
        case NID_subject_key_identifier:
            decodeSubjectKeyId(ext, d, node, ok);
            break;
        case NID_authority_key_identifier:
            decodeAuthorityKeyId(ext, d, node, ok);
            break;
        case NID_info_access:
            decodeAuthorityInfoAccess(ext, d, node, ok);
            break;
        case NID_crl_distribution_points:
            decodeCrlDistributionPoints(ext, d, node, ok);
            break;
        case NID_certificate_policies:
            decodePolicies(ext, d, node, ok);
            break;
        case NID_name_constraints:
            decodeNameConstraints(ext, d, node, ok);
            break;
        case NID_tlsfeature:
            decodeTlsFeature(ext, d, node, ok);
            break;
        case NID_ct_precert_scts:
            decodeSctList(ext, d, node, ok);
            break;
        default:
            decodeGeneric(ext, node, ok);
            break;
        }
    }
    if (!ok) {
        // A known extension whose value does not parse: show the bytes and
        // say so, rather than dropping it.
        info.decodeFailed = true;
        const QString why = ossl::drainErrors();
        node.children.clear();
        node.value = QStringLiteral("could not be decoded: ") + colonHex(info.value);
        if (!why.isEmpty()) {
            node.children << child(QStringLiteral("Error"), why);
        }
    } else if (!info.known) {
        node.value = colonHex(info.value);
        node.children << child(QStringLiteral("Unknown extension"),
                               QStringLiteral("%1 byte(s) of DER").arg(info.value.size()));
    }
    d.extensions << info;
    parent.children << node;
}

} // namespace certdeck::crypto::internal
