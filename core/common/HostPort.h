// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>

namespace certdeck {

/// A host and a port as a user or a file wrote them, checked and in the form
/// the engine connects to. The one parser of "host:port" text: the CLI, the
/// served-chain fetcher, the importers and the console's fields all use it,
/// so the same text means the same endpoint everywhere.
struct HostPort
{
    /// What to resolve and send as SNI: a lower-case DNS name in ASCII
    /// (ACE, "xn--bcher-kva.example" for "bücher.example"), or an IP address
    /// without brackets ("2001:db8::1").
    QString host;
    /// The host for people: the Unicode form of an IDN, else the same as `host`.
    QString displayHost;
    quint16 port = 0;
    bool portGiven = false; ///< the text named a port; else `port` is the default
    bool isAddress = false; ///< `host` is an IPv4 or IPv6 literal

    /// "host:port" with an IPv6 address in brackets ("[2001:db8::1]:443").
    [[nodiscard]] QString authority() const;
};

/// Parses `host`, `host:port`, `[IPv6]`, `[IPv6]:port` or a bare IPv6
/// literal; an internationalized name becomes its ASCII form (QUrl::toAce)
/// with the Unicode form kept for display; a trailing dot is dropped.
/// `defaultPort` is used when no port is given.
///
/// Refused, with a message that quotes `text`: an empty host or port
/// ("host:"), a port that is not a number from 1 to 65535, any white space,
/// `a:b:c` that is not an IPv6 address, brackets around something that is
/// not one, wildcards, and names that are not valid host names (labels of
/// letters, digits, '-' and '_', at most 63 characters each, 253 in all).
[[nodiscard]] Result<HostPort> parseHostPort(const QString& text, quint16 defaultPort);

/// An IP address with an optional port (a DNS server, a listen address):
/// the text parseHostPort() accepts, whose host is an IPv4 or IPv6 literal.
/// A name is refused ("\"ns1.example:53\": \"ns1.example\" is not an IP
/// address"): these are used before any resolver is.
[[nodiscard]] Result<HostPort> parseAddressPort(const QString& text, quint16 defaultPort);

/// A host without a port (an SNI name, a CSV "host" cell): the same rules
/// as parseHostPort(), and a ':' is only allowed inside an IPv6 address.
/// Returns the form to connect to (lower-case ACE, or the IP address).
[[nodiscard]] Result<QString> parseHostName(const QString& text);

/// A port on its own (a CSV "port" cell): digits only, 1 to 65535. The
/// message says what is wrong ("port 70000 is out of range (1-65535)") and
/// leaves naming the place to the caller.
[[nodiscard]] Result<quint16> parsePortNumber(const QString& text);

} // namespace certdeck
