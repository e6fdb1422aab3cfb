// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/wire/TlsVersion.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::probe {

/// How a ClientHello asks for secure renegotiation (RFC 5746).
enum class RenegotiationSignal
{
    None,      ///< neither: to see whether the server insists
    Scsv,      ///< TLS_EMPTY_RENEGOTIATION_INFO_SCSV appended to the suites
    Extension, ///< an empty renegotiation_info extension (TLS 1.0-1.2 only)
};

/// One TLS 1.3 key_share entry.
struct KeyShareEntry
{
    quint16 group = 0;
    QByteArray keyExchange;
};

/// What a raw ClientHello offers. ClientHello::build() turns it into bytes.
struct ClientHelloSpec
{
    /// The highest version offered: legacy_version up to TLS 1.2, and for TLS
    /// 1.3 legacy_version 0x0303 with supported_versions = {0x0304} only, so
    /// the server cannot fall back and the answer is about TLS 1.3 alone.
    TlsVersion version = TlsVersion::Tls12;
    QList<quint16> cipherSuites;
    /// supported_groups, in preference order. Empty: no extension.
    QList<quint16> groups;
    /// TLS 1.3 key_share entries (may be empty: the server then answers with a
    /// HelloRetryRequest naming the group it wants, or fails).
    QList<KeyShareEntry> keyShares;
    /// signature_algorithms (TLS 1.2 and 1.3 only). Empty: the defaults below.
    QList<quint16> signatureAlgorithms;
    /// SNI host name; empty (or an IP address, which RFC 6066 forbids) sends none.
    QString serverName;
    /// ALPN protocol names ("h2", "http/1.1"); empty: no extension.
    QStringList alpn;
    RenegotiationSignal renegotiation = RenegotiationSignal::Extension;
    /// 32 bytes; empty: random.
    QByteArray random;
    /// 0..32 bytes. For TLS 1.3 an empty one is replaced by 32 random bytes
    /// (RFC 8446 D.4 middlebox compatibility mode, which servers expect).
    QByteArray sessionId;
    /// RFC 7685 padding: a ClientHello of 256-511 bytes is padded to 512,
    /// because some load balancers (F5) hang on that size.
    bool padding = true;

    /// The signature algorithms sent when none are given: every scheme a
    /// server might hold a certificate for, SHA-1 and DSA included, so the
    /// probe is never refused for lack of one.
    [[nodiscard]] static QList<quint16> defaultSignatureAlgorithms();
};

} // namespace certdeck::probe
