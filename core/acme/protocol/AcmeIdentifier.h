// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QString>

namespace certdeck::acme {

/// An identifier an order asks a certificate for: a DNS name (RFC 8555) or
/// an IP address (RFC 8738).
struct AcmeIdentifier
{
    enum class Type
    {
        Dns,
        Ip,
    };
    Type type = Type::Dns;
    QString value; ///< lower-case DNS name, or the IP in canonical text form

    /// A DNS name (lower-cased; "*." allowed in front); an InvalidInput
    /// error naming the bad label otherwise.
    [[nodiscard]] static Result<AcmeIdentifier> dns(const QString& name);
    /// An IPv4 or IPv6 address, canonicalised ("::ffff:1" style stays IPv6).
    [[nodiscard]] static Result<AcmeIdentifier> ip(const QString& address);
    /// Reads {"type": "dns"|"ip", "value": ...}; InvalidInput otherwise.
    [[nodiscard]] static Result<AcmeIdentifier> fromJson(const QJsonObject& json);

    [[nodiscard]] QJsonObject toJson() const;
    /// "dns:api.example.com", "ip:192.0.2.7": how errors and progress name it.
    [[nodiscard]] QString toString() const;
    [[nodiscard]] bool isWildcard() const
    {
        return type == Type::Dns && value.startsWith(QLatin1String("*."));
    }
    [[nodiscard]] bool operator==(const AcmeIdentifier& other) const = default;
};

} // namespace certdeck::acme
