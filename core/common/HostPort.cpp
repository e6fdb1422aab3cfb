// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/HostPort.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>
#include <algorithm>

namespace certdeck {

namespace {

tl::unexpected<Error> refuse(const QString& text, const QString& why)
{
    return fail(ErrorCode::InvalidInput, QStringLiteral("\"%1\": %2").arg(text, why));
}

Result<quint16> parsePort(const QString& text, const QString& portText)
{
    if (portText.isEmpty()) {
        return refuse(text, QStringLiteral("the port after ':' is empty"));
    }
    auto port = parsePortNumber(portText);
    if (!port) {
        return refuse(text, port.error().message);
    }
    return port;
}

struct Host
{
    QString host;
    QString display;
    bool isAddress = false;
};

Result<Host> parseIpv6(const QString& text, const QString& literal)
{
    QHostAddress a;
    if (!a.setAddress(literal) || a.protocol() != QAbstractSocket::IPv6Protocol) {
        return refuse(text, QStringLiteral("\"%1\" is not an IPv6 address").arg(literal));
    }
    const QString s = a.toString();
    return Host{s, s, true};
}

/// A name or an IPv4 literal; `name` holds no ':'.
Result<Host> parseNameOrIpv4(const QString& text, const QString& name)
{
    if (name.isEmpty()) {
        return refuse(text, QStringLiteral("the host is empty"));
    }
    // Only digits and dots: an IPv4 address in full, never a bare number
    // ("10", "10.1") that resolvers would read as something else.
    static const QRegularExpression dotted(QStringLiteral("^[0-9][0-9.]*$"));
    if (dotted.match(name).hasMatch()) {
        QHostAddress a;
        if (name.count(u'.') != 3 || !a.setAddress(name) ||
            a.protocol() != QAbstractSocket::IPv4Protocol) {
            return refuse(text, QStringLiteral("\"%1\" is not an IPv4 address").arg(name));
        }
        const QString s = a.toString();
        return Host{s, s, true};
    }
    QString n = name;
    if (n.endsWith(u'.')) {
        n.chop(1); // the root label: "example.com." is "example.com"
    }
    if (n.contains(u'*')) {
        return refuse(text, QStringLiteral("\"%1\" is a wildcard, not a host").arg(name));
    }
    // toAce() is empty for names IDNA refuses (bad code points, long labels).
    const QString ace = QString::fromLatin1(QUrl::toAce(n)).toLower();
    if (n.isEmpty() || ace.isEmpty() || ace.size() > 253) {
        return refuse(text, QStringLiteral("\"%1\" is not a valid host name").arg(name));
    }
    // Letters, digits, '-' inside a label; '_' for the service names
    // (_acme-challenge) internal DNS uses.
    static const QRegularExpression label(
        QStringLiteral("^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$"));
    for (const QString& l : ace.split(u'.')) {
        if (!label.match(l).hasMatch()) {
            return refuse(text, QStringLiteral("\"%1\" is not a valid host name").arg(name));
        }
    }
    // A name written in Unicode is shown as written (normalised); one written
    // in ACE stays in ACE, as the user chose.
    bool ascii = true;
    for (const QChar c : n) {
        ascii = ascii && c.unicode() < 0x80;
    }
    const QString display =
        ascii ? ace : QUrl::fromAce(ace.toLatin1(), QUrl::IgnoreIDNWhitelist).toLower();
    return Host{ace, display.isEmpty() ? ace : display, false};
}

} // namespace

QString HostPort::authority() const
{
    const QString h = host.contains(u':') ? u'[' + host + u']' : host;
    return h + u':' + QString::number(port);
}

Result<HostPort> parseHostPort(const QString& text, quint16 defaultPort)
{
    for (const QChar c : text) {
        if (c.isSpace()) {
            return text.trimmed().isEmpty()
                       ? refuse(text, QStringLiteral("the host is empty"))
                       : refuse(text, QStringLiteral("a host and port hold no spaces"));
        }
    }
    if (text.isEmpty()) {
        return refuse(text, QStringLiteral("the host is empty"));
    }
    if (text.contains(QLatin1String("://"))) {
        return refuse(text, QStringLiteral("a URL, not HOST[:PORT]"));
    }
    HostPort out;
    out.port = defaultPort;
    Result<Host> host = Host{};
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0) {
            return refuse(text, QStringLiteral("the IPv6 address has no closing ']'"));
        }
        host = parseIpv6(text, text.mid(1, close - 1));
        if (!host) {
            return tl::unexpected(host.error());
        }
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(u':')) {
                return refuse(text,
                              QStringLiteral("expected ':PORT' after ']', not \"%1\"").arg(rest));
            }
            auto port = parsePort(text, rest.mid(1));
            if (!port) {
                return tl::unexpected(port.error());
            }
            out.port = *port;
            out.portGiven = true;
        }
    } else if (text.count(u':') > 1) {
        // Several colons: only an IPv6 address can have them.
        QHostAddress a;
        if (!a.setAddress(text) || a.protocol() != QAbstractSocket::IPv6Protocol) {
            return refuse(text, QStringLiteral("neither HOST:PORT nor an IPv6 address (write "
                                               "[ADDRESS]:PORT for IPv6 with a port)"));
        }
        host = parseIpv6(text, text);
    } else if (text.contains(u':')) {
        host = parseNameOrIpv4(text, text.section(u':', 0, 0));
        if (host) {
            auto port = parsePort(text, text.section(u':', 1));
            if (!port) {
                return tl::unexpected(port.error());
            }
            out.port = *port;
            out.portGiven = true;
        }
    } else {
        host = parseNameOrIpv4(text, text);
    }
    if (!host) {
        return tl::unexpected(host.error());
    }
    out.host = host->host;
    out.displayHost = host->display;
    out.isAddress = host->isAddress;
    return out;
}

Result<HostPort> parseAddressPort(const QString& text, quint16 defaultPort)
{
    auto hp = parseHostPort(text, defaultPort);
    if (hp && !hp->isAddress) {
        return refuse(text, QStringLiteral("\"%1\" is not an IP address").arg(hp->displayHost));
    }
    return hp;
}

Result<quint16> parsePortNumber(const QString& text)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    if (!digits.match(text).hasMatch()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("port \"%1\" is not a number").arg(text));
    }
    bool ok = false;
    const qulonglong v = text.toULongLong(&ok);
    if (!ok || v < 1 || v > 65535) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("port %1 is out of range (1-65535)").arg(text));
    }
    return quint16(v);
}

Result<QString> parseHostName(const QString& text)
{
    const bool blank = std::any_of(text.cbegin(), text.cend(), [](QChar c) { return c.isSpace(); });
    if (!blank && text.contains(u':') && !text.startsWith(u'[')) {
        QHostAddress a;
        if (!a.setAddress(text) || a.protocol() != QAbstractSocket::IPv6Protocol) {
            return refuse(text, QStringLiteral("a host name holds no ':' (no port here)"));
        }
    }
    auto hp = parseHostPort(text, 1);
    if (!hp) {
        return tl::unexpected(hp.error());
    }
    if (hp->portGiven) {
        return refuse(text, QStringLiteral("a host name holds no port here"));
    }
    return hp->host;
}

} // namespace certdeck
