// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/scan/AddressResolver.h"

#include "common/ByteReader.h"
#include "common/HostPort.h"
#include "dns/DnsMessage.h"

#include <QHostInfo>
#include <QRandomGenerator>
#include <algorithm>

namespace certdeck::probe {

namespace {

constexpr int kMaxCnameHops = 8;

quint16 randomId()
{
    return static_cast<quint16>(QRandomGenerator::system()->bounded(1, 65536));
}

QString typeName(quint16 type)
{
    return type == dns::RrType::Aaaa ? QStringLiteral("AAAA") : QStringLiteral("A");
}

QString normalized(const QString& name)
{
    QString n = name.toLower();
    if (n.endsWith(u'.')) {
        n.chop(1);
    }
    return n;
}

// IPv4 first (what the single-address prober chose before, and what most
// API clients try first), then IPv6, each sorted: servers rotate their
// answers, and the nodes of one name should line up the same in every
// report and history record. Duplicates dropped.
QList<QHostAddress> ordered(const QList<QHostAddress>& in)
{
    QList<QHostAddress> v4;
    QList<QHostAddress> v6;
    for (const QHostAddress& a : in) {
        QList<QHostAddress>& family = a.protocol() == QAbstractSocket::IPv4Protocol ? v4 : v6;
        if (!family.contains(a)) {
            family.append(a);
        }
    }
    std::sort(v4.begin(), v4.end(), [](const QHostAddress& a, const QHostAddress& b) {
        return a.toIPv4Address() < b.toIPv4Address();
    });
    std::sort(v6.begin(), v6.end(), [](const QHostAddress& a, const QHostAddress& b) {
        const Q_IPV6ADDR x = a.toIPv6Address();
        const Q_IPV6ADDR y = b.toIPv6Address();
        return std::lexicographical_compare(x.c, x.c + 16, y.c, y.c + 16);
    });
    return v4 + v6;
}

ProbeFailure dnsFailure(const QString& message, const QString& detail)
{
    return ProbeFailure{ProbeFailureKind::DnsFailure, QStringLiteral("resolve"), message, detail};
}

void resolveWithSystem(const QString& host, QObject* context, const AddressResolver::Done& done)
{
    QHostInfo::lookupHost(host, context, [host, done](const QHostInfo& info) {
        AddressResolution r;
        r.host = host;
        r.resolver = QStringLiteral("system resolver");
        r.addresses = ordered(info.addresses());
        if (!r.addresses.isEmpty()) {
            r.outcome = DnsOutcome::Resolved;
        } else if (info.error() == QHostInfo::NoError || info.error() == QHostInfo::HostNotFound) {
            r.outcome = DnsOutcome::NotFound;
            r.failure = dnsFailure(
                QStringLiteral("%1 not found: the system resolver has no address for it (no such "
                               "name, or no A/AAAA record)")
                    .arg(host),
                info.errorString());
        } else {
            r.outcome = DnsOutcome::Error;
            r.failure = dnsFailure(QStringLiteral("the system resolver failed for %1: %2")
                                       .arg(host, info.errorString()),
                                   info.errorString());
        }
        done(r);
    });
}

} // namespace

QString dnsOutcomeName(DnsOutcome outcome)
{
    switch (outcome) {
    case DnsOutcome::Resolved:
        return QStringLiteral("resolved");
    case DnsOutcome::NoSuchName:
        return QStringLiteral("nxdomain");
    case DnsOutcome::NoAddress:
        return QStringLiteral("no-address");
    case DnsOutcome::NotFound:
        return QStringLiteral("not-found");
    case DnsOutcome::ServerFailure:
        return QStringLiteral("servfail");
    case DnsOutcome::Refused:
        return QStringLiteral("refused");
    case DnsOutcome::Timeout:
        return QStringLiteral("timeout");
    case DnsOutcome::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("error");
}

Result<dns::DnsServer> parseDnsServer(const QString& text)
{
    // The shared parser also refuses inet_aton shorthands ("1.2.3" is
    // 1.2.0.3): a typo must not send queries to a stranger.
    auto hp = parseAddressPort(text, 53);
    if (!hp) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("DNS server %1").arg(hp.error().message));
    }
    return dns::DnsServer{QHostAddress(hp->host), hp->port};
}

void AddressResolver::resolve(const QString& host, const std::optional<dns::DnsServer>& server,
                              int timeoutMs, QObject* context, Done done)
{
    const QHostAddress literal(host);
    if (!literal.isNull()) {
        AddressResolution r;
        r.host = host;
        r.resolver = QStringLiteral("literal address");
        r.outcome = DnsOutcome::Resolved;
        r.addresses = {literal};
        // Queued like a real lookup: the caller is never re-entered.
        QMetaObject::invokeMethod(
            context, [r, done] { done(r); }, Qt::QueuedConnection);
        return;
    }
    if (!server) {
        resolveWithSystem(host, context, done);
        return;
    }
    auto* self = new AddressResolver(host, *server, timeoutMs, context, std::move(done));
    self->m_pending = 2;
    self->ask(normalized(host), dns::RrType::A, 0);
    self->ask(normalized(host), dns::RrType::Aaaa, 0);
}

AddressResolver::AddressResolver(const QString& host, const dns::DnsServer& server, int timeoutMs,
                                 QObject* context, Done done)
    : QObject(context) // dies with its context, without calling back
    , m_host(host)
    , m_server(server)
    , m_timeoutMs(timeoutMs)
    , m_done(std::move(done))
{}

void AddressResolver::ask(const QString& name, quint16 type, int hops)
{
    dns::DnsMessage q;
    q.id = randomId();
    // RD: a recursive resolver resolves for us; an authoritative one ignores it.
    q.flags = dns::DnsMessage::RdFlag;
    q.questions << dns::DnsQuestion{name, type, dns::RrClass::In};
    const auto wire = q.encode();
    if (!wire) {
        queryEnded(type, DnsOutcome::Error, wire.error().message);
        return;
    }
    dns::DnsExchange::run(m_server, *wire, m_timeoutMs, this,
                          [this, name, type, hops](const Result<QByteArray>& answer) {
                              onAnswer(name, type, hops, answer);
                          });
}

void AddressResolver::onAnswer(const QString& name, quint16 type, int hops,
                               const Result<QByteArray>& answer)
{
    if (!answer) {
        queryEnded(type,
                   answer.error().code == ErrorCode::Timeout ? DnsOutcome::Timeout
                                                             : DnsOutcome::Error,
                   answer.error().message);
        return;
    }
    const auto msg = dns::DnsMessage::decode(*answer);
    if (!msg) {
        queryEnded(type, DnsOutcome::Error, msg.error().message);
        return;
    }
    const QString evidence =
        QStringLiteral("%1 %2 answered %3")
            .arg(typeName(type), name, dns::DnsMessage::rcodeName(msg->rcode()));
    switch (msg->rcode()) {
    case 0:
        break;
    case 2:
        queryEnded(type, DnsOutcome::ServerFailure, evidence);
        return;
    case 3:
        queryEnded(type, DnsOutcome::NoSuchName, evidence);
        return;
    case 5:
        queryEnded(type, DnsOutcome::Refused, evidence);
        return;
    default:
        queryEnded(type, DnsOutcome::Error, evidence);
        return;
    }
    // Walk the CNAME chain inside the answer; ask again for its end when the
    // server did not include the target's records.
    QString current = name;
    int followed = hops;
    bool found = false;
    for (int step = 0; step <= kMaxCnameHops; ++step) {
        bool aliased = false;
        for (const dns::DnsRecord& rec : msg->answers) {
            if (rec.name != current || rec.rrClass != dns::RrClass::In) {
                continue;
            }
            if (rec.type == type) {
                const QByteArray& d = rec.rdata;
                if (type == dns::RrType::A && d.size() == 4) {
                    const QHostAddress a(ByteReader(d).u32().value_or(0));
                    if (!m_v4.contains(a)) {
                        m_v4.append(a);
                    }
                    found = true;
                } else if (type == dns::RrType::Aaaa && d.size() == 16) {
                    const QHostAddress a(reinterpret_cast<const quint8*>(d.constData()));
                    if (!m_v6.contains(a)) {
                        m_v6.append(a);
                    }
                    found = true;
                }
            } else if (rec.type == dns::RrType::Cname && !aliased) {
                if (++followed > kMaxCnameHops) {
                    queryEnded(type, DnsOutcome::Error,
                               QStringLiteral("more than %1 CNAMEs from %2")
                                   .arg(kMaxCnameHops)
                                   .arg(m_host));
                    return;
                }
                if (!m_aliases.contains(rec.target)) {
                    m_aliases.append(rec.target);
                }
                current = rec.target;
                aliased = true;
            }
        }
        if (found || !aliased) {
            break;
        }
    }
    if (!found && current != name) {
        ask(current, type, followed); // the chain's end, asked for itself
        return;
    }
    queryEnded(type, found ? DnsOutcome::Resolved : DnsOutcome::NoAddress, evidence);
}

void AddressResolver::queryEnded(quint16 type, DnsOutcome outcome, const QString& evidence)
{
    Q_UNUSED(type)
    m_ends.append({outcome, evidence});
    if (--m_pending == 0) {
        // Queued: an answer can end synchronously (a name that does not fit
        // DNS), and the caller is never re-entered from resolve().
        QMetaObject::invokeMethod(this, &AddressResolver::finish, Qt::QueuedConnection);
    }
}

void AddressResolver::finish()
{
    AddressResolution r;
    r.host = m_host;
    r.resolver = QStringLiteral("DNS server %1").arg(m_server.toString());
    r.addresses = ordered(m_v4 + m_v6);
    r.aliases = m_aliases;
    QStringList evidence;
    for (const auto& end : std::as_const(m_ends)) {
        evidence << end.second;
    }
    const auto any = [this](DnsOutcome o) {
        return std::any_of(m_ends.cbegin(), m_ends.cend(),
                           [o](const auto& end) { return end.first == o; });
    };
    // An address wins (the other family may fail on a server that never
    // heard of AAAA); NXDOMAIN holds for every type; then the server's own
    // trouble; only a clean empty answer means "no address".
    if (!r.addresses.isEmpty()) {
        r.outcome = DnsOutcome::Resolved;
    } else if (any(DnsOutcome::NoSuchName)) {
        r.outcome = DnsOutcome::NoSuchName;
    } else {
        r.outcome = DnsOutcome::NoAddress;
        for (DnsOutcome o : {DnsOutcome::Timeout, DnsOutcome::ServerFailure, DnsOutcome::Refused,
                             DnsOutcome::Error}) {
            if (any(o)) {
                r.outcome = o;
                break;
            }
        }
    }
    const QString who = r.resolver;
    evidence.removeDuplicates();
    const QString detail = evidence.join(QStringLiteral("; "));
    switch (r.outcome) {
    case DnsOutcome::Resolved:
        break;
    case DnsOutcome::NoSuchName:
        r.failure = dnsFailure(
            QStringLiteral("no such name: %1 does not exist (NXDOMAIN from %2)").arg(m_host, who),
            detail);
        break;
    case DnsOutcome::NoAddress:
        r.failure = dnsFailure(
            QStringLiteral("%1 has no A or AAAA record (asked %2)").arg(m_host, who), detail);
        break;
    case DnsOutcome::ServerFailure:
        r.failure =
            dnsFailure(QStringLiteral("%1 answered SERVFAIL for %2: it could not resolve the name")
                           .arg(who, m_host),
                       detail);
        break;
    case DnsOutcome::Refused:
        r.failure = dnsFailure(
            QStringLiteral("%1 REFUSED to answer for %2 (not its zone, and no recursion for us)")
                .arg(who, m_host),
            detail);
        break;
    case DnsOutcome::Timeout:
        r.failure = dnsFailure(
            QStringLiteral("%1 did not answer for %2 in time (DNS timeout)").arg(who, m_host),
            detail);
        break;
    case DnsOutcome::NotFound:
    case DnsOutcome::Error:
        r.failure = dnsFailure(
            QStringLiteral("resolving %1 with %2 failed: %3").arg(m_host, who, evidence.value(0)),
            detail);
        break;
    }
    Done done = std::move(m_done);
    deleteLater();
    done(r);
}

QHostAddress preferredAddress(const QList<QHostAddress>& addresses)
{
    for (const QHostAddress& a : addresses) {
        if (a.protocol() == QAbstractSocket::IPv4Protocol) {
            return a;
        }
    }
    return addresses.isEmpty() ? QHostAddress() : addresses.constFirst();
}

} // namespace certdeck::probe
