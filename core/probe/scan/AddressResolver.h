// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "dns/DnsExchange.h"
#include "probe/scan/ProbeResult.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>
#include <functional>
#include <optional>

namespace certdeck::probe {

/// How a name lookup ended, told apart because the remedy differs: a
/// missing record is fixed in the zone, a failing server by its operator.
enum class DnsOutcome
{
    Resolved,      ///< at least one A or AAAA address
    NoSuchName,    ///< NXDOMAIN: the name does not exist
    NoAddress,     ///< the name exists but has no A or AAAA record
    NotFound,      ///< system resolver: no such name or no address (it does not say which)
    ServerFailure, ///< SERVFAIL: the server could not resolve the name
    Refused,       ///< REFUSED: the server will not answer this question for us
    Timeout,       ///< the server did not answer in time
    Error,         ///< anything else (malformed answer, socket error, system resolver error)
};

/// "resolved", "nxdomain", "no-address", "not-found", "servfail", "refused",
/// "timeout", "error".
[[nodiscard]] QString dnsOutcomeName(DnsOutcome outcome);

/// The one address a single-node probe looks at: the first IPv4 address
/// (the common case for API endpoints, and what loopback fixtures listen
/// on), else the first address; null when there is none.
[[nodiscard]] QHostAddress preferredAddress(const QList<QHostAddress>& addresses);

/// The addresses behind a name, or why there are none.
struct AddressResolution
{
    QString host;
    /// Who was asked: "system resolver" or "DNS server 127.0.0.1 port 53".
    QString resolver;
    DnsOutcome outcome = DnsOutcome::Error;
    /// IPv4 first, then IPv6, each family sorted (servers rotate their
    /// answers), no duplicates.
    QList<QHostAddress> addresses;
    /// CNAMEs followed on the way, in order (explicit DNS server only).
    QStringList aliases;
    /// Set unless resolved: kind DnsFailure, step "resolve", a plain message
    /// naming the outcome, the server's evidence in `detail`.
    std::optional<ProbeFailure> failure;
};

/// "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 literal; port 53 by default.
[[nodiscard]] Result<dns::DnsServer> parseDnsServer(const QString& text);

/// Finds every A and AAAA address of a host on the caller's event loop.
/// Without a server, the system resolver (getaddrinfo semantics: /etc/hosts
/// and nsswitch apply). With one, A and AAAA questions go to that server
/// (UDP, TCP on truncation) and CNAMEs are followed, up to 8 of them; this
/// tells NXDOMAIN, no address, SERVFAIL, REFUSED and timeouts apart. An IP
/// literal resolves to itself. `done` is called once, unless `context` is
/// destroyed first.
class AddressResolver : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const AddressResolution&)>;

    static void resolve(const QString& host, const std::optional<dns::DnsServer>& server,
                        int timeoutMs, QObject* context, Done done);

private:
    AddressResolver(const QString& host, const dns::DnsServer& server, int timeoutMs,
                    QObject* context, Done done);
    void ask(const QString& name, quint16 type, int hops);
    void onAnswer(const QString& name, quint16 type, int hops, const Result<QByteArray>& answer);
    void queryEnded(quint16 type, DnsOutcome outcome, const QString& evidence);
    void finish();

    QString m_host;
    dns::DnsServer m_server;
    int m_timeoutMs;
    Done m_done;
    int m_pending = 0;
    QList<QHostAddress> m_v4;
    QList<QHostAddress> m_v6;
    QStringList m_aliases;
    /// Per question type (A, AAAA): how it ended, and the server's words.
    QList<std::pair<DnsOutcome, QString>> m_ends;
};

} // namespace certdeck::probe
