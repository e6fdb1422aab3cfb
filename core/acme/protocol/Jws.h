// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/JwsKey.h"
#include "common/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <optional>

namespace certdeck::acme {

/// Builds the JWS objects ACME sends (RFC 8555 6.2), in the flattened JSON
/// serialization (RFC 7515 7.2.2): {"protected", "payload", "signature"}.
class Jws
{
public:
    /// Signs a request to `url`. With `kid` empty the protected header
    /// carries the public key as "jwk" (newAccount, revocation by certificate
    /// key), otherwise the account URL as "kid". `nonce` empty leaves "nonce"
    /// out (the inner JWS of a key rollover). `payload` nullopt is
    /// POST-as-GET: the payload is the empty string, not "{}".
    [[nodiscard]] static Result<QByteArray> sign(const JwsKey& key, const QString& url,
                                                 const QByteArray& nonce, const QString& kid,
                                                 const std::optional<QJsonObject>& payload);

    /// Same as sign(), returned as a JSON object to embed in another payload
    /// (key rollover).
    [[nodiscard]] static Result<QJsonObject> signObject(const JwsKey& key, const QString& url,
                                                        const QByteArray& nonce, const QString& kid,
                                                        const std::optional<QJsonObject>& payload);

    /// The externalAccountBinding member of a newAccount payload (RFC 8555
    /// 7.3.4): HS256 over the account's public JWK, "kid" the CA-given key
    /// identifier, "url" the newAccount URL, no nonce. `hmacKey` is the
    /// decoded MAC key; it is not kept.
    [[nodiscard]] static Result<QJsonObject> externalAccountBinding(const QString& eabKeyId,
                                                                    const QByteArray& hmacKey,
                                                                    const QJsonObject& accountJwk,
                                                                    const QString& newAccountUrl);
};

} // namespace certdeck::acme
