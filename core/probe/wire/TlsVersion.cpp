// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/wire/TlsVersion.h"

namespace certdeck::probe {

QList<TlsVersion> allTlsVersions()
{
    return {TlsVersion::Ssl3, TlsVersion::Tls10, TlsVersion::Tls11, TlsVersion::Tls12,
            TlsVersion::Tls13};
}

QString tlsVersionName(TlsVersion version)
{
    switch (version) {
    case TlsVersion::Ssl3:
        return QStringLiteral("SSLv3");
    case TlsVersion::Tls10:
        return QStringLiteral("TLSv1.0");
    case TlsVersion::Tls11:
        return QStringLiteral("TLSv1.1");
    case TlsVersion::Tls12:
        return QStringLiteral("TLSv1.2");
    case TlsVersion::Tls13:
        return QStringLiteral("TLSv1.3");
    }
    return QStringLiteral("unknown");
}

std::optional<TlsVersion> tlsVersionFromWire(quint16 wire)
{
    for (TlsVersion v : allTlsVersions()) {
        if (static_cast<quint16>(v) == wire) {
            return v;
        }
    }
    return std::nullopt;
}

QString describeWireVersion(quint16 wire)
{
    const auto v = tlsVersionFromWire(wire);
    return QStringLiteral("0x%1 (%2)")
        .arg(wire, 4, 16, QLatin1Char('0'))
        .arg(v ? tlsVersionName(*v) : QStringLiteral("unknown"));
}

} // namespace certdeck::probe
