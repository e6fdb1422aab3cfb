// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaNameConstraints.h"

#include "crypto/OpenSslPtr.h"
#include "crypto/internal/IpOctets.h"

#include <QHostAddress>
#include <algorithm>

namespace certdeck::crypto::internal {

namespace {

/// "10.0.0.0/8" to OpenSSL's "10.0.0.0/255.0.0.0".
Result<QString> cidrToConf(const QString& cidr)
{
    const auto [addr, prefix] = QHostAddress::parseSubnet(cidr.trimmed());
    if (addr.isNull() || prefix < 0) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("name constraint 'IP:%1' is not an address range in CIDR form "
                                   "(10.0.0.0/8, fd00::/8)")
                        .arg(cidr));
    }
    if (addr.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 mask = prefix == 0 ? 0 : ~quint32(0) << (32 - prefix);
        return addr.toString() + u'/' + QHostAddress(mask).toString();
    }
    Q_IPV6ADDR m{};
    for (int i = 0; i < 16; ++i) {
        const int bits = qBound(0, prefix - i * 8, 8);
        m.c[i] = quint8(bits == 0 ? 0 : (0xff << (8 - bits)) & 0xff);
    }
    return addr.toString() + u'/' + QHostAddress(m).toString();
}

/// RFC 5280 4.2.1.10: ".example.com" matches names below it; "example.com"
/// matches itself and names below it.
bool dnsWithin(const QString& name, const QString& constraint)
{
    const QString n = name.toLower();
    const QString c = constraint.toLower();
    if (c.isEmpty()) {
        return true;
    }
    if (c.startsWith(u'.')) {
        return n.endsWith(c);
    }
    return n == c || n.endsWith(u'.' + c);
}

bool ipWithin(const QString& ip, const QString& cidr)
{
    const QHostAddress a(ip);
    return a.isInSubnet(QHostAddress::parseSubnet(cidr));
}

} // namespace

Result<QString> CaNameConstraints::toConfValue(const QStringList& dns, const QStringList& ipCidrs)
{
    QStringList nc;
    for (const QString& raw : dns) {
        QString v = raw.trimmed();
        const QString bare = v.startsWith(u'.') ? v.mid(1) : v;
        if (bare.contains(u'*') || !SubjectAltName{SubjectAltName::Type::Dns, bare}.validate()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("name constraint 'DNS:%1' is not a domain name "
                                       "(internal.example or .internal.example)")
                            .arg(raw));
        }
        nc << QStringLiteral("permitted;DNS:") + v;
    }
    for (const QString& cidr : ipCidrs) {
        auto conf = cidrToConf(cidr);
        if (!conf) {
            return tl::unexpected(conf.error());
        }
        nc << QStringLiteral("permitted;IP:") + *conf;
    }
    if (!dns.isEmpty() && ipCidrs.isEmpty()) {
        // Without this, a certificate for any IP address would be valid
        // under a CA meant for one DNS domain.
        nc << QStringLiteral("excluded;IP:0.0.0.0/0.0.0.0") << QStringLiteral("excluded;IP:::/::");
    }

    return nc.isEmpty() ? QString() : QStringLiteral("critical,") + nc.join(u',');
}

CaNameConstraints CaNameConstraints::fromCertificate(X509* cert)
{
    CaNameConstraints out;
    ossl::NameConstraintsPtr nc(static_cast<NAME_CONSTRAINTS*>(
        X509_get_ext_d2i(cert, NID_name_constraints, nullptr, nullptr)));
    if (!nc) {
        return out;
    }
    auto collect = [](STACK_OF(GENERAL_SUBTREE) * trees, QStringList & dns, QStringList & ips) {
        for (int i = 0; trees != nullptr && i < sk_GENERAL_SUBTREE_num(trees); ++i) {
            const GENERAL_NAME* base = sk_GENERAL_SUBTREE_value(trees, i)->base;
            if (base->type == GEN_DNS) {
                const ASN1_STRING* s = base->d.dNSName;
                dns << QString::fromLatin1(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                           ASN1_STRING_length(s));
            } else if (base->type == GEN_IPADD) {
                // An address and its mask, each 4 or 16 bytes.
                const QByteArrayView octets = octetsOf(base->d.iPAddress);
                const auto addr = ipAddressFromOctets(octets.first(octets.size() / 2));
                if (!addr || (octets.size() != 8 && octets.size() != 32)) {
                    continue;
                }
                int prefix = 0;
                for (const char m : octets.sliced(octets.size() / 2)) {
                    prefix += __builtin_popcount(static_cast<quint8>(m));
                }
                ips << addr->toString() + u'/' + QString::number(prefix);
            }
        }
    };
    QStringList ignoredDns;
    collect(nc->permittedSubtrees, out.permittedDns, out.permittedIp);
    collect(nc->excludedSubtrees, ignoredDns, out.excludedIp);
    return out;
}

Status CaNameConstraints::check(const QList<SubjectAltName>& sans, const QString& commonName) const
{
    auto dnsOk = [this](const QString& name) {
        if (permittedDns.isEmpty()) {
            return true;
        }
        for (const QString& c : permittedDns) {
            if (dnsWithin(name, c)) {
                return true;
            }
        }
        return false;
    };
    auto ipOk = [this](const QString& ip) {
        for (const QString& c : excludedIp) {
            if (ipWithin(ip, c)) {
                return false;
            }
        }
        if (permittedIp.isEmpty()) {
            return true;
        }
        for (const QString& c : permittedIp) {
            if (ipWithin(ip, c)) {
                return true;
            }
        }
        return false;
    };
    const QString allowed = QStringList(permittedDns + permittedIp).join(QStringLiteral(", "));
    for (const SubjectAltName& san : sans) {
        const bool ok = san.type == SubjectAltName::Type::Dns  ? dnsOk(san.value)
                        : san.type == SubjectAltName::Type::Ip ? ipOk(san.value)
                                                               : true;
        if (!ok) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("%1 is outside the CA's name constraints (allowed: %2); "
                               "nothing was signed")
                    .arg(san.toString(), allowed.isEmpty() ? QStringLiteral("none") : allowed));
        }
    }
    // Verifiers check a host-like CN against DNS constraints as well.
    if (!permittedDns.isEmpty() && commonName.contains(u'.') &&
        SubjectAltName{SubjectAltName::Type::Dns, commonName}.validate() && !dnsOk(commonName)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("CN '%1' is outside the CA's name constraints (allowed: %2); "
                                   "nothing was signed")
                        .arg(commonName, allowed));
    }
    return {};
}

} // namespace certdeck::crypto::internal
