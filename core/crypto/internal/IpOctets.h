// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private to core/crypto: the one reader of the address octets in a
// GeneralName's iPAddress (RFC 5280 4.2.1.6, 4.2.1.10), which SAN display,
// the CSR/SAN model, name constraints and the extension decoder all show.

#include "common/ByteReader.h"

#include <QByteArrayView>
#include <QHostAddress>
#include <QString>
#include <openssl/asn1.h>
#include <optional>

namespace certdeck::crypto::internal {

/// 4 bytes: IPv4; 16 bytes: IPv6, in network order. nullopt for any other
/// length.
[[nodiscard]] inline std::optional<QHostAddress> ipAddressFromOctets(QByteArrayView bytes)
{
    ByteReader r(bytes);
    if (bytes.size() == 4) {
        return QHostAddress(*r.u32());
    }
    if (bytes.size() == 16) {
        return QHostAddress(reinterpret_cast<const quint8*>(r.rest().data()));
    }
    return std::nullopt;
}

/// The address as text, or "<invalid N-byte address>".
[[nodiscard]] inline QString ipAddressText(QByteArrayView bytes)
{
    const auto a = ipAddressFromOctets(bytes);
    return a ? a->toString() : QStringLiteral("<invalid %1-byte address>").arg(bytes.size());
}

/// The octets of an ASN.1 string, as a view (valid while the string lives).
[[nodiscard]] inline QByteArrayView octetsOf(const ASN1_STRING* s)
{
    return s ? QByteArrayView(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                              ASN1_STRING_length(s))
             : QByteArrayView();
}

} // namespace certdeck::crypto::internal
