// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/wire/ClientHello.h"

#include "common/ByteWriter.h"

#include <QHostAddress>
#include <QRandomGenerator>

namespace certdeck::probe {

namespace {

constexpr quint8 kHandshakeRecord = 22;
constexpr quint8 kClientHelloType = 1;
constexpr quint16 kRenegotiationScsv = 0x00ff;
constexpr qsizetype kMaxRecordPayload = 16384;

QByteArray randomBytes(qsizetype n)
{
    QByteArray b(n, '\0');
    for (qsizetype i = 0; i < n; ++i) {
        b[i] = static_cast<char>(QRandomGenerator::system()->bounded(256));
    }
    return b;
}

void extensionHeader(ByteWriter& w, TlsExtension type)
{
    w.u16(static_cast<quint16>(type));
    w.beginBlock(2);
}

} // namespace

QList<quint16> ClientHelloSpec::defaultSignatureAlgorithms()
{
    return {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
            0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301,
            0x0302, 0x0203, 0x0201, 0x0202, 0x0402, 0x0502, 0x0602};
}

Result<QByteArray> ClientHello::build(const ClientHelloSpec& spec)
{
    auto invalid = [](const QString& what) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("ClientHello: ") + what);
    };
    const bool ssl3 = spec.version == TlsVersion::Ssl3;
    const bool tls13 = spec.version == TlsVersion::Tls13;
    if (spec.cipherSuites.isEmpty()) {
        return invalid(QStringLiteral("no cipher suites to offer"));
    }
    if (spec.cipherSuites.size() > 4000) {
        return invalid(
            QStringLiteral("%1 cipher suites do not fit one record").arg(spec.cipherSuites.size()));
    }
    if (!spec.random.isEmpty() && spec.random.size() != 32) {
        return invalid(
            QStringLiteral("the random must be 32 bytes, not %1").arg(spec.random.size()));
    }
    if (spec.sessionId.size() > 32) {
        return invalid(QStringLiteral("the session id must be 0..32 bytes, not %1")
                           .arg(spec.sessionId.size()));
    }
    for (const KeyShareEntry& share : spec.keyShares) {
        // ffdhe8192 (1024 bytes) is the largest share of any registered group.
        if (share.keyExchange.isEmpty() || share.keyExchange.size() > 1024) {
            return invalid(
                QStringLiteral("the key share for group %1 must be 1..1024 bytes, not %2")
                    .arg(share.group)
                    .arg(share.keyExchange.size()));
        }
    }
    if (spec.keyShares.size() > 16 || spec.groups.size() > 1000 ||
        spec.signatureAlgorithms.size() > 1000 || spec.alpn.size() > 100) {
        return invalid(QStringLiteral("too many groups, key shares, signature algorithms or ALPN "
                                      "names for one record"));
    }
    QByteArray sni;
    if (!spec.serverName.isEmpty() && QHostAddress(spec.serverName).isNull()) {
        sni = spec.serverName.toLower().toUtf8();
        if (sni.size() > 255 || sni.contains('\0')) {
            return invalid(QStringLiteral("the server name \"%1\" is not a host name")
                               .arg(spec.serverName.left(60)));
        }
    }
    for (const QString& proto : spec.alpn) {
        const QByteArray p = proto.toUtf8();
        if (p.isEmpty() || p.size() > 255) {
            return invalid(
                QStringLiteral("ALPN name \"%1\" must be 1..255 bytes").arg(proto.left(60)));
        }
    }

    ByteWriter w;
    w.u8(kHandshakeRecord);
    w.u16(ssl3 ? 0x0300 : 0x0301);
    w.beginBlock(2); // record
    w.u8(kClientHelloType);
    w.beginBlock(3); // handshake body
    w.u16(tls13 ? 0x0303 : static_cast<quint16>(spec.version));
    w.bytes(spec.random.isEmpty() ? randomBytes(32) : spec.random);
    w.beginBlock(1);
    w.bytes(tls13 && spec.sessionId.isEmpty() ? randomBytes(32) : spec.sessionId);
    w.endBlock();

    w.beginBlock(2);
    for (quint16 suite : spec.cipherSuites) {
        w.u16(suite);
    }
    const bool scsv = spec.renegotiation == RenegotiationSignal::Scsv ||
                      (ssl3 && spec.renegotiation == RenegotiationSignal::Extension);
    if (scsv && !tls13 && !spec.cipherSuites.contains(kRenegotiationScsv)) {
        w.u16(kRenegotiationScsv);
    }
    w.endBlock();
    w.u8(1); // compression_methods: null only
    w.u8(0);

    if (!ssl3) {
        w.beginBlock(2); // extensions
        if (!sni.isEmpty()) {
            extensionHeader(w, TlsExtension::ServerName);
            w.beginBlock(2); // server_name_list
            w.u8(0);         // host_name
            w.beginBlock(2);
            w.bytes(sni);
            w.endBlock();
            w.endBlock();
            w.endBlock();
        }
        extensionHeader(w, TlsExtension::EcPointFormats);
        w.beginBlock(1);
        w.u8(0); // uncompressed
        w.endBlock();
        w.endBlock();
        if (!spec.groups.isEmpty()) {
            extensionHeader(w, TlsExtension::SupportedGroups);
            w.beginBlock(2);
            for (quint16 g : spec.groups) {
                w.u16(g);
            }
            w.endBlock();
            w.endBlock();
        }
        if (spec.version >= TlsVersion::Tls12) {
            const QList<quint16> algs = spec.signatureAlgorithms.isEmpty()
                                            ? ClientHelloSpec::defaultSignatureAlgorithms()
                                            : spec.signatureAlgorithms;
            extensionHeader(w, TlsExtension::SignatureAlgorithms);
            w.beginBlock(2);
            for (quint16 a : algs) {
                w.u16(a);
            }
            w.endBlock();
            w.endBlock();
        }
        if (!spec.alpn.isEmpty()) {
            extensionHeader(w, TlsExtension::Alpn);
            w.beginBlock(2);
            for (const QString& proto : spec.alpn) {
                w.beginBlock(1);
                w.bytes(proto.toUtf8());
                w.endBlock();
            }
            w.endBlock();
            w.endBlock();
        }
        if (tls13) {
            extensionHeader(w, TlsExtension::SupportedVersions);
            w.beginBlock(1);
            w.u16(static_cast<quint16>(TlsVersion::Tls13));
            w.endBlock();
            w.endBlock();
            extensionHeader(w, TlsExtension::PskKeyExchangeModes);
            w.beginBlock(1);
            w.u8(1); // psk_dhe_ke
            w.endBlock();
            w.endBlock();
            extensionHeader(w, TlsExtension::KeyShare);
            w.beginBlock(2);
            for (const KeyShareEntry& share : spec.keyShares) {
                w.u16(share.group);
                w.beginBlock(2);
                w.bytes(share.keyExchange);
                w.endBlock();
            }
            w.endBlock();
            w.endBlock();
        } else if (spec.renegotiation == RenegotiationSignal::Extension) {
            extensionHeader(w, TlsExtension::RenegotiationInfo);
            w.u8(0); // renegotiated_connection: empty on a first handshake
            w.endBlock();
        }
        // The handshake message so far (its 4-byte header included); the
        // record header is not part of what those load balancers count.
        const qsizetype helloLength = w.size() - 5;
        if (spec.padding && helloLength > 0xff && helloLength < 0x200) {
            qsizetype pad = 0x200 - helloLength;
            pad = pad >= 5 ? pad - 4 : 1;
            extensionHeader(w, TlsExtension::Padding);
            w.bytes(QByteArray(pad, '\0'));
            w.endBlock();
        }
        w.endBlock();
    }
    w.endBlock(); // handshake
    w.endBlock(); // record
    const QByteArray& record = w.data();
    if (!w.ok() || record.size() - 5 > kMaxRecordPayload) {
        return invalid(
            QStringLiteral("%1 bytes do not fit one 16 KiB record").arg(record.size() - 5));
    }
    return record;
}

} // namespace certdeck::probe
