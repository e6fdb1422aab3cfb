// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/wire/TlsAlert.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace certdeck::probe {

/// What a ServerHello (or HelloRetryRequest) said, decoded.
struct ServerHello
{
    quint16 recordVersion = 0; ///< version field of the first record
    quint16 legacyVersion = 0; ///< ServerHello.legacy_version
    /// The version in force: supported_versions when present, else legacy_version.
    quint16 version = 0;
    QByteArray random;
    QByteArray sessionId;
    quint16 cipherSuite = 0;
    quint8 compression = 0;
    /// Extension types in the order the server sent them.
    QList<quint16> extensions;
    /// TLS 1.3: the group of the server's key_share (or the group a
    /// HelloRetryRequest asks for).
    std::optional<quint16> keyShareGroup;
    /// ALPN protocol the server selected.
    QString alpn;
    /// renegotiation_info was present (RFC 5746 secure renegotiation).
    bool secureRenegotiation = false;
    /// This is a HelloRetryRequest (the special random of RFC 8446 4.1.3).
    bool helloRetryRequest = false;
    /// The last 8 bytes of the random are RFC 8446's downgrade sentinel.
    bool downgradeSentinel = false;
    /// TLS 1.0-1.2, when asked for: the ECDHE group of ServerKeyExchange.
    std::optional<quint16> ecdheGroup;
    /// TLS 1.0-1.2, when asked for: the size of the DHE prime in bits.
    std::optional<int> dhBits;
};

/// The server's first answer to a ClientHello: a ServerHello/HRR or an alert.
struct ServerReply
{
    enum class Kind
    {
        Hello, ///< ServerHello or HelloRetryRequest (see hello.helloRetryRequest)
        Alert,
    };
    Kind kind = Kind::Hello;
    ServerHello hello;
    TlsAlert alert;
    /// Bytes of the input the reply used (records read so far).
    qsizetype consumed = 0;
};

} // namespace certdeck::probe
