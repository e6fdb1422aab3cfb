// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyConfig.h"

namespace certdeck::proxy {

QString SocketAddress::toString() const
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + address.toString() + u']'
                             : address.toString();
    return host + u':' + QString::number(port);
}

Result<SocketAddress> parseSocketAddress(const QString& text, bool allowPortZero)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("'%1' is not ADDRESS:PORT (an IP address and a port)").arg(text));
    }
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']')) {
        host = host.mid(1, host.size() - 2);
    }
    SocketAddress out;
    if (!out.address.setAddress(host)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1': '%2' is not an IP address (the proxy does not resolve "
                                   "names)")
                        .arg(text, host));
    }
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535 || (port == 0 && !allowPortZero)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1': the port must be a number from %2 to 65535")
                        .arg(text, allowPortZero ? QStringLiteral("0") : QStringLiteral("1")));
    }
    out.port = static_cast<quint16>(port);
    return out;
}

QList<CertificateSource> certificateSources(const ProxyConfig& config)
{
    if (!config.certificates.isEmpty()) {
        return config.certificates;
    }
    QList<CertificateSource> out;
    out.reserve(config.certificateFiles.size());
    for (const QString& f : config.certificateFiles) {
        out << CertificateSource::fromFile(f);
    }
    return out;
}

QString policyName(TlsPolicy policy)
{
    return policy == TlsPolicy::Modern ? QStringLiteral("modern") : QStringLiteral("intermediate");
}

Result<TlsPolicy> parsePolicy(const QString& text)
{
    if (text == QLatin1String("modern")) {
        return TlsPolicy::Modern;
    }
    if (text == QLatin1String("intermediate")) {
        return TlsPolicy::Intermediate;
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("unknown policy '%1' (modern or intermediate)").arg(text));
}

QString modeName(ProxyMode mode)
{
    return mode == ProxyMode::Tcp ? QStringLiteral("tcp") : QStringLiteral("http");
}

Result<ProxyMode> parseMode(const QString& text)
{
    if (text == QLatin1String("tcp")) {
        return ProxyMode::Tcp;
    }
    if (text == QLatin1String("http")) {
        return ProxyMode::Http;
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("unknown mode '%1' (tcp or http)").arg(text));
}

} // namespace certdeck::proxy
