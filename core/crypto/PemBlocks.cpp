// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/internal/PemBlocks.h"

namespace certdeck::crypto::internal {

namespace {

constexpr QByteArrayView kBegin("-----BEGIN CERTIFICATE-----");
constexpr QByteArrayView kEnd("-----END CERTIFICATE-----");

int lineOf(const QByteArray& data, qsizetype offset)
{
    return static_cast<int>(QByteArrayView(data).first(offset).count('\n')) + 1;
}

} // namespace

Result<QList<Certificate>> readCertificates(const QByteArray& data, const QString& origin)
{
    QList<Certificate> out;
    if (!data.contains("-----BEGIN")) {
        if (data.isEmpty()) {
            return fail(ErrorCode::InvalidInput, QStringLiteral("%1 is empty").arg(origin));
        }
        auto cert = Certificate::fromDer(data, origin);
        if (!cert) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 holds neither PEM certificates nor one DER certificate")
                            .arg(origin),
                        cert.error().detail);
        }
        out << *cert;
        return out;
    }
    qsizetype pos = 0;
    while ((pos = data.indexOf(kBegin, pos)) >= 0) {
        const int line = lineOf(data, pos);
        const qsizetype bodyStart = pos + kBegin.size();
        const qsizetype end = data.indexOf(kEnd, bodyStart);
        if (end < 0) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 line %2: certificate has no END line (truncated?)")
                            .arg(origin)
                            .arg(line));
        }
        const QByteArray body = data.mid(bodyStart, end - bodyStart).trimmed();
        auto decoded = QByteArray::fromBase64Encoding(
            QByteArray(body).replace('\n', "").replace('\r', "").replace(' ', ""),
            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.isEmpty()) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("%1 line %2: the base64 body is damaged").arg(origin).arg(line));
        }
        const QString where = QStringLiteral("%1 line %2").arg(origin).arg(line);
        auto cert = Certificate::fromDer(decoded.decoded, where);
        if (!cert) {
            return tl::unexpected(cert.error());
        }
        out << *cert;
        pos = end + kEnd.size();
    }
    if (out.isEmpty()) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 holds no PEM certificate (no BEGIN CERTIFICATE line)").arg(origin));
    }
    return out;
}

} // namespace certdeck::crypto::internal
