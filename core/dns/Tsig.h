// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>

namespace certdeck::dns {

/// A TSIG key (RFC 8945). Only hmac-sha256 is offered: it is what BIND's
/// tsig-keygen makes by default and what RFC 8945 requires.
struct TsigKey
{
    QString name; ///< the key's DNS name, as in the server's `key "NAME"`
    QByteArray secret;

    /// A key from its name, algorithm ("hmac-sha256") and base64 secret as a
    /// BIND key file holds them; InvalidInput/Unsupported otherwise.
    [[nodiscard]] static Result<TsigKey> fromBase64(const QString& name, const QString& algorithm,
                                                    const QByteArray& base64Secret);
    /// Reads a BIND key file (`key "name" { algorithm ...; secret "..."; };`).
    [[nodiscard]] static Result<TsigKey> fromBindKeyFile(const QByteArray& text,
                                                         const QString& origin);
};

/// Signs DNS messages and verifies signed answers (RFC 8945, HMAC-SHA256).
class Tsig
{
public:
    /// Appends a TSIG record to `wire` (an encoded message without one) and
    /// raises ARCOUNT; `mac` receives the request MAC, needed to verify the
    /// answer. `timeSigned` is seconds since the epoch.
    [[nodiscard]] static Result<QByteArray> sign(const QByteArray& wire, const TsigKey& key,
                                                 quint64 timeSigned, QByteArray* mac,
                                                 quint16 fudge = 300);
    /// Checks the TSIG record that ends `responseWire` against `requestMac`;
    /// an error says which TSIG check failed (no signature, BADSIG, BADKEY,
    /// BADTIME, a MAC that does not match).
    [[nodiscard]] static Status verify(const QByteArray& responseWire, const TsigKey& key,
                                       const QByteArray& requestMac, quint64 now);
};

} // namespace certdeck::dns
