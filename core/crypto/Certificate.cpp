// SPDX-License-Identifier: GPL-3.0-or-later
#include "Certificate.h"

#include "crypto/Asn1.h"
#include "crypto/OpenSslError.h"
#include "crypto/internal/DerEncode.h"
#include "crypto/internal/IpOctets.h"

#include <QHostAddress>
#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace certdeck::crypto {

namespace {

using ossl::BasicConstraintsPtr;
using ossl::GeneralNamesPtr;

} // namespace

QString colonHex(const QByteArray& bytes)
{
    return QString::fromLatin1(bytes.toHex(':').toUpper());
}

Certificate::Certificate(ossl::X509Ptr x509)
    : m_x509(std::move(x509))
{}

Certificate::Certificate(const Certificate& other)
{
    if (other.m_x509 && X509_up_ref(other.m_x509.get()) == 1) {
        m_x509.reset(other.m_x509.get());
    }
}

Certificate& Certificate::operator=(const Certificate& other)
{
    if (this != &other) {
        Certificate copy(other);
        m_x509 = std::move(copy.m_x509);
    }
    return *this;
}

Result<Certificate> Certificate::fromDer(const QByteArray& der, const QString& origin)
{
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    const unsigned char* start = p;
    ossl::X509Ptr x(d2i_X509(nullptr, &p, der.size()));
    const QString where = origin.isEmpty() ? QStringLiteral("certificate") : origin;
    if (!x) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is not a valid DER certificate").arg(where),
                    ossl::drainErrors());
    }
    if (p - start != der.size()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 has %2 bytes of trailing data after the certificate")
                        .arg(where)
                        .arg(der.size() - (p - start)));
    }
    return Certificate(std::move(x));
}

QByteArray Certificate::toDer() const
{
    return internal::derOf<i2d_X509>(m_x509.get());
}

QByteArray Certificate::toPem() const
{
    return m_x509 ? crypto::wrapPem(toDer(), "CERTIFICATE") : QByteArray();
}

QString Certificate::subject() const
{
    return m_x509 ? nameToString(X509_get_subject_name(m_x509.get())) : QString();
}

QString Certificate::issuer() const
{
    return m_x509 ? nameToString(X509_get_issuer_name(m_x509.get())) : QString();
}

QString Certificate::commonName() const
{
    if (!m_x509) {
        return {};
    }
    const X509_NAME* name = X509_get_subject_name(m_x509.get());
    int last = -1;
    for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
        last = i;
    }
    if (last < 0) {
        return {};
    }
    const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, s);
    if (len < 0) {
        return {};
    }
    QString cn = QString::fromUtf8(reinterpret_cast<const char*>(utf8), len);
    OPENSSL_free(utf8);
    return cn;
}

QString Certificate::serialHex() const
{
    if (!m_x509) {
        return {};
    }
    const ASN1_INTEGER* serial = X509_get0_serialNumber(m_x509.get());
    ossl::BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn) {
        return {};
    }
    QByteArray bytes(BN_num_bytes(bn.get()), '\0');
    BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
    if (bytes.isEmpty()) {
        bytes = QByteArray(1, '\0');
    }
    return colonHex(bytes);
}

QDateTime Certificate::notBefore() const
{
    return m_x509 ? crypto::asn1ToDateTime(X509_get0_notBefore(m_x509.get())) : QDateTime();
}

QDateTime Certificate::notAfter() const
{
    return m_x509 ? crypto::asn1ToDateTime(X509_get0_notAfter(m_x509.get())) : QDateTime();
}

qint64 Certificate::daysLeft(const QDateTime& now) const
{
    const qint64 secs = now.secsTo(notAfter());
    // Round towards minus infinity: one second past expiry is day -1.
    return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

QByteArray Certificate::fingerprint(QCryptographicHash::Algorithm algorithm) const
{
    return QCryptographicHash::hash(toDer(), algorithm);
}

QByteArray Certificate::spkiSha256() const
{
    if (!m_x509) {
        return {};
    }
    const QByteArray der = internal::derOf<i2d_X509_PUBKEY>(X509_get_X509_PUBKEY(m_x509.get()));
    return der.isEmpty() ? QByteArray() : QCryptographicHash::hash(der, QCryptographicHash::Sha256);
}

bool Certificate::isSelfIssued() const
{
    return m_x509 && X509_NAME_cmp(X509_get_subject_name(m_x509.get()),
                                   X509_get_issuer_name(m_x509.get())) == 0;
}

bool Certificate::isCa() const
{
    if (!m_x509) {
        return false;
    }
    BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(
        X509_get_ext_d2i(m_x509.get(), NID_basic_constraints, nullptr, nullptr)));
    return bc && bc->ca != 0;
}

QStringList Certificate::dnsNames() const
{
    QStringList out;
    if (!m_x509) {
        return out;
    }
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(m_x509.get(), NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        if (gn->type == GEN_DNS) {
            const ASN1_IA5STRING* s = gn->d.dNSName;
            out << QString::fromLatin1(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                       ASN1_STRING_length(s));
        }
    }
    return out;
}

bool Certificate::matchesHost(const QString& name) const
{
    if (!m_x509 || name.isEmpty()) {
        return false;
    }
    QString host = name;
    if (host.startsWith(u'[') && host.endsWith(u']')) {
        host = host.mid(1, host.size() - 2);
    }
    const QByteArray bytes = host.toUtf8();
    if (!QHostAddress(host).isNull()) {
        return X509_check_ip_asc(m_x509.get(), bytes.constData(), 0) == 1;
    }
    // No common-name fallback: browsers and OpenSSL clients with a SAN ignore it.
    return X509_check_host(m_x509.get(), bytes.constData(), static_cast<size_t>(bytes.size()),
                           X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr) == 1;
}

QStringList Certificate::ipAddresses() const
{
    QStringList out;
    if (!m_x509) {
        return out;
    }
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(m_x509.get(), NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        if (gn->type != GEN_IPADD) {
            continue;
        }
        out << internal::ipAddressText(internal::octetsOf(gn->d.iPAddress));
    }
    return out;
}

bool Certificate::operator==(const Certificate& other) const
{
    if (!m_x509 || !other.m_x509) {
        return !m_x509 && !other.m_x509;
    }
    return X509_cmp(m_x509.get(), other.m_x509.get()) == 0 && toDer() == other.toDer();
}

} // namespace certdeck::crypto
