// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/AcmeIdentifier.h"

#include <QHostAddress>
#include <QRegularExpression>

namespace certdeck::acme {

Result<AcmeIdentifier> AcmeIdentifier::dns(const QString& name)
{
    QString n = name.trimmed().toLower();
    if (n.endsWith(u'.')) {
        n.chop(1);
    }
    const QString bare = n.startsWith(QLatin1String("*.")) ? n.mid(2) : n;
    if (bare.isEmpty() || bare.size() > 253) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not a DNS name (empty or longer than 253 characters)")
                        .arg(name));
    }
    static const QRegularExpression label(QStringLiteral("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"));
    const QStringList labels = bare.split(u'.');
    for (const QString& l : labels) {
        if (!label.match(l).hasMatch()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("'%1' is not a DNS name: label '%2' is not letters, digits "
                                       "and inner hyphens (a wildcard may only be the whole "
                                       "left-most label)")
                            .arg(name, l));
        }
    }
    if (QHostAddress(bare).protocol() == QAbstractSocket::IPv4Protocol) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is an IP address: give it as an IP identifier").arg(name));
    }
    return AcmeIdentifier{Type::Dns, n};
}

Result<AcmeIdentifier> AcmeIdentifier::ip(const QString& address)
{
    const QHostAddress a(address.trimmed());
    if (a.isNull() || !a.scopeId().isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not an IPv4 or IPv6 address").arg(address));
    }
    return AcmeIdentifier{Type::Ip, a.toString()};
}

Result<AcmeIdentifier> AcmeIdentifier::fromJson(const QJsonObject& json)
{
    const QString type = json.value(QStringLiteral("type")).toString();
    const QString value = json.value(QStringLiteral("value")).toString();
    if (type == QLatin1String("dns")) {
        return dns(value);
    }
    if (type == QLatin1String("ip")) {
        return ip(value);
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("unknown ACME identifier type '%1' for '%2'").arg(type, value));
}

QJsonObject AcmeIdentifier::toJson() const
{
    return QJsonObject{
        {QStringLiteral("type"), type == Type::Ip ? QStringLiteral("ip") : QStringLiteral("dns")},
        {QStringLiteral("value"), value}};
}

QString AcmeIdentifier::toString() const
{
    return (type == Type::Ip ? QStringLiteral("ip:") : QStringLiteral("dns:")) + value;
}

} // namespace certdeck::acme
