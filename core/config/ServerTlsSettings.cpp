// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/ServerTlsSettings.h"

#include "common/HostPort.h"

#include <QFileInfo>
#include <QHostAddress>

namespace certdeck::config {

QString serverSoftwareId(ServerSoftware server)
{
    switch (server) {
    case ServerSoftware::Nginx:
        return QStringLiteral("nginx");
    case ServerSoftware::Haproxy:
        return QStringLiteral("haproxy");
    case ServerSoftware::Apache:
        return QStringLiteral("apache");
    case ServerSoftware::Envoy:
        return QStringLiteral("envoy");
    }
    return {};
}

QStringList serverSoftwareIds()
{
    return {QStringLiteral("nginx"), QStringLiteral("haproxy"), QStringLiteral("apache"),
            QStringLiteral("envoy")};
}

Result<ServerSoftware> parseServerSoftware(const QString& text)
{
    const QString t = text.trimmed().toLower();
    for (ServerSoftware s : {ServerSoftware::Nginx, ServerSoftware::Haproxy, ServerSoftware::Apache,
                             ServerSoftware::Envoy}) {
        if (serverSoftwareId(s) == t) {
            return s;
        }
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("unknown server '%1' (allowed: %2)")
                    .arg(text, serverSoftwareIds().join(QStringLiteral(", "))));
}

QString ServerTlsSettings::effectiveChainFile() const
{
    return chainFile.isEmpty() ? certificateFile : chainFile;
}

QString ServerTlsSettings::effectiveCombinedPemFile() const
{
    if (!combinedPemFile.isEmpty()) {
        return combinedPemFile;
    }
    const QString dir = QFileInfo(certificateFile).path();
    return (dir == QLatin1String("/") ? QString() : dir) + QStringLiteral("/haproxy.pem");
}

QString ServerTlsSettings::listenText() const
{
    if (listenAddress.isEmpty()) {
        return QString::number(listenPort);
    }
    const bool v6 = listenAddress.contains(u':');
    return (v6 ? u'[' + listenAddress + u']' : listenAddress) + u':' + QString::number(listenPort);
}

Status parseListen(const QString& text, ServerTlsSettings* settings)
{
    const QString t = text.trimmed();
    const auto bad = [&](const QString& why) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("listen address '%1' is not usable: %2").arg(text, why));
    };
    if (t.isEmpty()) {
        return bad(QStringLiteral("it is empty"));
    }
    // "443" and "*:443" listen on every address.
    const bool digitsOnly = std::all_of(t.cbegin(), t.cend(), [](QChar c) { return c.isDigit(); });
    if (digitsOnly || t.startsWith(QLatin1String("*:"))) {
        auto port = parsePortNumber(digitsOnly ? t : t.mid(2));
        if (!port) {
            return bad(port.error().message);
        }
        settings->listenAddress.clear();
        settings->listenPort = *port;
        return {};
    }
    auto hp = parseAddressPort(t, 443);
    if (!hp) {
        return bad(hp.error().message);
    }
    if (!hp->portGiven) {
        return bad(QStringLiteral("it names no port (ADDR:PORT)"));
    }
    settings->listenAddress = hp->host;
    settings->listenPort = hp->port;
    return {};
}

namespace {

Status checkPath(const QString& what, const QString& path, bool required)
{
    if (path.isEmpty()) {
        if (required) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("the %1 path is missing").arg(what));
        }
        return {};
    }
    if (!path.startsWith(u'/')) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the %1 path '%2' is not absolute (servers resolve relative "
                                   "paths against their own folders)")
                        .arg(what, path));
    }
    // These would end a directive early or open a new one in some server's
    // syntax: a path is written into the configuration as is.
    static const QString forbidden = QStringLiteral("\"'`;#{}$\\");
    for (QChar c : path) {
        if (c.isSpace() || c.category() == QChar::Other_Control || forbidden.contains(c)) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("the %1 path '%2' contains '%3', which a server "
                                       "configuration cannot hold safely")
                            .arg(what, path,
                                 c.isPrint() ? QString(c)
                                             : QStringLiteral("\\x%1").arg(c.unicode(), 2, 16,
                                                                           QLatin1Char('0'))));
        }
    }
    return {};
}

} // namespace

Status checkSettings(const ServerTlsSettings& s)
{
    if (s.serverNames.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("no server name given"));
    }
    for (const QString& name : s.serverNames) {
        // A wildcard name is allowed in server_name; the rest must be a host name.
        const QString bare = name.startsWith(QLatin1String("*.")) ? name.mid(2) : name;
        auto parsed = parseHostName(bare);
        if (!parsed) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("server name '%1' is not usable").arg(name),
                        parsed.error().message);
        }
    }
    if (!s.listenAddress.isEmpty() && QHostAddress(s.listenAddress).isNull()) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("listen address '%1' is not an IP address").arg(s.listenAddress));
    }
    if (s.listenPort == 0) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("listen port 0 is not usable"));
    }
    const std::pair<const char*, const QString*> paths[] = {
        {"certificate", &s.certificateFile},
        {"key", &s.keyFile},
        {"chain", &s.chainFile},
        {"combined PEM", &s.combinedPemFile},
        {"dhparam", &s.dhparamFile},
        {"ticket key", &s.ticketKeyFile},
        {"Apache runtime folder", &s.apacheRuntimeDir}};
    for (const auto& [what, path] : paths) {
        const bool required = path == &s.certificateFile || path == &s.keyFile;
        if (Status ok = checkPath(QString::fromLatin1(what), *path, required); !ok) {
            return ok;
        }
    }
    if (s.hsts && s.hstsMaxAge < 0) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("HSTS max-age %1 is negative").arg(s.hstsMaxAge));
    }
    return {};
}

} // namespace certdeck::config
