// SPDX-License-Identifier: GPL-3.0-or-later
#include "CertificateReader.h"

#include "common/SecureFile.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/Pkcs12.h"

#include <QFileInfo>
#include <algorithm>

namespace certdeck::crypto {

using ossl::Pkcs7Ptr;

namespace {

// The PEM reader is our own rather than PEM_read_bio_X509 because users need
// the line and block number of what is wrong, which OpenSSL does not report.

QString sizeText(qint64 bytes)
{
    return bytes >= 1024 * 1024
               ? QStringLiteral("%1 MB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1)
               : QStringLiteral("%1 bytes").arg(bytes);
}

bool isBase64Char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/// Certificates of a signed PKCS#7 (a .p7b is a degenerate SignedData).
Status certificatesFromPkcs7(const QByteArray& der, const QString& where, CertificateBundle& bundle)
{
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, der.size()));
    if (!p7) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the PKCS7 block is not valid PKCS#7").arg(where),
                    ossl::drainErrors());
    }
    STACK_OF(X509)* certs = nullptr;
    if (PKCS7_type_is_signed(p7.get()) && p7->d.sign != nullptr) {
        certs = p7->d.sign->cert;
    } else if (PKCS7_type_is_signedAndEnveloped(p7.get()) &&
               p7->d.signed_and_enveloped != nullptr) {
        certs = p7->d.signed_and_enveloped->cert;
    } else {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the PKCS#7 structure is not SignedData, so it holds no "
                                   "certificates")
                        .arg(where));
    }
    const int n = certs != nullptr ? sk_X509_num(certs) : 0;
    if (n == 0) {
        bundle.notes << QStringLiteral("%1: PKCS#7 without certificates").arg(where);
    }
    for (int i = 0; i < n; ++i) {
        X509* x = sk_X509_value(certs, i);
        if (X509_up_ref(x) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("Cannot take a certificate reference"),
                        ossl::drainErrors());
        }
        bundle.certificates << Certificate(ossl::X509Ptr(x));
    }
    return {};
}

Status certificateFromDer(const QByteArray& der, bool trusted, const QString& where,
                          const QString& label, CertificateBundle& bundle)
{
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    const unsigned char* start = p;
    // TRUSTED CERTIFICATE is OpenSSL's certificate + trust settings form.
    ossl::X509Ptr x(trusted ? d2i_X509_AUX(nullptr, &p, der.size())
                            : d2i_X509(nullptr, &p, der.size()));
    if (!x) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the %2 block does not hold a valid X.509 certificate")
                        .arg(where, label),
                    ossl::drainErrors());
    }
    if (p - start != der.size()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the %2 block has %3 bytes of trailing data after the "
                                   "certificate")
                        .arg(where, label)
                        .arg(der.size() - (p - start)));
    }
    if (trusted) {
        bundle.notes << QStringLiteral("%1: OpenSSL trust settings ignored").arg(where);
    }
    bundle.certificates << Certificate(std::move(x));
    return {};
}

struct PemBlock
{
    QByteArray label;
    qsizetype beginLine = 0; ///< 1-based
    int number = 0;          ///< 1-based
    QByteArray base64;
    QByteArray text; ///< the whole block, BEGIN to END, for keys
};

class PemParser
{
public:
    PemParser(const QByteArray& data, QString origin)
        : m_data(data)
        , m_origin(std::move(origin))
    {}

    Status parse(CertificateBundle& bundle)
    {
        qsizetype pos = 0;
        qsizetype lineNo = 0;
        PemBlock block;
        bool inBlock = false;
        qsizetype blockStart = 0;
        bool inHeaders = false;
        bool sawPadding = false;
        int blockCount = 0;
        while (pos < m_data.size()) {
            qsizetype end = m_data.indexOf('\n', pos);
            if (end < 0) {
                end = m_data.size();
            }
            ++lineNo;
            const qsizetype lineStart = pos;
            const QByteArrayView line = QByteArrayView(m_data).sliced(pos, end - pos).trimmed();
            pos = end + 1;
            if (line.startsWith("-----BEGIN ")) {
                if (inBlock) {
                    return fail(ErrorCode::InvalidInput,
                                QStringLiteral("%1: BEGIN %2 has no END line before the next "
                                               "BEGIN on line %3 (the block is truncated)")
                                    .arg(where(block), QString::fromLatin1(block.label))
                                    .arg(lineNo));
                }
                if (!line.endsWith("-----") || line.size() < 16) {
                    return fail(ErrorCode::InvalidInput,
                                QStringLiteral("%1 line %2: malformed BEGIN line")
                                    .arg(m_origin)
                                    .arg(lineNo));
                }
                block = PemBlock();
                block.label = line.sliced(11, line.size() - 16).toByteArray();
                block.beginLine = lineNo;
                block.number = ++blockCount;
                blockStart = lineStart;
                inBlock = true;
                inHeaders = true;
                sawPadding = false;
                continue;
            }
            if (!inBlock) {
                continue; // text between blocks (openssl x509 -text output...) is ignored
            }
            if (line.startsWith("-----END ")) {
                const bool wellFormed = line.endsWith("-----") && line.size() >= 14;
                const QByteArray label =
                    wellFormed ? line.sliced(9, line.size() - 14).toByteArray() : QByteArray();
                if (!wellFormed || label != block.label) {
                    return fail(ErrorCode::InvalidInput,
                                QStringLiteral("%1 line %2 (block %3): END line does not match "
                                               "BEGIN %4 on line %5")
                                    .arg(m_origin)
                                    .arg(lineNo)
                                    .arg(block.number)
                                    .arg(QString::fromLatin1(block.label))
                                    .arg(block.beginLine));
                }
                if (block.base64.size() % 4 != 0) {
                    return fail(ErrorCode::InvalidInput,
                                QStringLiteral("%1 line %2 (block %3): base64 body is truncated "
                                               "(%4 characters, not a multiple of 4)")
                                    .arg(m_origin)
                                    .arg(lineNo)
                                    .arg(block.number)
                                    .arg(block.base64.size()));
                }
                inBlock = false;
                block.text = m_data.mid(blockStart, std::min(pos, m_data.size()) - blockStart);
                if (auto s = handle(block, bundle); !s) {
                    return s;
                }
                continue;
            }
            if (inHeaders && line.contains(':')) {
                continue; // RFC 1421 headers (Proc-Type, DEK-Info) of old encrypted keys
            }
            inHeaders = false;
            for (const char c : line) {
                if (c == '=') {
                    sawPadding = true;
                } else if (c == ' ' || c == '\t') {
                    continue;
                } else if (!isBase64Char(c)) {
                    return fail(ErrorCode::InvalidInput,
                                QStringLiteral("%1 line %2 (block %3): bad base64: character "
                                               "'%4' is not allowed")
                                    .arg(m_origin)
                                    .arg(lineNo)
                                    .arg(block.number)
                                    .arg(printable(c)));
                } else if (sawPadding) {
                    return fail(ErrorCode::InvalidInput,
                                QStringLiteral("%1 line %2 (block %3): bad base64: data after "
                                               "the '=' padding")
                                    .arg(m_origin)
                                    .arg(lineNo)
                                    .arg(block.number));
                }
                if (c != ' ' && c != '\t') {
                    block.base64 += c;
                }
            }
        }
        if (inBlock) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: BEGIN %2 has no END line (the file is truncated)")
                            .arg(where(block), QString::fromLatin1(block.label)));
        }
        if (blockCount == 0) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("%1 holds no PEM block (no '-----BEGIN' line)").arg(m_origin));
        }
        return {};
    }

private:
    static QString printable(char c)
    {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u < 0x7f ? QString(QLatin1Char(c))
                                     : QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
    }

    QString where(const PemBlock& b) const
    {
        return QStringLiteral("%1 line %2 (block %3)").arg(m_origin).arg(b.beginLine).arg(b.number);
    }

    Status handle(const PemBlock& block, CertificateBundle& bundle)
    {
        const QString at = where(block);
        const QString label = QString::fromLatin1(block.label);
        if (block.label.endsWith("PRIVATE KEY")) {
            bundle.privateKeysPem << block.text;
            bundle.notes << QStringLiteral("%1: private key (%2)").arg(at, label);
            return {};
        }
        const bool cert = block.label == "CERTIFICATE" || block.label == "X509 CERTIFICATE";
        const bool trusted = block.label == "TRUSTED CERTIFICATE";
        const bool pkcs7 = block.label == "PKCS7" || block.label == "PKCS #7 SIGNED DATA";
        if (!cert && !trusted && !pkcs7) {
            bundle.notes << QStringLiteral("%1: %2 skipped").arg(at, label);
            return {};
        }
        auto decoded =
            QByteArray::fromBase64Encoding(block.base64, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: bad base64 in the %2 block").arg(at, label));
        }
        if (decoded.decoded.isEmpty()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: the %2 block is empty").arg(at, label));
        }
        if (pkcs7) {
            return certificatesFromPkcs7(decoded.decoded, at, bundle);
        }
        return certificateFromDer(decoded.decoded, trusted, at, label, bundle);
    }

    const QByteArray& m_data;
    QString m_origin;
};

/// Why DER that is none of our formats failed, as precisely as the outer
/// header allows.
Error derError(const QByteArray& data, const QString& origin, const QString& detail)
{
    const auto* p = reinterpret_cast<const unsigned char*>(data.constData());
    long len = 0;
    int tag = 0;
    int cls = 0;
    const int rc = ASN1_get_object(&p, &len, &tag, &cls, data.size());
    const QString asn1Detail = ossl::drainErrors();
    const qsizetype header = p - reinterpret_cast<const unsigned char*>(data.constData());
    if ((rc & 0x80) != 0 && header > 0 && header + len > data.size()) {
        return Error{ErrorCode::InvalidInput,
                     QStringLiteral("%1: DER is truncated: byte 0 starts a SEQUENCE of %2 bytes "
                                    "but only %3 follow")
                         .arg(origin)
                         .arg(len)
                         .arg(data.size() - header),
                     detail};
    }
    if ((rc & 0x80) != 0) {
        return Error{ErrorCode::InvalidInput,
                     QStringLiteral("%1: byte 0 does not start valid DER").arg(origin), asn1Detail};
    }
    if (header + len < data.size()) {
        return Error{ErrorCode::InvalidInput,
                     QStringLiteral("%1: %2 bytes of trailing data after the DER structure "
                                    "ending at byte %3")
                         .arg(origin)
                         .arg(data.size() - header - len)
                         .arg(header + len),
                     detail};
    }
    return Error{ErrorCode::InvalidInput,
                 QStringLiteral("%1: DER data that is neither an X.509 certificate, PKCS#7 nor "
                                "PKCS#12")
                     .arg(origin),
                 detail};
}

/// Text rather than DER: a README starting with "0" is 0x30 too, but DER
/// has binary length and tag bytes within its first few bytes.
bool looksLikeText(const QByteArray& data)
{
    const qsizetype n = std::min<qsizetype>(data.size(), 256);
    for (qsizetype i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(data.at(i));
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c >= 0x7f) {
            return false;
        }
    }
    return true;
}

Result<CertificateBundle> readDer(const QByteArray& data, const QString& origin,
                                  const QByteArray& passphrase)
{
    CertificateBundle bundle;
    {
        const auto* p = reinterpret_cast<const unsigned char*>(data.constData());
        ossl::X509Ptr x(d2i_X509(nullptr, &p, data.size()));
        if (x && p - reinterpret_cast<const unsigned char*>(data.constData()) == data.size()) {
            bundle.format = CertificateBundle::Format::Der;
            bundle.certificates << Certificate(std::move(x));
            return bundle;
        }
    }
    const QString certError = ossl::drainErrors();
    {
        const auto* p = reinterpret_cast<const unsigned char*>(data.constData());
        Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, data.size()));
        if (p7) {
            bundle.format = CertificateBundle::Format::Pkcs7;
            if (auto s = certificatesFromPkcs7(data, origin, bundle); !s) {
                return tl::unexpected(s.error());
            }
            return bundle;
        }
    }
    static_cast<void>(ossl::drainErrors()); // not PKCS#7 either; try PKCS#12
    if (Pkcs12::looksLikePkcs12(data)) {
        auto contents = Pkcs12::import(data, passphrase, origin);
        if (!contents) {
            return tl::unexpected(contents.error());
        }
        bundle.format = CertificateBundle::Format::Pkcs12;
        if (!contents->leaf.isNull()) {
            bundle.certificates << contents->leaf;
        }
        bundle.certificates << contents->chain;
        if (!contents->keyPem.isEmpty()) {
            bundle.privateKeysPem << contents->keyPem;
            bundle.notes << QStringLiteral("%1: private key (PKCS#12)").arg(origin);
        }
        if (!contents->friendlyName.isEmpty()) {
            bundle.notes
                << QStringLiteral("%1: friendly name \"%2\"").arg(origin, contents->friendlyName);
        }
        if (contents->usedLegacyAlgorithms) {
            bundle.notes << QStringLiteral("%1: uses legacy encryption (RC2/RC4/DES); export it "
                                           "again with the modern profile")
                                .arg(origin);
        }
        if (!contents->hadMac) {
            bundle.notes << QStringLiteral("%1: has no integrity MAC").arg(origin);
        }
        return bundle;
    }
    return tl::unexpected(derError(data, origin, certError));
}

} // namespace

Result<CertificateBundle> CertificateReader::readFile(const QString& path,
                                                      const QByteArray& passphrase)
{
    const QString name = QFileInfo(path).fileName();
    QFileInfo fi(path);
    if (fi.exists() && fi.size() > MaxBytes) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is too large for a certificate file (%2; the limit is %3)")
                        .arg(name, sizeText(fi.size()), sizeText(MaxBytes)),
                    path);
    }
    auto data = readFileCapped(path, MaxBytes);
    if (!data) {
        Error e = data.error();
        e.message = name + QStringLiteral(": ") + e.message;
        return tl::unexpected(e);
    }
    return readBytes(*data, name, passphrase);
}

Result<CertificateBundle> CertificateReader::readBytes(const QByteArray& data,
                                                       const QString& originName,
                                                       const QByteArray& passphrase)
{
    const QString origin = originName.isEmpty() ? QStringLiteral("input") : originName;
    if (data.size() > MaxBytes) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is too large for a certificate file (%2; the limit is %3)")
                        .arg(origin, sizeText(data.size()), sizeText(MaxBytes)));
    }
    if (data.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 is empty").arg(origin));
    }
    if (data.contains("-----BEGIN ")) {
        CertificateBundle bundle;
        bundle.format = CertificateBundle::Format::Pem;
        PemParser parser(data, origin);
        if (auto s = parser.parse(bundle); !s) {
            return tl::unexpected(s.error());
        }
        return bundle;
    }
    if (looksLikeText(data)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is not a certificate file: text without any PEM block "
                                   "('-----BEGIN' line)")
                        .arg(origin));
    }
    if (static_cast<unsigned char>(data.at(0)) == 0x30) {
        return readDer(data, origin, passphrase);
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("%1 is not a certificate file: no PEM block ('-----BEGIN' line) "
                               "and not DER (byte 0 is 0x%2, a DER certificate starts with 0x30)")
                    .arg(origin)
                    .arg(static_cast<unsigned char>(data.at(0)), 2, 16, QLatin1Char('0')));
}

} // namespace certdeck::crypto
