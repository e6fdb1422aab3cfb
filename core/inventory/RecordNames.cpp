// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordNames.h"

#include <utility>

namespace certdeck::inventory {

namespace {

const QList<std::pair<ServerKind, QString>>& kinds()
{
    static const QList<std::pair<ServerKind, QString>> k = {
        {ServerKind::Unknown, QStringLiteral("unknown")},
        {ServerKind::Nginx, QStringLiteral("nginx")},
        {ServerKind::Haproxy, QStringLiteral("haproxy")},
        {ServerKind::Envoy, QStringLiteral("envoy")},
        {ServerKind::Apache, QStringLiteral("apache")},
        {ServerKind::Other, QStringLiteral("other")},
    };
    return k;
}

const QList<std::pair<VersionState, QString>>& states()
{
    static const QList<std::pair<VersionState, QString>> s = {
        {VersionState::Issued, QStringLiteral("issued")},
        {VersionState::Deployed, QStringLiteral("deployed")},
        {VersionState::Replaced, QStringLiteral("replaced")},
        {VersionState::RolledBack, QStringLiteral("rolled-back")},
    };
    return s;
}

const QList<std::pair<CertificateSource, QString>>& sources()
{
    static const QList<std::pair<CertificateSource, QString>> s = {
        {CertificateSource::Unknown, QStringLiteral("unknown")},
        {CertificateSource::Acme, QStringLiteral("acme")},
        {CertificateSource::LocalCa, QStringLiteral("local-ca")},
        {CertificateSource::Imported, QStringLiteral("imported")},
        {CertificateSource::Served, QStringLiteral("served")},
    };
    return s;
}

template <class E>
QString nameOf(const QList<std::pair<E, QString>>& table, E value)
{
    for (const auto& [v, n] : table) {
        if (v == value) {
            return n;
        }
    }
    return table.first().second;
}

template <class E>
std::optional<E> valueOf(const QList<std::pair<E, QString>>& table, const QString& name)
{
    for (const auto& [v, n] : table) {
        if (n.compare(name, Qt::CaseInsensitive) == 0) {
            return v;
        }
    }
    return std::nullopt;
}

} // namespace

QString serverKindName(ServerKind kind)
{
    return nameOf(kinds(), kind);
}

std::optional<ServerKind> serverKindFromName(const QString& name)
{
    return valueOf(kinds(), name);
}

QStringList serverKindNames()
{
    QStringList names;
    for (const auto& entry : kinds()) {
        names << entry.second;
    }
    return names;
}

QString versionStateName(VersionState state)
{
    return nameOf(states(), state);
}

std::optional<VersionState> versionStateFromName(const QString& name)
{
    return valueOf(states(), name);
}

QString certificateSourceName(CertificateSource source)
{
    return nameOf(sources(), source);
}

std::optional<CertificateSource> certificateSourceFromName(const QString& name)
{
    return valueOf(sources(), name);
}

QString keyProtectionName(KeyProtection protection)
{
    return protection == KeyProtection::OsKeyring ? QStringLiteral("os-keyring")
                                                  : QStringLiteral("master-passphrase");
}

std::optional<KeyProtection> keyProtectionFromName(const QString& name)
{
    if (name == QLatin1String("os-keyring")) {
        return KeyProtection::OsKeyring;
    }
    if (name == QLatin1String("master-passphrase")) {
        return KeyProtection::MasterPassphrase;
    }
    return std::nullopt;
}

QString endpointAddress(const QString& host, quint16 port)
{
    const QString h = host.contains(u':') ? u'[' + host + u']' : host;
    return h + u':' + QString::number(port);
}

QString deployTargetWhere(const DeployTarget& target)
{
    if (target.local) {
        return QStringLiteral("this machine");
    }
    const QString host = target.sshHost.trimmed();
    if (host.isEmpty()) {
        return QStringLiteral("SSH host not set");
    }
    QString s = target.sshUser.isEmpty() ? host : target.sshUser + u'@' + host;
    if (target.sshPort) {
        s = target.sshUser.isEmpty()
                ? endpointAddress(host, *target.sshPort)
                : target.sshUser + u'@' + endpointAddress(host, *target.sshPort);
    }
    return s;
}

} // namespace certdeck::inventory
