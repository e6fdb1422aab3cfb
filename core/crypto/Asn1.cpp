// SPDX-License-Identifier: GPL-3.0-or-later
#include "Asn1.h"

#include "crypto/OpenSslError.h"
#include "crypto/internal/IpOctets.h"

#include <QHostAddress>
#include <QList>
#include <openssl/err.h>
#include <openssl/objects.h>

namespace certdeck::crypto {

namespace {

Result<ossl::GeneralNamePtr> ia5Name(int type, const QString& value)
{
    ossl::GeneralNamePtr gn(GENERAL_NAME_new());
    ossl::Asn1Ia5StringPtr s(ASN1_IA5STRING_new());
    const QByteArray bytes = value.toLatin1();
    if (!gn || !s || ASN1_STRING_set(s.get(), bytes.constData(), int(bytes.size())) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot build a subjectAltName entry"),
                    ossl::drainErrors());
    }
    GENERAL_NAME_set0_value(gn.get(), type, s.release());
    return gn;
}

} // namespace

Result<ossl::GeneralNamesPtr> toGeneralNames(const QList<SubjectAltName>& sans)
{
    ossl::GeneralNamesPtr names(GENERAL_NAMES_new());
    if (!names) {
        return fail(ErrorCode::Internal, QStringLiteral("Out of memory"), ossl::drainErrors());
    }
    for (const SubjectAltName& san : sans) {
        if (auto s = san.validate(); !s) {
            return tl::unexpected(s.error());
        }
        Result<ossl::GeneralNamePtr> gn;
        switch (san.type) {
        case SubjectAltName::Type::Dns:
            gn = ia5Name(GEN_DNS, san.value);
            break;
        case SubjectAltName::Type::Email:
            gn = ia5Name(GEN_EMAIL, san.value);
            break;
        case SubjectAltName::Type::Uri:
            gn = ia5Name(GEN_URI, san.value);
            break;
        case SubjectAltName::Type::Ip: {
            ossl::Asn1OctetStringPtr ip(a2i_IPADDRESS(san.value.toLatin1().constData()));
            ossl::GeneralNamePtr g(GENERAL_NAME_new());
            if (!ip || !g) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("SAN '%1' is not an IP address").arg(san.toString()),
                            ossl::drainErrors());
            }
            GENERAL_NAME_set0_value(g.get(), GEN_IPADD, ip.release());
            gn = std::move(g);
            break;
        }
        }
        if (!gn) {
            return tl::unexpected(gn.error());
        }
        if (sk_GENERAL_NAME_push(names.get(), gn->get()) <= 0) {
            return fail(ErrorCode::Internal, QStringLiteral("Out of memory"), ossl::drainErrors());
        }
        (void)gn->release(); // the stack owns it now
    }
    return names;
}

QList<SubjectAltName> fromGeneralNames(const GENERAL_NAMES* names)
{
    QList<SubjectAltName> out;
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        SubjectAltName san;
        const ASN1_STRING* s = nullptr;
        switch (gn->type) {
        case GEN_DNS:
            san.type = SubjectAltName::Type::Dns;
            s = gn->d.dNSName;
            break;
        case GEN_EMAIL:
            san.type = SubjectAltName::Type::Email;
            s = gn->d.rfc822Name;
            break;
        case GEN_URI:
            san.type = SubjectAltName::Type::Uri;
            s = gn->d.uniformResourceIdentifier;
            break;
        case GEN_IPADD: {
            san.type = SubjectAltName::Type::Ip;
            san.value = internal::ipAddressText(internal::octetsOf(gn->d.iPAddress));
            out << san;
            continue;
        }
        default:
            continue;
        }
        san.value = QString::fromLatin1(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                        ASN1_STRING_length(s));
        out << san;
    }
    return out;
}

QString bioText(BIO* bio)
{
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return len > 0 ? QString::fromUtf8(data, static_cast<qsizetype>(len)) : QString();
}

QString nameToString(const X509_NAME* name)
{
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (name == nullptr || !bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
        return {};
    }
    return bioText(bio.get());
}

QString extensionValueText(X509_EXTENSION* ext)
{
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) {
        return {};
    }
    if (X509V3_EXT_print(bio.get(), ext, 0, 0) != 1) {
        // Unknown extension: show its bytes as openssl does.
        (void)ossl::drainErrors();
        const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
        return QString::fromLatin1(
            QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                       ASN1_STRING_length(data))
                .toHex(':')
                .toUpper());
    }
    return bioText(bio.get()).trimmed();
}

QString caOidText(const ASN1_OBJECT* obj)
{
    char buf[128];
    const int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    return n > 0 ? QString::fromLatin1(buf, qMin(n, int(sizeof buf) - 1)) : QString();
}

Result<QByteArray> unwrapPem(const QByteArray& pem, const QStringList& labels,
                             const QString& origin, QString* foundLabel)
{
    const QList<QByteArray> lines = pem.split('\n');
    qsizetype begin = -1;
    QString label;
    QString otherLabel;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (!line.startsWith("-----BEGIN ") || !line.endsWith("-----")) {
            continue;
        }
        const QString l = QString::fromLatin1(line.mid(11, line.size() - 16));
        if (labels.contains(l)) {
            begin = i;
            label = l;
            break;
        }
        if (otherLabel.isEmpty()) {
            otherLabel = l;
        }
    }
    if (begin < 0) {
        if (!otherLabel.isEmpty()) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("%1 holds a %2, not a %3").arg(origin, otherLabel, labels.first()));
        }
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 has no '-----BEGIN %2-----' line").arg(origin, labels.first()));
    }
    QByteArray body;
    const QByteArray end = "-----END " + label.toLatin1() + "-----";
    for (qsizetype i = begin + 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line == end) {
            auto decoded =
                QByteArray::fromBase64Encoding(body, QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded || body.isEmpty() || body.size() % 4 != 0) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("%1 line %2: the base64 body is truncated or damaged")
                                .arg(origin)
                                .arg(i + 1));
            }
            if (foundLabel != nullptr) {
                *foundLabel = label;
            }
            return *decoded;
        }
        if (line.startsWith("-----")) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 line %2: expected '%3' but found another PEM line")
                            .arg(origin)
                            .arg(i + 1)
                            .arg(QString::fromLatin1(end)));
        }
        if (line.contains(':')) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 line %2: PEM headers are not allowed in a %3")
                            .arg(origin)
                            .arg(i + 1)
                            .arg(label));
        }
        for (const char c : line) {
            const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("%1 line %2: '%3' is not a base64 character")
                                .arg(origin)
                                .arg(i + 1)
                                .arg(c > 0x20 && c < 0x7f
                                         ? QString(QLatin1Char(c))
                                         : QStringLiteral("0x") +
                                               QString::fromLatin1(QByteArray(1, c).toHex())));
            }
        }
        body += line;
    }
    return fail(ErrorCode::InvalidInput, QStringLiteral("%1 line %2: the file ends before '%3'")
                                             .arg(origin)
                                             .arg(lines.size())
                                             .arg(QString::fromLatin1(end)));
}

QByteArray wrapPem(const QByteArray& der, const char* label)
{
    const QByteArray b64 = der.toBase64();
    QByteArray pem = QByteArray("-----BEGIN ") + label + "-----\n";
    for (qsizetype i = 0; i < b64.size(); i += 64) {
        pem += b64.mid(i, 64) + '\n';
    }
    pem += QByteArray("-----END ") + label + "-----\n";
    return pem;
}

QDateTime asn1ToDateTime(const ASN1_TIME* t)
{
    struct tm tm
    {
    };
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error(); // a missing time is an answer (null), not an error to carry on
        return {};
    }
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday),
                     QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC);
}

} // namespace certdeck::crypto
