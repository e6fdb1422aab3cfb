// SPDX-License-Identifier: GPL-3.0-or-later
#include "dns/Tsig.h"

#include "common/ByteReader.h"
#include "common/ByteWriter.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "dns/DnsMessage.h"

#include <QRegularExpression>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace certdeck::dns {

namespace {

using ossl::MacCtxPtr;
using ossl::MacPtr;

const QString kAlgorithm = QStringLiteral("hmac-sha256");

Result<QByteArray> hmacSha256(const QByteArray& key, const QByteArray& data)
{
    MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    MacCtxPtr ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
    if (!ctx) {
        return fail(ErrorCode::Internal, QStringLiteral("OpenSSL has no HMAC"),
                    ossl::drainErrors());
    }
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    QByteArray out(EVP_MAX_MD_SIZE, '\0');
    size_t len = 0;
    if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.constData()),
                     static_cast<size_t>(key.size()), params) != 1 ||
        EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.constData()),
                       static_cast<size_t>(data.size())) != 1 ||
        EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                      static_cast<size_t>(out.size())) != 1) {
        return fail(ErrorCode::Crypto, QStringLiteral("computing the TSIG HMAC failed"),
                    ossl::drainErrors());
    }
    out.resize(static_cast<qsizetype>(len));
    return out;
}

// RFC 8945 4.3.3: the TSIG variables that follow the message in the MAC input.
QByteArray variables(const QString& keyName, quint64 timeSigned, quint16 fudge, quint16 error,
                     const QByteArray& other)
{
    QByteArray name;
    QByteArray alg;
    static_cast<void>(appendWireName(name, keyName));
    static_cast<void>(appendWireName(alg, kAlgorithm));
    ByteWriter w;
    w.bytes(name);
    w.u16(RrClass::Any);
    w.u32(0);
    w.bytes(alg);
    w.u48(timeSigned);
    w.u16(fudge);
    w.u16(error);
    w.u16(static_cast<quint16>(other.size()));
    w.bytes(other);
    return w.data();
}

QString tsigErrorName(quint16 error)
{
    switch (error) {
    case 16:
        return QStringLiteral("BADSIG (the server computed another MAC: wrong secret)");
    case 17:
        return QStringLiteral("BADKEY (the server does not know this key name or algorithm)");
    case 18:
        return QStringLiteral("BADTIME (the clocks differ by more than the fudge)");
    case 22:
        return QStringLiteral("BADTRUNC");
    default:
        return QStringLiteral("TSIG error %1").arg(error);
    }
}

} // namespace

Result<TsigKey> TsigKey::fromBase64(const QString& name, const QString& algorithm,
                                    const QByteArray& base64Secret)
{
    if (algorithm.toLower() != kAlgorithm) {
        return fail(
            ErrorCode::Unsupported,
            QStringLiteral("TSIG algorithm '%1' is not supported; use hmac-sha256").arg(algorithm));
    }
    QByteArray wire;
    if (name.isEmpty() || !appendWireName(wire, name)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not a valid TSIG key name").arg(name));
    }
    auto decoded = QByteArray::fromBase64Encoding(base64Secret.trimmed(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the secret of TSIG key '%1' is not base64").arg(name));
    }
    return TsigKey{name.toLower(), decoded.decoded};
}

Result<TsigKey> TsigKey::fromBindKeyFile(const QByteArray& text, const QString& origin)
{
    static const QRegularExpression re(QStringLiteral(
        R"re(key\s+"?([^"\s{]+)"?\s*\{[^}]*algorithm\s+"?([a-zA-Z0-9-]+)"?\s*;[^}]*)re"
        R"re(secret\s+"([^"]+)"\s*;)re"));
    const QRegularExpressionMatch m = re.match(QString::fromUtf8(text));
    if (!m.hasMatch()) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 holds no BIND key block with algorithm and secret").arg(origin));
    }
    return fromBase64(m.captured(1), m.captured(2), m.captured(3).toLatin1());
}

Result<QByteArray> Tsig::sign(const QByteArray& wire, const TsigKey& key, quint64 timeSigned,
                              QByteArray* mac, quint16 fudge)
{
    if (wire.size() < 12) {
        return fail(ErrorCode::Internal, QStringLiteral("signing a DNS message without a header"));
    }
    auto digest = hmacSha256(key.secret, wire + variables(key.name, timeSigned, fudge, 0, {}));
    if (!digest) {
        return tl::unexpected(digest.error());
    }
    QByteArray alg;
    static_cast<void>(appendWireName(alg, kAlgorithm));
    ByteWriter rdata;
    rdata.bytes(alg);
    rdata.u48(timeSigned);
    rdata.u16(fudge);
    rdata.u16(static_cast<quint16>(digest->size()));
    rdata.bytes(*digest);
    rdata.bytes(wire.left(2)); // original ID
    rdata.u16(0);              // error
    rdata.u16(0);              // other len
    QByteArray name;
    if (!appendWireName(name, key.name)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not a valid TSIG key name").arg(key.name));
    }
    ByteWriter out;
    out.bytes(wire);
    ByteReader header(QByteArrayView(wire).sliced(10));
    out.patch16(10, static_cast<quint16>(header.u16().value_or(0) + 1));
    out.bytes(name);
    out.u16(RrType::Tsig);
    out.u16(RrClass::Any);
    out.u32(0);
    out.u16(static_cast<quint16>(rdata.size()));
    out.bytes(rdata.data());
    *mac = *digest;
    return out.data();
}

Status Tsig::verify(const QByteArray& responseWire, const TsigKey& key,
                    const QByteArray& requestMac, quint64 now)
{
    auto msg = DnsMessage::decode(responseWire);
    if (!msg) {
        return tl::unexpected(msg.error());
    }
    if (msg->additionals.isEmpty() || msg->additionals.constLast().type != RrType::Tsig) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("the DNS server's answer is not signed (no TSIG record)"),
                    DnsMessage::rcodeName(msg->rcode()));
    }
    const DnsRecord& tsig = msg->additionals.constLast();
    ByteReader r(tsig.rdata);
    // The algorithm name inside rdata is never compressed (RFC 8945 4.2).
    QStringList labels;
    for (auto len = r.u8(); len && *len != 0; len = r.u8()) {
        const auto label = *len <= 63 ? r.bytes(*len) : std::nullopt;
        if (!label) {
            return fail(ErrorCode::Protocol,
                        QStringLiteral("the answer's TSIG record is malformed"));
        }
        labels << QString::fromLatin1(*label).toLower();
    }
    const QString alg = labels.join(u'.');
    const auto timeField = r.u48();
    const auto fudgeField = r.u16();
    const auto macField = r.block(2);
    const auto idField = r.u16();
    const auto errorField = r.u16();
    const auto otherField = r.block(2);
    if (!timeField || !fudgeField || !macField || !idField || !errorField || !otherField) {
        return fail(ErrorCode::Protocol, QStringLiteral("the answer's TSIG record is truncated"));
    }
    const quint64 timeSigned = *timeField;
    const quint16 fudge = *fudgeField;
    const QByteArray mac = macField->data().toByteArray();
    const quint16 originalId = *idField;
    const quint16 error = *errorField;
    const QByteArray other = otherField->data().toByteArray();
    if (error != 0) {
        return fail(
            ErrorCode::PermissionDenied,
            QStringLiteral("the DNS server refused the TSIG signature: %1")
                .arg(tsigErrorName(error)),
            QStringLiteral("key %1, rcode %2").arg(key.name, DnsMessage::rcodeName(msg->rcode())));
    }
    if (tsig.name != key.name || alg != kAlgorithm) {
        return fail(
            ErrorCode::Crypto,
            QStringLiteral("the answer is signed with another key (%1, %2)").arg(tsig.name, alg));
    }
    // The signed bytes: the answer without its TSIG record, ARCOUNT one
    // lower and the original ID (RFC 8945 5.3).
    QByteArray body = responseWire.left(msg->lastAdditionalOffset);
    ByteWriter fixed;
    fixed.bytes(body);
    fixed.patch16(0, originalId);
    fixed.patch16(10, static_cast<quint16>(msg->additionals.size() - 1));
    ByteWriter prefix;
    prefix.u16(static_cast<quint16>(requestMac.size()));
    prefix.bytes(requestMac);
    auto expected =
        hmacSha256(key.secret, prefix.data() + fixed.data() +
                                   variables(key.name, timeSigned, fudge, error, other));
    if (!expected) {
        return tl::unexpected(expected.error());
    }
    if (expected->size() != mac.size() || CRYPTO_memcmp(expected->constData(), mac.constData(),
                                                        static_cast<size_t>(mac.size())) != 0) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("the DNS server's TSIG signature does not verify"));
    }
    const qint64 skew = static_cast<qint64>(now) - static_cast<qint64>(timeSigned);
    if (skew > fudge || -skew > fudge) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("the DNS server's signed time is %1 s off").arg(skew));
    }
    return {};
}

} // namespace certdeck::dns
