// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/wire/ServerReplyParser.h"

#include "common/ByteReader.h"
#include "probe/wire/CipherSuiteRegistry.h"
#include "probe/wire/ClientHello.h"

#include <QSet>

namespace certdeck::probe {

namespace {

constexpr quint8 kChangeCipherSpec = 20;
constexpr quint8 kAlertRecord = 21;
constexpr quint8 kHandshakeRecord = 22;
constexpr quint8 kApplicationData = 23;
// RFC 5246 6.2.3: a ciphertext fragment may exceed 2^14 by up to 2048 bytes.
constexpr qsizetype kMaxRecordLength = 16384 + 2048;

constexpr quint8 kServerHello = 2;
constexpr quint8 kCertificate = 11;
constexpr quint8 kServerKeyExchange = 12;
constexpr quint8 kCertificateRequest = 13;
constexpr quint8 kServerHelloDone = 14;
constexpr quint8 kCertificateStatus = 22;

tl::unexpected<Error> protocolError(const QString& message, const QString& detail = {})
{
    return fail(ErrorCode::Protocol, message, detail);
}

QString hexStart(QByteArrayView data, qsizetype n = 16)
{
    return QString::fromLatin1(data.first(std::min(n, data.size())).toByteArray().toHex(' '));
}

// Names what non-TLS bytes look like, so "port 22 is SSH" is obvious.
QString describeNonTls(QByteArrayView data)
{
    qsizetype printable = 0;
    while (printable < data.size() && printable < 60) {
        const char c = data[printable];
        if (!(c == '\r' || c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))) {
            break;
        }
        ++printable;
    }
    if (printable >= 4) {
        QString text = QString::fromLatin1(data.first(printable).toByteArray()).simplified();
        return QStringLiteral("the server sent text, not TLS: \"%1\"").arg(text);
    }
    return QStringLiteral("the server sent bytes that are not a TLS record");
}

Result<ServerHello> parseServerHello(QByteArrayView body, qsizetype base, quint16 recordVersion)
{
    ByteReader r(body, base);
    auto truncated = [&](const char* field) {
        return protocolError(QStringLiteral("ServerHello is truncated in %1 (handshake byte %2)")
                                 .arg(QLatin1String(field))
                                 .arg(r.offset()),
                             hexStart(body, 48));
    };
    ServerHello h;
    h.recordVersion = recordVersion;
    const auto legacy = r.u16();
    if (!legacy) {
        return truncated("legacy_version");
    }
    h.legacyVersion = *legacy;
    h.version = *legacy;
    const auto random = r.bytes(32);
    if (!random) {
        return truncated("random");
    }
    h.random = random->toByteArray();
    h.helloRetryRequest = h.random == ServerReplyParser::helloRetryRandom();
    h.downgradeSentinel = h.random.endsWith(QByteArrayLiteral("DOWNGRD\x01")) ||
                          h.random.endsWith(QByteArray("DOWNGRD\x00", 8));
    const qsizetype sidAt = r.offset();
    auto sid = r.block(1);
    if (!sid) {
        return truncated("session_id");
    }
    if (sid->remaining() > 32) {
        return protocolError(QStringLiteral("ServerHello session_id is %1 bytes; at most 32 are "
                                            "allowed (handshake byte %2)")
                                 .arg(sid->remaining())
                                 .arg(sidAt));
    }
    h.sessionId = sid->bytes(sid->remaining())->toByteArray();
    const auto suite = r.u16();
    if (!suite) {
        return truncated("cipher_suite");
    }
    h.cipherSuite = *suite;
    const auto compression = r.u8();
    if (!compression) {
        return truncated("compression_method");
    }
    h.compression = *compression;
    if (r.atEnd()) {
        return h; // SSLv3 / TLS without extensions
    }
    auto exts = r.block(2);
    if (!exts) {
        return truncated("extensions");
    }
    if (!r.atEnd()) {
        return protocolError(
            QStringLiteral("ServerHello has %1 bytes after its extensions (handshake byte %2)")
                .arg(r.remaining())
                .arg(r.offset()));
    }
    QSet<quint16> seen;
    while (!exts->atEnd()) {
        const qsizetype extAt = exts->offset();
        const auto type = exts->u16();
        auto data = exts->block(2);
        if (!type || !data) {
            return protocolError(
                QStringLiteral("ServerHello extension at handshake byte %1 is truncated")
                    .arg(extAt),
                hexStart(body, 48));
        }
        if (seen.contains(*type)) {
            return protocolError(
                QStringLiteral("ServerHello repeats extension %1 (handshake byte %2)")
                    .arg(*type)
                    .arg(extAt));
        }
        seen.insert(*type);
        h.extensions.append(*type);
        auto bad = [&](const char* what) {
            return protocolError(QStringLiteral("ServerHello %1 extension is malformed (handshake "
                                                "byte %2)")
                                     .arg(QLatin1String(what))
                                     .arg(extAt),
                                 hexStart(body, 48));
        };
        switch (static_cast<TlsExtension>(*type)) {
        case TlsExtension::SupportedVersions: {
            const auto v = data->u16();
            if (!v || !data->atEnd()) {
                return bad("supported_versions");
            }
            h.version = *v;
            break;
        }
        case TlsExtension::KeyShare: {
            const auto group = data->u16();
            if (!group) {
                return bad("key_share");
            }
            if (!h.helloRetryRequest) {
                auto share = data->block(2);
                if (!share || share->atEnd()) {
                    return bad("key_share");
                }
            }
            if (!data->atEnd()) {
                return bad("key_share");
            }
            h.keyShareGroup = *group;
            break;
        }
        case TlsExtension::Alpn: {
            auto list = data->block(2);
            if (!list) {
                return bad("ALPN");
            }
            auto name = list->block(1);
            if (!name || name->atEnd() || !list->atEnd() || !data->atEnd()) {
                return bad("ALPN");
            }
            h.alpn = QString::fromLatin1(name->bytes(name->remaining())->toByteArray());
            break;
        }
        case TlsExtension::RenegotiationInfo: {
            auto info = data->block(1);
            if (!info || !data->atEnd()) {
                return bad("renegotiation_info");
            }
            h.secureRenegotiation = true;
            break;
        }
        default:
            break;
        }
    }
    return h;
}

// ServerKeyExchange for TLS 1.0-1.2: ECDHE starts with curve_type 3
// (named_curve) and the group; DHE with dh_p, whose length gives the size.
Status parseKeyExchange(QByteArrayView body, qsizetype base, bool ecdhe, ServerHello& hello)
{
    ByteReader r(body, base);
    if (ecdhe) {
        const auto curveType = r.u8();
        const auto group = r.u16();
        if (!curveType || !group) {
            return protocolError(
                QStringLiteral("ServerKeyExchange is truncated (handshake byte %1)")
                    .arg(r.offset()));
        }
        if (*curveType != 3) {
            return protocolError(QStringLiteral("ServerKeyExchange uses curve type %1; only "
                                                "named curves (3) are allowed")
                                     .arg(*curveType));
        }
        hello.ecdheGroup = *group;
        return {};
    }
    auto p = r.block(2);
    if (!p || p->atEnd()) {
        return protocolError(
            QStringLiteral("ServerKeyExchange dh_p is truncated (handshake byte %1)")
                .arg(r.offset()));
    }
    const QByteArrayView prime = *p->bytes(p->remaining());
    qsizetype lead = 0;
    while (lead < prime.size() && prime[lead] == 0) {
        ++lead;
    }
    int bits = static_cast<int>((prime.size() - lead) * 8);
    if (lead < prime.size()) {
        for (quint8 top = static_cast<quint8>(prime[lead]); !(top & 0x80); top <<= 1) {
            --bits;
        }
    }
    hello.dhBits = bits;
    return {};
}

bool wantsKeyExchange(const ServerHello& hello)
{
    if (hello.version >= static_cast<quint16>(TlsVersion::Tls13) || hello.helloRetryRequest) {
        return false;
    }
    const CipherSuite* s = CipherSuiteRegistry::instance().find(hello.cipherSuite);
    return s && (s->keyExchange.startsWith(QLatin1String("DHE")) ||
                 s->keyExchange.startsWith(QLatin1String("ECDHE")));
}

} // namespace

QByteArray ServerReplyParser::helloRetryRandom()
{
    return QByteArray::fromHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
}

Result<std::optional<ServerReply>> ServerReplyParser::parse(QByteArrayView received, Goal goal)
{
    if (received.isEmpty()) {
        return std::optional<ServerReply>();
    }
    // SSLv2 records start with a set high bit; byte 2 is the message type
    // (4 = SERVER-HELLO). TLS record types are 20..23.
    const quint8 first = static_cast<quint8>(received[0]);
    if (first & 0x80) {
        if (received.size() >= 3 && received[2] == 4) {
            return protocolError(QStringLiteral("the server answered in SSLv2 (SERVER-HELLO), "
                                                "not SSLv3/TLS"),
                                 hexStart(received));
        }
        if (received.size() < 3) {
            return std::optional<ServerReply>();
        }
    }
    if (first < kChangeCipherSpec || first > kApplicationData) {
        return protocolError(describeNonTls(received), hexStart(received));
    }

    ServerReply reply;
    QByteArray handshake;
    qsizetype hsPos = 0;
    qsizetype pos = 0;
    std::optional<ServerHello> hello;
    auto done = [&]() {
        reply.kind = ServerReply::Kind::Hello;
        reply.hello = *hello;
        reply.consumed = pos;
        return std::optional<ServerReply>(reply);
    };
    for (;;) {
        // Handshake messages complete so far.
        while (handshake.size() - hsPos >= 4) {
            ByteReader hr(QByteArrayView(handshake).sliced(hsPos), hsPos);
            const quint8 type = *hr.u8();
            const quint32 len = *hr.uint(3);
            if (len > kMaxReplyBytes) {
                return protocolError(QStringLiteral("handshake message type %1 claims %2 bytes; "
                                                    "more than %3 are refused")
                                         .arg(type)
                                         .arg(len)
                                         .arg(kMaxReplyBytes));
            }
            if (hr.remaining() < static_cast<qsizetype>(len)) {
                break;
            }
            const QByteArrayView body = *hr.bytes(len);
            const qsizetype bodyAt = hsPos + 4;
            hsPos += 4 + static_cast<qsizetype>(len);
            if (!hello) {
                if (type != kServerHello) {
                    return protocolError(QStringLiteral("the first handshake message is type %1, "
                                                        "not ServerHello (2)")
                                             .arg(type),
                                         hexStart(received));
                }
                // The first record's version: a record was read, so it is there.
                ByteReader firstVersion(received.sliced(1));
                auto parsed = parseServerHello(body, bodyAt, firstVersion.u16().value_or(0));
                if (!parsed) {
                    return tl::unexpected(parsed.error());
                }
                hello = std::move(*parsed);
                if (goal == Goal::ServerHello || !wantsKeyExchange(*hello)) {
                    return done();
                }
                continue;
            }
            switch (type) {
            case kCertificate:
            case kCertificateStatus:
            case kCertificateRequest:
                continue;
            case kServerKeyExchange: {
                const CipherSuite* s = CipherSuiteRegistry::instance().find(hello->cipherSuite);
                const bool ecdhe = s && s->keyExchange.startsWith(QLatin1String("ECDHE"));
                if (auto st = parseKeyExchange(body, bodyAt, ecdhe, *hello); !st) {
                    return tl::unexpected(st.error());
                }
                return done();
            }
            case kServerHelloDone:
            default:
                return done();
            }
        }
        if (received.size() - pos < 5) {
            return std::optional<ServerReply>();
        }
        ByteReader rr(received.sliced(pos), pos);
        const quint8 type = *rr.u8();
        const quint16 version = *rr.u16();
        const quint16 length = *rr.u16();
        if (type < kChangeCipherSpec || type > kApplicationData || (version >> 8) != 3) {
            return protocolError(
                QStringLiteral("byte %1 does not start a TLS record (type %2, version 0x%3)")
                    .arg(pos)
                    .arg(type)
                    .arg(version, 4, 16, QLatin1Char('0')),
                hexStart(received.sliced(pos)));
        }
        if (length > kMaxRecordLength) {
            return protocolError(QStringLiteral("the record at byte %1 is %2 bytes long; TLS "
                                                "allows at most %3")
                                     .arg(pos)
                                     .arg(length)
                                     .arg(kMaxRecordLength),
                                 hexStart(received.sliced(pos)));
        }
        if (rr.remaining() < length) {
            if (pos + 5 + length > kMaxReplyBytes) {
                return protocolError(QStringLiteral("the reply exceeds %1 bytes before its end")
                                         .arg(kMaxReplyBytes));
            }
            return std::optional<ServerReply>();
        }
        const QByteArrayView fragment = *rr.bytes(length);
        const qsizetype recordAt = pos;
        pos += 5 + length;
        switch (type) {
        case kAlertRecord: {
            if (hello) {
                return done();
            }
            if (length != 2) {
                return protocolError(QStringLiteral("the alert record at byte %1 has %2 bytes, "
                                                    "not 2")
                                         .arg(recordAt)
                                         .arg(length),
                                     hexStart(received.sliced(recordAt)));
            }
            reply.kind = ServerReply::Kind::Alert;
            ByteReader alert(fragment, recordAt + 5);
            reply.alert.level = alert.u8().value_or(0);
            reply.alert.description = alert.u8().value_or(0);
            reply.consumed = pos;
            return std::optional<ServerReply>(reply);
        }
        case kHandshakeRecord:
            if (handshake.size() + length > kMaxReplyBytes) {
                return protocolError(
                    QStringLiteral("the handshake exceeds %1 bytes").arg(kMaxReplyBytes));
            }
            handshake.append(fragment.toByteArray());
            break;
        case kChangeCipherSpec:
        case kApplicationData:
        default:
            if (!hello) {
                return protocolError(QStringLiteral("the server sent %1 before its ServerHello "
                                                    "(record at byte %2)")
                                         .arg(type == kChangeCipherSpec
                                                  ? QStringLiteral("ChangeCipherSpec")
                                                  : QStringLiteral("application data"))
                                         .arg(recordAt),
                                     hexStart(received.sliced(recordAt)));
            }
            if (type == kApplicationData) {
                return done(); // TLS 1.3 encrypted flight: nothing more to read in clear
            }
            break;
        }
    }
}

} // namespace certdeck::probe
