// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/AcmeClient.h"

#include <QDateTime>
#include <QUrl>

namespace certdeck::acme {

/// A CA's renewal suggestion for one certificate (ARI, RFC 9773).
struct RenewalInfo
{
    QDateTime windowStart; ///< UTC
    QDateTime windowEnd;   ///< UTC
    QUrl explanationUrl;
    /// When to ask again (Retry-After), if the server said.
    std::optional<int> retryAfterSeconds;

    /// Parses the renewalInfo JSON; the window must be ordered.
    [[nodiscard]] static Result<RenewalInfo> parse(const QJsonObject& json, const QString& origin);
};

/// ARI (RFC 9773): the certificate identifier and the renewalInfo fetch.
class AcmeRenewalInfo
{
public:
    /// base64url(AKI keyIdentifier) "." base64url(DER serial content bytes),
    /// RFC 9773 section 4.1; an error when the certificate has no AKI keyid.
    [[nodiscard]] static Result<QString> certId(const QByteArray& certificateDer);
    /// GETs renewalInfo/<certId>; an Unsupported error naming the server
    /// when its directory has no renewalInfo (Pebble 2.4 has none).
    static void fetch(AcmeClient& client, const QByteArray& certificateDer,
                      AcmeClient::Done<RenewalInfo> done);
};

} // namespace certdeck::acme
