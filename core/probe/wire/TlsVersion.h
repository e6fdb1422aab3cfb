// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>
#include <optional>

namespace certdeck::probe {

/// A protocol version as it appears on the wire (ProtocolVersion of RFC 8446).
enum class TlsVersion : quint16
{
    Ssl3 = 0x0300,
    Tls10 = 0x0301,
    Tls11 = 0x0302,
    Tls12 = 0x0303,
    Tls13 = 0x0304,
};

/// SSLv3 .. TLS 1.3, oldest first.
[[nodiscard]] QList<TlsVersion> allTlsVersions();
/// "SSLv3", "TLSv1.0" .. "TLSv1.3" (the spelling sslscan and nmap use).
[[nodiscard]] QString tlsVersionName(TlsVersion version);
/// The version of a wire value, or nullopt for anything else (0x0200, 0x7f1c...).
[[nodiscard]] std::optional<TlsVersion> tlsVersionFromWire(quint16 wire);
/// "0x0303 (TLSv1.2)" or "0x7f1c (unknown)", for error details.
[[nodiscard]] QString describeWireVersion(quint16 wire);

} // namespace certdeck::probe
