// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "probe/wire/ClientHelloSpec.h"

#include <QByteArray>

namespace certdeck::probe {

/// TLS extension code points the builder writes, in the order it writes them.
enum class TlsExtension : quint16
{
    ServerName = 0,
    SupportedGroups = 10,
    EcPointFormats = 11,
    SignatureAlgorithms = 13,
    Alpn = 16,
    Padding = 21,
    SupportedVersions = 43,
    PskKeyExchangeModes = 45,
    KeyShare = 51,
    RenegotiationInfo = 0xff01,
};

/// Builds a raw ClientHello record byte for byte, without OpenSSL, so the
/// prober can offer suites and versions the local libssl does not implement
/// (SSLv3, export, RC4, 3DES...). Written by hand on purpose: no packaged
/// library builds arbitrary ClientHellos.
///
/// Layout (RFC 5246 7.4.1.2, RFC 8446 4.1.2): one handshake record (type 22,
/// record version 0x0300 for SSLv3 and 0x0301 otherwise, the value servers
/// expect in a first flight), then client_version, random, session_id,
/// cipher_suites, compression_methods = {null}, and for TLS the extensions in
/// this order: server_name, ec_point_formats, supported_groups,
/// signature_algorithms (TLS 1.2+), ALPN, supported_versions,
/// psk_key_exchange_modes and key_share (TLS 1.3), renegotiation_info
/// (TLS 1.0-1.2), padding (when needed). SSLv3 gets no extensions; its
/// renegotiation signal is the SCSV.
class ClientHello
{
public:
    /// The record, or InvalidInput naming the field that cannot be encoded
    /// (no suites, a random that is not 32 bytes, a session id over 32 bytes,
    /// an ALPN name of 0 or more than 255 bytes, a record over 16 KiB).
    [[nodiscard]] static Result<QByteArray> build(const ClientHelloSpec& spec);
};

} // namespace certdeck::probe
