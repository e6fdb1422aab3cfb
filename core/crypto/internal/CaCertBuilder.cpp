// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaCertBuilder.h"

#include "crypto/OpenSslError.h"
#include "crypto/internal/CaKeyIo.h"

#include <openssl/rand.h>

namespace certdeck::crypto::internal {

namespace {

ossl::Asn1TimePtr toAsn1Time(const QDateTime& t)
{
    return ossl::Asn1TimePtr(ASN1_TIME_set(nullptr, time_t(t.toSecsSinceEpoch())));
}

Result<ossl::Asn1IntegerPtr> serialFromHex(const QString& hex)
{
    BIGNUM* raw = nullptr;
    if (BN_hex2bn(&raw, hex.toLatin1().constData()) == 0) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("'%1' is not a hex serial").arg(hex),
                    ossl::drainErrors());
    }
    ossl::BignumPtr bn(raw);
    ossl::Asn1IntegerPtr i(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!i) {
        return fail(ErrorCode::Internal, QStringLiteral("Out of memory"), ossl::drainErrors());
    }
    return i;
}

} // namespace

Result<QByteArray> randomSerial()
{
    QByteArray bytes(16, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), int(bytes.size())) != 1) {
        return fail(ErrorCode::Crypto, QStringLiteral("The random generator failed"),
                    ossl::drainErrors());
    }
    bytes[0] = char(bytes.at(0) & 0x7f);
    if (bytes.at(0) == 0) {
        bytes[0] = 0x01; // keep the full length so the DER INTEGER is always 16 bytes
    }
    return bytes;
}

QString serialToHex(const ASN1_INTEGER* serial)
{
    ossl::BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn) {
        (void)ossl::drainErrors();
        return {};
    }
    QByteArray bytes(BN_num_bytes(bn.get()), '\0');
    BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
    return bytes.isEmpty() ? QStringLiteral("0") : QString::fromLatin1(bytes.toHex().toUpper());
}

Result<ossl::X509Ptr> startCertificate(const CertFrame& f)
{
    ossl::X509Ptr cert(X509_new());
    ossl::BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(f.serial.constData()),
                                 int(f.serial.size()), nullptr));
    ossl::Asn1IntegerPtr serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    ossl::Asn1TimePtr nb = toAsn1Time(f.notBefore);
    ossl::Asn1TimePtr na = toAsn1Time(f.notAfter);
    X509_NAME* issuerName = f.issuer != nullptr ? X509_get_subject_name(f.issuer) : f.subject;
    if (!cert || !serial || !nb || !na || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
        X509_set_subject_name(cert.get(), f.subject) != 1 ||
        X509_set_issuer_name(cert.get(), issuerName) != 1 ||
        X509_set1_notBefore(cert.get(), nb.get()) != 1 ||
        X509_set1_notAfter(cert.get(), na.get()) != 1 ||
        X509_set_pubkey(cert.get(), f.publicKey) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot assemble the certificate"),
                    ossl::drainErrors());
    }
    return cert;
}

Status addConfExtension(X509* cert, X509* issuer, int nid, const QString& value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert, cert, nullptr, nullptr, 0);
    ossl::X509ExtensionPtr ext(
        X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.toLatin1().constData()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        return fail(ErrorCode::Internal,
                    QStringLiteral("Cannot add the %1 extension (%2)")
                        .arg(QString::fromLatin1(OBJ_nid2ln(nid)), value),
                    ossl::drainErrors());
    }
    return {};
}

Status signCertificate(X509* cert, EVP_PKEY* key)
{
    if (X509_sign(cert, key, digestForKey(key)) <= 0) {
        return fail(ErrorCode::Crypto, QStringLiteral("Signing the certificate failed"),
                    ossl::drainErrors());
    }
    return {};
}

Result<ossl::X509CrlPtr> makeCrl(X509* issuer, EVP_PKEY* key, const QList<CrlEntry>& entries,
                                 qint64 crlNumber, const QDateTime& thisUpdate,
                                 const QDateTime& nextUpdate)
{
    ossl::X509CrlPtr crl(X509_CRL_new());
    ossl::Asn1TimePtr last = toAsn1Time(thisUpdate);
    ossl::Asn1TimePtr next = toAsn1Time(nextUpdate);
    if (!crl || !last || !next || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
        X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer)) != 1 ||
        X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
        X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot assemble the CRL"),
                    ossl::drainErrors());
    }
    for (const CrlEntry& e : entries) {
        auto serial = serialFromHex(e.serialHex);
        if (!serial) {
            return tl::unexpected(serial.error());
        }
        ossl::X509RevokedPtr rev(X509_REVOKED_new());
        ossl::Asn1TimePtr when = toAsn1Time(e.revokedAt);
        if (!rev || !when || X509_REVOKED_set_serialNumber(rev.get(), serial->get()) != 1 ||
            X509_REVOKED_set_revocationDate(rev.get(), when.get()) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("Cannot add a CRL entry"),
                        ossl::drainErrors());
        }
        if (e.reason != 0) {
            ossl::Asn1EnumeratedPtr reason(ASN1_ENUMERATED_new());
            if (!reason || ASN1_ENUMERATED_set(reason.get(), e.reason) != 1 ||
                X509_REVOKED_add1_ext_i2d(rev.get(), NID_crl_reason, reason.get(), 0, 0) != 1) {
                return fail(ErrorCode::Internal, QStringLiteral("Cannot add a revocation reason"),
                            ossl::drainErrors());
            }
        }
        if (X509_CRL_add0_revoked(crl.get(), rev.get()) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("Cannot add a CRL entry"),
                        ossl::drainErrors());
        }
        (void)rev.release(); // the CRL owns it now
    }
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, nullptr, nullptr, crl.get(), 0);
    ossl::X509ExtensionPtr aki(
        X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    ossl::Asn1IntegerPtr number(ASN1_INTEGER_new());
    if (!aki || !number || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1 ||
        ASN1_INTEGER_set_int64(number.get(), crlNumber) != 1 ||
        X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1 ||
        X509_CRL_sort(crl.get()) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot add the CRL's extensions"),
                    ossl::drainErrors());
    }
    if (X509_CRL_sign(crl.get(), key, digestForKey(key)) <= 0) {
        return fail(ErrorCode::Crypto, QStringLiteral("Signing the CRL failed"),
                    ossl::drainErrors());
    }
    return crl;
}

} // namespace certdeck::crypto::internal
