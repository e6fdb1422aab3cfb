// SPDX-License-Identifier: GPL-3.0-or-later
#include "Csr.h"

#include "crypto/Asn1.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/internal/CaKeyIo.h"
#include "crypto/internal/DerEncode.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>

namespace certdeck::crypto {

namespace {

using namespace internal;

// Sane bound: real CSRs are a few kilobytes.
constexpr qsizetype kMaxCsrBytes = 1024 * 1024;

QString originOr(const QString& origin)
{
    return origin.isEmpty() ? QStringLiteral("CSR") : origin;
}

Status addNameEntry(X509_NAME* name, int nid, const QString& value)
{
    if (value.isEmpty()) {
        return {};
    }
    const QByteArray utf8 = value.toUtf8();
    if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(utf8.constData()),
                                   int(utf8.size()), -1, 0) != 1) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Subject field %1 '%2' cannot be encoded")
                        .arg(QString::fromLatin1(OBJ_nid2sn(nid)), value),
                    ossl::drainErrors());
    }
    return {};
}

/// Extensions whose value is a fixed list of names are built from OpenSSL's
/// config syntax; free-form values (SANs) are built as ASN.1 to avoid
/// escaping issues.
Status pushConfExtension(STACK_OF(X509_EXTENSION) * exts, int nid, const QString& value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, nullptr, nullptr, nullptr, nullptr, 0);
    ossl::X509ExtensionPtr ext(
        X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.toLatin1().constData()));
    if (!ext) {
        return fail(ErrorCode::Internal,
                    QStringLiteral("Cannot build the %1 extension").arg(OBJ_nid2ln(nid)),
                    ossl::drainErrors());
    }
    if (sk_X509_EXTENSION_push(exts, ext.get()) <= 0) {
        return fail(ErrorCode::Internal, QStringLiteral("Out of memory"), ossl::drainErrors());
    }
    (void)ext.release();
    return {};
}

bool isEdwardsKey(EVP_PKEY* key)
{
    return EVP_PKEY_is_a(key, "ED25519") == 1 || EVP_PKEY_is_a(key, "ED448") == 1;
}

template <class T, auto FreeFn>
ossl::Owner<T, FreeFn> requestedExtension(X509_REQ* req, int nid)
{
    ossl::ExtensionStackPtr exts(X509_REQ_get_extensions(req));
    if (!exts) {
        (void)ossl::drainErrors();
        return {};
    }
    return ossl::Owner<T, FreeFn>(
        static_cast<T*>(X509V3_get_d2i(exts.get(), nid, nullptr, nullptr)));
}

} // namespace

Csr::Csr(ossl::X509ReqPtr req)
    : m_req(std::move(req))
{}

Csr::Csr(const Csr& other)
{
    if (other.m_req) {
        m_req.reset(X509_REQ_dup(other.m_req.get()));
    }
}

Csr& Csr::operator=(const Csr& other)
{
    if (this != &other) {
        Csr copy(other);
        m_req = std::move(copy.m_req);
    }
    return *this;
}

Result<Csr> Csr::build(const CsrSpec& spec, EVP_PKEY* key)
{
    if (key == nullptr) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No key was given to sign the CSR"));
    }
    if (auto s = spec.validate(); !s) {
        return tl::unexpected(s.error());
    }
    ossl::X509ReqPtr req(X509_REQ_new());
    if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot create a CSR"),
                    ossl::drainErrors());
    }
    X509_NAME* name = X509_REQ_get_subject_name(req.get());
    for (auto [nid, value] :
         {std::pair{NID_countryName, spec.subject.country},
          std::pair{NID_stateOrProvinceName, spec.subject.state},
          std::pair{NID_localityName, spec.subject.locality},
          std::pair{NID_organizationName, spec.subject.organization},
          std::pair{NID_organizationalUnitName, spec.subject.organizationalUnit},
          std::pair{NID_commonName, spec.subject.commonName.trimmed()},
          std::pair{NID_pkcs9_emailAddress, spec.subject.emailAddress}}) {
        if (auto s = addNameEntry(name, nid, value); !s) {
            return tl::unexpected(s.error());
        }
    }
    if (X509_REQ_set_pubkey(req.get(), key) != 1) {
        return fail(ErrorCode::Crypto, QStringLiteral("The key cannot be put into a CSR"),
                    ossl::drainErrors());
    }

    ossl::ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
    if (!exts) {
        return fail(ErrorCode::Internal, QStringLiteral("Out of memory"), ossl::drainErrors());
    }
    if (!spec.sans.isEmpty()) {
        auto names = toGeneralNames(spec.sans);
        if (!names) {
            return tl::unexpected(names.error());
        }
        // RFC 5280 4.2.1.6: critical when the subject is empty.
        const int critical = spec.subject.isEmpty() ? 1 : 0;
        // The stack exists already, so OpenSSL appends to it and never
        // replaces the pointer.
        STACK_OF(X509_EXTENSION)* raw = exts.get();
        if (X509V3_add1_i2d(&raw, NID_subject_alt_name, names->get(), critical,
                            X509V3_ADD_APPEND) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("Cannot add the SAN extension"),
                        ossl::drainErrors());
        }
    }
    if (spec.keyUsage != KeyUsages()) {
        const QString v =
            QStringLiteral("critical,") + keyUsageNames(spec.keyUsage).join(QLatin1Char(','));
        if (auto s = pushConfExtension(exts.get(), NID_key_usage, v); !s) {
            return tl::unexpected(s.error());
        }
    }
    if (!spec.extendedKeyUsage.isEmpty()) {
        QStringList names;
        for (ExtendedKeyUsage u : spec.extendedKeyUsage) {
            names << extendedKeyUsageName(u);
        }
        if (auto s = pushConfExtension(exts.get(), NID_ext_key_usage, names.join(u',')); !s) {
            return tl::unexpected(s.error());
        }
    }
    if (spec.mustStaple) {
        if (auto s =
                pushConfExtension(exts.get(), NID_tlsfeature, QStringLiteral("status_request"));
            !s) {
            return tl::unexpected(s.error());
        }
    }
    if (sk_X509_EXTENSION_num(exts.get()) > 0 &&
        X509_REQ_add_extensions(req.get(), exts.get()) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot add the requested extensions"),
                    ossl::drainErrors());
    }

    const EVP_MD* md = nullptr;
    if (!isEdwardsKey(key)) {
        md = spec.digest == CsrDigest::Sha384 ? EVP_sha384() : EVP_sha256();
    }
    if (X509_REQ_sign(req.get(), key, md) <= 0) {
        return fail(ErrorCode::Crypto, QStringLiteral("Signing the CSR with the key failed"),
                    ossl::drainErrors());
    }
    return Csr(std::move(req));
}

Result<Csr> Csr::buildWithPemKey(const CsrSpec& spec, const QByteArray& keyPem,
                                 const QByteArray& passphrase, const QString& keyOrigin)
{
    // Validate first: a typo in a SAN should not cost a passphrase prompt.
    if (auto s = spec.validate(); !s) {
        return tl::unexpected(s.error());
    }
    auto key = readPrivateKeyPem(keyPem, passphrase, keyOrigin);
    if (!key) {
        return tl::unexpected(key.error());
    }
    return build(spec, key->get());
}

Result<Csr> Csr::fromPem(const QByteArray& pem, const QString& origin)
{
    const QString where = originOr(origin);
    if (pem.size() > kMaxCsrBytes) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 is %2 bytes, too large for a CSR").arg(where).arg(pem.size()));
    }
    auto der = unwrapPem(
        pem, {QStringLiteral("CERTIFICATE REQUEST"), QStringLiteral("NEW CERTIFICATE REQUEST")},
        where);
    if (!der) {
        return tl::unexpected(der.error());
    }
    return fromDer(*der, where);
}

Result<Csr> Csr::fromDer(const QByteArray& der, const QString& origin)
{
    const QString where = originOr(origin);
    if (der.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 is empty").arg(where));
    }
    if (der.size() > kMaxCsrBytes) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 is %2 bytes, too large for a CSR").arg(where).arg(der.size()));
    }
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    const unsigned char* start = p;
    ossl::X509ReqPtr req(d2i_X509_REQ(nullptr, &p, long(der.size())));
    if (!req) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is not a valid PKCS#10 certificate request").arg(where),
                    ossl::drainErrors());
    }
    if (p - start != der.size()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 has %2 bytes of trailing data after the request")
                        .arg(where)
                        .arg(der.size() - (p - start)));
    }
    // A request with an undecodable key or extension list is useless to a CA;
    // say so now rather than at signing time.
    if (X509_REQ_get0_pubkey(req.get()) == nullptr) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the public key cannot be decoded").arg(where),
                    ossl::drainErrors());
    }
    ossl::ExtensionStackPtr exts(X509_REQ_get_extensions(req.get()));
    if (!exts && X509_REQ_get_attr_by_NID(req.get(), NID_ext_req, -1) >= 0) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the requested extensions cannot be decoded").arg(where),
                    ossl::drainErrors());
    }
    (void)ossl::drainErrors();
    return Csr(std::move(req));
}

QByteArray Csr::toDer() const
{
    return internal::derOf<i2d_X509_REQ>(m_req.get());
}

QByteArray Csr::toPem() const
{
    return m_req ? wrapPem(toDer(), "CERTIFICATE REQUEST") : QByteArray();
}

Status Csr::verifySignature() const
{
    if (!m_req) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No CSR"));
    }
    EVP_PKEY* pub = X509_REQ_get0_pubkey(m_req.get());
    if (pub == nullptr) {
        return fail(ErrorCode::Crypto, QStringLiteral("The CSR's public key cannot be decoded"),
                    ossl::drainErrors());
    }
    const int rc = X509_REQ_verify(m_req.get(), pub);
    if (rc != 1) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("The CSR's signature does not verify: it was altered or not "
                                   "signed with the key it carries"),
                    ossl::drainErrors());
    }
    return {};
}

QString Csr::subject() const
{
    return m_req ? nameToString(X509_REQ_get_subject_name(m_req.get())) : QString();
}

QString Csr::commonName() const
{
    if (!m_req) {
        return {};
    }
    const X509_NAME* name = X509_REQ_get_subject_name(m_req.get());
    int last = -1;
    for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
        last = i;
    }
    if (last < 0) {
        return {};
    }
    unsigned char* utf8 = nullptr;
    const int len =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
    ossl::OpensslBytesPtr owner(utf8);
    if (len < 0) {
        (void)ossl::drainErrors();
        return {};
    }
    return QString::fromUtf8(reinterpret_cast<const char*>(utf8), len);
}

QList<SubjectAltName> Csr::subjectAltNames() const
{
    if (!m_req) {
        return {};
    }
    auto names =
        requestedExtension<GENERAL_NAMES, GENERAL_NAMES_free>(m_req.get(), NID_subject_alt_name);
    return fromGeneralNames(names.get());
}

KeyUsages Csr::keyUsage() const
{
    KeyUsages out;
    if (!m_req) {
        return out;
    }
    auto bits =
        requestedExtension<ASN1_BIT_STRING, ASN1_BIT_STRING_free>(m_req.get(), NID_key_usage);
    if (!bits) {
        return out;
    }
    for (auto [bit, flag] :
         {std::pair{0, KeyUsage::DigitalSignature}, std::pair{1, KeyUsage::ContentCommitment},
          std::pair{2, KeyUsage::KeyEncipherment}, std::pair{3, KeyUsage::DataEncipherment},
          std::pair{4, KeyUsage::KeyAgreement}, std::pair{5, KeyUsage::KeyCertSign},
          std::pair{6, KeyUsage::CrlSign}}) {
        if (ASN1_BIT_STRING_get_bit(bits.get(), bit) == 1) {
            out |= flag;
        }
    }
    return out;
}

QList<ExtendedKeyUsage> Csr::extendedKeyUsage() const
{
    QList<ExtendedKeyUsage> out;
    if (!m_req) {
        return out;
    }
    auto eku = requestedExtension<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>(m_req.get(),
                                                                               NID_ext_key_usage);
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        switch (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), i))) {
        case NID_server_auth:
            out << ExtendedKeyUsage::ServerAuth;
            break;
        case NID_client_auth:
            out << ExtendedKeyUsage::ClientAuth;
            break;
        case NID_code_sign:
            out << ExtendedKeyUsage::CodeSigning;
            break;
        case NID_email_protect:
            out << ExtendedKeyUsage::EmailProtection;
            break;
        case NID_time_stamp:
            out << ExtendedKeyUsage::TimeStamping;
            break;
        case NID_OCSP_sign:
            out << ExtendedKeyUsage::OcspSigning;
            break;
        default:
            break;
        }
    }
    return out;
}

bool Csr::mustStaple() const
{
    if (!m_req) {
        return false;
    }
    auto features = requestedExtension<TLS_FEATURE, TLS_FEATURE_free>(m_req.get(), NID_tlsfeature);
    for (int i = 0; features && i < sk_ASN1_INTEGER_num(features.get()); ++i) {
        // status_request is TLS extension 5 (RFC 7633).
        if (ASN1_INTEGER_get(sk_ASN1_INTEGER_value(features.get(), i)) == 5) {
            return true;
        }
    }
    return false;
}

QList<CsrExtension> Csr::requestedExtensions() const
{
    QList<CsrExtension> out;
    if (!m_req) {
        return out;
    }
    ossl::ExtensionStackPtr exts(X509_REQ_get_extensions(m_req.get()));
    for (int i = 0; exts && i < sk_X509_EXTENSION_num(exts.get()); ++i) {
        X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
        const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
        CsrExtension e;
        e.oid = caOidText(obj);
        const int nid = OBJ_obj2nid(obj);
        e.name = nid != NID_undef ? QString::fromLatin1(OBJ_nid2ln(nid)) : e.oid;
        e.critical = X509_EXTENSION_get_critical(ext) == 1;
        e.value = extensionValueText(ext);
        out << e;
    }
    (void)ossl::drainErrors();
    return out;
}

QByteArray Csr::publicKeyDer() const
{
    if (!m_req) {
        return {};
    }
    EVP_PKEY* pub = X509_REQ_get0_pubkey(m_req.get());
    if (pub == nullptr) {
        (void)ossl::drainErrors();
        return {};
    }
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(pub, &der);
    ossl::OpensslBytesPtr owner(der);
    if (len <= 0) {
        (void)ossl::drainErrors();
        return {};
    }
    return QByteArray(reinterpret_cast<const char*>(der), len);
}

QString Csr::publicKeyDescription() const
{
    EVP_PKEY* pub = m_req ? X509_REQ_get0_pubkey(m_req.get()) : nullptr;
    if (pub == nullptr) {
        return {};
    }
    if (EVP_PKEY_is_a(pub, "EC") == 1) {
        char curve[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                           &len) == 1) {
            const QString c = QString::fromLatin1(curve, qsizetype(len));
            if (c == QLatin1String("prime256v1")) {
                return QStringLiteral("EC P-256");
            }
            if (c == QLatin1String("secp384r1")) {
                return QStringLiteral("EC P-384");
            }
            if (c == QLatin1String("secp521r1")) {
                return QStringLiteral("EC P-521");
            }
            return QStringLiteral("EC ") + c;
        }
        return QStringLiteral("EC");
    }
    if (EVP_PKEY_is_a(pub, "RSA") == 1) {
        return QStringLiteral("RSA %1").arg(EVP_PKEY_get_bits(pub));
    }
    return QString::fromLatin1(EVP_PKEY_get0_type_name(pub));
}

QString Csr::signatureAlgorithm() const
{
    if (!m_req) {
        return {};
    }
    const X509_ALGOR* alg = nullptr;
    X509_REQ_get0_signature(m_req.get(), nullptr, &alg);
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    const int nid = OBJ_obj2nid(obj);
    return nid != NID_undef ? QString::fromLatin1(OBJ_nid2ln(nid)) : caOidText(obj);
}

} // namespace certdeck::crypto
