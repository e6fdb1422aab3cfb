// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/scan/TlsProber.h"

#include "probe/internal/HandshakeAttempt.h"
#include "probe/internal/Log.h"
#include "probe/scan/AddressResolver.h"
#include "probe/scan/ConnectionBudget.h"
#include "probe/wire/CipherSuiteRegistry.h"
#include "probe/wire/ClientHello.h"
#include "probe/wire/NamedGroup.h"

#include <QHostInfo>
#include <QSet>
#include <algorithm>

namespace certdeck::probe {

using internal::AttemptOutcome;
using internal::HandshakeAttempt;

struct TlsProber::Request
{
    ClientHelloSpec spec;
    ServerReplyParser::Goal goal = ServerReplyParser::Goal::ServerHello;
    std::function<void(const AttemptOutcome&)> done;
};

struct TlsProber::Enumeration
{
    TlsVersion version = TlsVersion::Tls12;
    QList<quint16> remaining;
    QList<quint16> accepted;
    QString refusal;
    std::optional<bool> secureRenegotiation;
    quint8 compression = 0;
};

namespace {

// Groups offered while enumerating suites: every group a server might insist
// on for its ECDHE/DHE suites, legacy curves included, so a suite is never
// missed for lack of a curve.
QList<quint16> enumerationGroups()
{
    QList<quint16> groups = probedGroups();
    groups << 26 << 27 << 28 << 22 << 21;
    return groups;
}

// Errors that say the endpoint cannot be reached at all: no point going on.
bool isFatal(const ProbeFailure& f)
{
    return f.kind == ProbeFailureKind::Refused || f.kind == ProbeFailureKind::Unreachable ||
           (f.kind == ProbeFailureKind::Timeout && f.step == QLatin1String("connect"));
}

QString suitesPhase(TlsVersion v)
{
    return tlsVersionName(v) + QStringLiteral(" suites");
}

bool isChaCha(quint16 code)
{
    const CipherSuite* s = CipherSuiteRegistry::instance().find(code);
    return s != nullptr && s->cipher == QLatin1String("CHACHA20_POLY1305");
}

// OpenSSL with SSL_OP_PRIORITIZE_CHACHA (HAProxy's default) moves ChaCha20 to
// the top of its own order when the client's first suite is a ChaCha20 one:
// a ClientHello meant to see the server's order must not start with one. A
// suite OpenSSL knows by name stands first instead (one it does not know is
// dropped from the list before that test).
void avoidChaChaFirst(QList<quint16>& offer)
{
    if (offer.isEmpty() || !isChaCha(offer.constFirst())) {
        return;
    }
    const auto& registry = CipherSuiteRegistry::instance();
    for (qsizetype i = 1; i < offer.size(); ++i) {
        const CipherSuite* s = registry.find(offer.at(i));
        if (s != nullptr && !isChaCha(s->code) && !s->opensslName.isEmpty()) {
            offer.move(i, 0);
            return;
        }
    }
}

// A suite every OpenSSL build knows and `accepted` lacks, not ChaCha20: put
// first in an offer, it keeps OpenSSL's ChaCha20 rule asleep while the
// server skips it.
std::optional<quint16> knownUnacceptedSuite(TlsVersion version, const QList<quint16>& accepted)
{
    static const QList<quint16> tls13 = {0x1301, 0x1302, 0x1304};
    static const QList<quint16> legacy = {0xC02F, 0xC030, 0xC02B, 0xC02C,
                                          0x009C, 0x009D, 0x002F, 0x0035};
    for (quint16 code : version == TlsVersion::Tls13 ? tls13 : legacy) {
        if (!accepted.contains(code)) {
            return code;
        }
    }
    return std::nullopt;
}

} // namespace

TlsProber::TlsProber(ProbeTarget target, ProbeOptions options, QObject* parent)
    : TypedOperation<ProbeResult>(parent)
    , m_target(std::move(target))
    , m_options(std::move(options))
{
    m_options.maxConnections = std::max(1, m_options.maxConnections);
    m_result.host = m_target.host;
    m_result.port = m_target.port;
    if (!m_target.sni.isEmpty()) {
        m_sni = m_target.sni;
    } else if (QHostAddress(m_target.host).isNull()) {
        m_sni = m_target.host;
    }
    m_result.sni = m_sni;
}

TlsProber::~TlsProber()
{
    // Attempts still open die with us (children): give their slots back,
    // without hearing our own released() while half destroyed.
    m_aborted = true;
    if (m_options.budget) {
        disconnect(m_options.budget.get(), nullptr, this, nullptr);
    }
    for (qsizetype i = 0; i < m_active.size(); ++i) {
        releaseSlot();
    }
}

void TlsProber::onStart()
{
    m_clock.start();
    if (m_target.host.isEmpty() && m_target.address.isEmpty()) {
        recordFailure({ProbeFailureKind::Other,
                       QStringLiteral("target"),
                       QStringLiteral("no host to probe"),
                       {}},
                      QString());
        m_openTasks = 0;
        maybeFinish();
        return;
    }
    const QString literal = m_target.address.isEmpty() ? m_target.host : m_target.address;
    const QHostAddress direct(literal);
    if (!direct.isNull()) {
        begin(direct);
        return;
    }
    if (!m_target.address.isEmpty()) {
        recordFailure({ProbeFailureKind::Other,
                       QStringLiteral("target"),
                       QStringLiteral("\"%1\" is not an IP address").arg(m_target.address),
                       {}},
                      QString());
        maybeFinish();
        return;
    }
    ++m_openTasks; // the lookup
    reportProgress(QStringLiteral("resolve"), 0.0,
                   QStringLiteral("Resolving %1").arg(m_target.host));
    QHostInfo::lookupHost(m_target.host, this, [this](const QHostInfo& info) {
        --m_openTasks;
        if (isEnding()) {
            return;
        }
        // One address per probe (IPv4 first), the same for the prober and the
        // inspector; EndpointProber probes every node.
        const QHostAddress chosen = preferredAddress(info.addresses());
        if (info.error() != QHostInfo::NoError || chosen.isNull()) {
            recordFailure({ProbeFailureKind::DnsFailure, QStringLiteral("resolve"),
                           QStringLiteral("cannot resolve %1").arg(m_target.host),
                           info.errorString()},
                          QString());
            maybeFinish();
            return;
        }
        begin(chosen);
    });
}

void TlsProber::begin(const QHostAddress& address)
{
    m_address = address;
    m_result.address = address.toString();
    qCDebug(lcProbe).noquote() << "probing" << m_result.address << "port" << m_target.port << "SNI"
                               << (m_sni.isEmpty() ? QStringLiteral("(none)") : m_sni);
    if (m_options.budget) {
        connect(m_options.budget.get(), &ConnectionBudget::released, this, &TlsProber::pump);
    }
    const auto& registry = CipherSuiteRegistry::instance();
    m_phasesTotal = static_cast<int>(m_options.versions.size()) + 1;
    for (TlsVersion v : allTlsVersions()) {
        ProtocolProbe p;
        p.version = v;
        m_result.protocols.append(p);
    }
    for (TlsVersion v : allTlsVersions()) {
        if (!m_options.versions.contains(v)) {
            continue;
        }
        auto e = std::make_shared<Enumeration>();
        e->version = v;
        e->remaining = registry.probeSuitesFor(v);
        ++m_enumerationsLeft;
        ++m_openTasks;
        enumerate(e);
    }
    if (m_enumerationsLeft == 0) {
        maybeFinish();
    }
}

ClientHelloSpec TlsProber::baseSpec(TlsVersion version) const
{
    ClientHelloSpec spec;
    spec.version = version;
    spec.serverName = m_sni;
    if (version == TlsVersion::Tls13) {
        spec.groups = probedGroups();
        spec.keyShares = {{static_cast<quint16>(NamedGroup::X25519),
                           *randomKeyShare(static_cast<quint16>(NamedGroup::X25519))}};
    } else {
        spec.groups = enumerationGroups();
    }
    return spec;
}

void TlsProber::submit(Request request)
{
    m_queue.append(std::move(request));
    pump();
}

void TlsProber::pump()
{
    while (!m_aborted && !m_queue.isEmpty() && m_active.size() < m_options.maxConnections) {
        if (m_options.budget && !m_options.budget->tryAcquire(m_result.address)) {
            return; // the scan's bounds: wait for released()
        }
        launch(m_queue.takeFirst());
    }
}

void TlsProber::releaseSlot()
{
    if (m_options.budget) {
        m_options.budget->release(m_result.address);
    }
}

void TlsProber::launch(Request request)
{
    const auto hello = ClientHello::build(request.spec);
    if (!hello) {
        // A bug in the prober's own spec, reported rather than hidden.
        AttemptOutcome outcome;
        outcome.failure = ProbeFailure{ProbeFailureKind::Other, QStringLiteral("ClientHello"),
                                       hello.error().message, hello.error().detail};
        request.done(outcome);
        maybeFinish();
        return;
    }
    auto* attempt = new HandshakeAttempt(
        m_address, m_target.port, *hello, request.goal, m_options,
        [this, done = std::move(request.done)](HandshakeAttempt* self,
                                               const AttemptOutcome& outcome) {
            m_active.removeOne(self);
            self->deleteLater();
            ++m_result.connections;
            // One line per connection: the category check keeps it free when off.
            if (lcProbe().isDebugEnabled()) {
                qCDebug(lcProbe).noquote()
                    << m_result.address << "port" << m_target.port << "connection"
                    << m_result.connections << "->"
                    << (outcome.failure ? QStringLiteral("%1 at %2: %3")
                                              .arg(probeFailureKindName(outcome.failure->kind),
                                                   outcome.failure->step, outcome.failure->message)
                        : outcome.reply && outcome.reply->kind == ServerReply::Kind::Alert
                            ? QStringLiteral("alert %1").arg(outcome.reply->alert.name())
                            : QStringLiteral("ServerHello"));
            }
            releaseSlot();
            done(outcome);
            pump();
            maybeFinish();
        },
        this);
    m_active.append(attempt);
    attempt->start();
}

void TlsProber::enumerate(const std::shared_ptr<Enumeration>& e)
{
    Request r;
    r.spec = baseSpec(e->version);
    r.spec.cipherSuites = e->remaining;
    // So that each answer is the server's own next choice.
    avoidChaChaFirst(r.spec.cipherSuites);
    r.done = [this, e](const AttemptOutcome& outcome) {
        onEnumerationReply(e, outcome);
    };
    submit(std::move(r));
}

void TlsProber::onEnumerationReply(const std::shared_ptr<Enumeration>& e,
                                   const AttemptOutcome& outcome)
{
    const QString phase = suitesPhase(e->version);
    if (outcome.failure) {
        const ProbeFailure& f = *outcome.failure;
        if (isFatal(f)) {
            abortAll(f);
            return;
        }
        if (f.kind == ProbeFailureKind::Closed) {
            // Closing without a word is how many servers refuse a version.
            e->refusal = QStringLiteral("closed the connection");
        } else {
            e->refusal = probeFailureKindName(f.kind);
            recordFailure(f, phase);
        }
        endEnumeration(e);
        return;
    }
    const ServerReply& reply = *outcome.reply;
    if (reply.kind == ServerReply::Kind::Alert) {
        e->refusal = reply.alert.name();
        if (!reply.alert.isRefusal()) {
            recordFailure({ProbeFailureKind::HandshakeAlert,
                           QStringLiteral("reply"),
                           QStringLiteral("the server answered with a %1 %2 alert")
                               .arg(reply.alert.levelName(), reply.alert.name()),
                           {}},
                          phase);
        }
        endEnumeration(e);
        return;
    }
    const ServerHello& hello = reply.hello;
    if (hello.helloRetryRequest && e->version != TlsVersion::Tls13) {
        recordFailure({ProbeFailureKind::MalformedReply,
                       QStringLiteral("reply"),
                       QStringLiteral("the server sent a TLS 1.3 HelloRetryRequest to a %1 "
                                      "ClientHello")
                           .arg(tlsVersionName(e->version)),
                       {}},
                      phase);
        endEnumeration(e);
        return;
    }
    if (hello.version != static_cast<quint16>(e->version)) {
        if (e->accepted.isEmpty()) {
            e->refusal = QStringLiteral("answered with %1").arg(describeWireVersion(hello.version));
        } else {
            recordFailure({ProbeFailureKind::MalformedReply,
                           QStringLiteral("reply"),
                           QStringLiteral("the server switched to version %1 in the middle of "
                                          "the enumeration")
                               .arg(describeWireVersion(hello.version)),
                           {}},
                          phase);
        }
        endEnumeration(e);
        return;
    }
    if (!e->remaining.contains(hello.cipherSuite)) {
        const CipherSuite* s = CipherSuiteRegistry::instance().find(hello.cipherSuite);
        recordFailure({ProbeFailureKind::MalformedReply,
                       QStringLiteral("reply"),
                       QStringLiteral("the server chose cipher suite %1%2, which was not offered")
                           .arg(cipherSuiteCode(hello.cipherSuite),
                                s ? QStringLiteral(" (%1)").arg(s->ianaName) : QString()),
                       {}},
                      phase);
        endEnumeration(e);
        return;
    }
    m_result.reachable = true;
    if (e->accepted.isEmpty() && e->version != TlsVersion::Tls13) {
        e->secureRenegotiation = hello.secureRenegotiation;
    }
    e->compression = std::max(e->compression, hello.compression);
    e->accepted.append(hello.cipherSuite);
    e->remaining.removeOne(hello.cipherSuite);
    reportProgress(phase, double(m_phasesDone) / std::max(1, m_phasesTotal),
                   QStringLiteral("%1 accepts %2")
                       .arg(tlsVersionName(e->version),
                            CipherSuiteRegistry::instance().find(hello.cipherSuite)->ianaName));
    if (e->remaining.isEmpty()) {
        endEnumeration(e);
        return;
    }
    enumerate(e);
}

void TlsProber::endEnumeration(const std::shared_ptr<Enumeration>& e)
{
    ProtocolProbe& p = protocolEntry(e->version);
    p.tested = true;
    p.accepted = !e->accepted.isEmpty();
    p.suites = e->accepted;
    p.refusal = p.accepted ? QString() : e->refusal;
    p.secureRenegotiation = e->secureRenegotiation;
    p.compression = e->compression;
    if (p.accepted) {
        m_result.reachable = true;
    }
    phaseDone(suitesPhase(e->version));
    if (p.suites.size() >= 2 && m_options.serverOrder) {
        checkOrder(e->version);
    }
    --m_enumerationsLeft;
    if (m_enumerationsLeft == 0) {
        startGroupsAndDh();
    }
    --m_openTasks;
}

void TlsProber::checkOrder(TlsVersion version)
{
    // Three questions, each a pair of ClientHellos answered by the same
    // server (plus one when the first cannot be asked):
    // - order: the suites other than ChaCha20 forward and backward. The same
    //   choice both times is the server's order, the first suite both times
    //   the client's. (Only ChaCha20 suites: those, the same way.)
    // - ChaCha20: ChaCha20 suites first, then last. A server that picks by
    //   its own order answers the same; one that follows the client, or
    //   favours ChaCha20 when the client lists it first, does not.
    // - With one suite besides ChaCha20 the first question has no pair, and
    //   the second cannot tell those two apart: a suite the server does not
    //   take, then ChaCha20, then the other. Client order skips the first and
    //   takes ChaCha20; OpenSSL's ChaCha20 rule looks at the client's first
    //   suite only, sees none, and the server takes its own top choice.
    struct Probe
    {
        QList<quint16> offer;
        std::optional<quint16> choice;
        bool asked = false;
    };
    struct OrderCheck
    {
        Probe forward, backward, chachaFirst, chachaLast, tieBreak;
        QList<quint16> chacha, others;
        int pending = 0;
        bool failed = false;
    };
    auto check = std::make_shared<OrderCheck>();
    for (quint16 code : protocolEntry(version).suites) {
        (isChaCha(code) ? check->chacha : check->others).append(code);
    }
    if (check->others.size() >= 2 || (check->others.isEmpty() && check->chacha.size() >= 2)) {
        check->forward.offer = check->others.isEmpty() ? check->chacha : check->others;
        check->backward.offer = check->forward.offer;
        std::reverse(check->backward.offer.begin(), check->backward.offer.end());
        check->forward.asked = check->backward.asked = true;
    }
    if (!check->chacha.isEmpty() && !check->others.isEmpty()) {
        check->chachaFirst.offer = check->chacha + check->others;
        check->chachaLast.offer = check->others + check->chacha;
        check->chachaFirst.asked = check->chachaLast.asked = true;
        const auto skipped = knownUnacceptedSuite(version, protocolEntry(version).suites);
        if (check->others.size() == 1 && skipped) {
            check->tieBreak.offer = QList<quint16>{*skipped} + check->chacha + check->others;
            check->tieBreak.asked = true;
        }
    }

    auto conclude = [this, check, version] {
        ProtocolProbe& p = protocolEntry(version);
        p.order = ServerOrder::Unknown;
        if (check->failed) {
            return;
        }
        enum class Verdict
        {
            None,
            Server,
            Client,
            Mixed
        };
        Verdict order = Verdict::None;
        if (check->forward.asked) {
            if (*check->forward.choice == *check->backward.choice) {
                order = Verdict::Server;
            } else if (*check->forward.choice == check->forward.offer.constFirst() &&
                       *check->backward.choice == check->backward.offer.constFirst()) {
                order = Verdict::Client;
            } else {
                order = Verdict::Mixed;
            }
        }
        enum class ChaCha
        {
            None,
            Same,
            Follows,
            Other
        };
        ChaCha chacha = ChaCha::None;
        if (check->chachaFirst.asked) {
            const quint16 first = *check->chachaFirst.choice;
            const quint16 last = *check->chachaLast.choice;
            if (first == last) {
                chacha = ChaCha::Same;
            } else if (check->chacha.contains(first) && check->others.contains(last)) {
                chacha = ChaCha::Follows;
            } else {
                chacha = ChaCha::Other;
            }
        }
        if (order == Verdict::Mixed || chacha == ChaCha::Other) {
            p.order = ServerOrder::Mixed;
        } else if (order == Verdict::Server) {
            p.order = chacha == ChaCha::Follows ? ServerOrder::ServerChaChaPreference
                                                : ServerOrder::Server;
        } else if (order == Verdict::Client) {
            p.order = chacha == ChaCha::Same ? ServerOrder::Mixed : ServerOrder::Client;
        } else if (chacha == ChaCha::Same) {
            p.order = ServerOrder::Server;
        } else if (chacha == ChaCha::Follows) {
            // Without the tie-break (no suite to put first) the answers are
            // those of client order, and reported so, as scanners do.
            const bool ownTop =
                check->tieBreak.asked && check->others.contains(*check->tieBreak.choice);
            p.order = ownTop ? ServerOrder::ServerChaChaPreference : ServerOrder::Client;
        }
    };

    const QString phase = tlsVersionName(version) + QStringLiteral(" order");
    for (Probe* probe : {&check->forward, &check->backward, &check->chachaFirst, &check->chachaLast,
                         &check->tieBreak}) {
        if (!probe->asked) {
            continue;
        }
        ++check->pending;
        Request r;
        r.spec = baseSpec(version);
        r.spec.cipherSuites = probe->offer;
        r.done = [this, check, probe, phase, conclude](const AttemptOutcome& outcome) {
            if (outcome.reply && outcome.reply->kind == ServerReply::Kind::Hello) {
                probe->choice = outcome.reply->hello.cipherSuite;
            } else {
                check->failed = true;
                if (outcome.failure) {
                    recordFailure(*outcome.failure, phase);
                }
            }
            if (--check->pending == 0) {
                conclude();
            }
        };
        submit(std::move(r));
    }
}

void TlsProber::startGroupsAndDh()
{
    const auto& registry = CipherSuiteRegistry::instance();
    auto suitesWhere = [&](TlsVersion v, const QString& kx) {
        QList<quint16> out;
        for (quint16 code : protocolEntry(v).suites) {
            const CipherSuite* s = registry.find(code);
            if (s && s->keyExchange == kx) {
                out.append(code);
            }
        }
        return out;
    };
    const QList<TlsVersion> legacyNewestFirst = {TlsVersion::Tls12, TlsVersion::Tls11,
                                                 TlsVersion::Tls10, TlsVersion::Ssl3};
    if (m_options.groups) {
        if (protocolEntry(TlsVersion::Tls13).accepted) {
            probeTls13Groups(protocolEntry(TlsVersion::Tls13).suites);
        } else {
            for (TlsVersion v : legacyNewestFirst) {
                const QList<quint16> ecdhe = suitesWhere(v, QStringLiteral("ECDHE"));
                if (!ecdhe.isEmpty()) {
                    probeTls12Groups(v, ecdhe);
                    break;
                }
            }
        }
    }
    for (TlsVersion v : legacyNewestFirst) {
        const QList<quint16> dhe = suitesWhere(v, QStringLiteral("DHE"));
        if (!dhe.isEmpty()) {
            probeDhSize(v, dhe);
            break;
        }
    }
    // The last phase (groups, DHE size) ends with the probe: maybeFinish()
    // reports 100%.
}

void TlsProber::probeTls13Groups(const QList<quint16>& suites)
{
    m_result.groupsVersion = TlsVersion::Tls13;
    for (quint16 group : probedGroups()) {
        m_result.groupsTested.append(group);
        Request r;
        r.spec = baseSpec(TlsVersion::Tls13);
        r.spec.cipherSuites = suites;
        r.spec.groups = {group};
        r.spec.keyShares.clear();
        // x25519/x448: a share the server can use at once. Other groups: no
        // share, so a server that supports the group asks for it with a
        // HelloRetryRequest naming it, and one that does not fails.
        if (const auto share = randomKeyShare(group)) {
            r.spec.keyShares = {{group, *share}};
        }
        r.done = [this, group](const AttemptOutcome& outcome) {
            if (outcome.reply && outcome.reply->kind == ServerReply::Kind::Hello) {
                if (outcome.reply->hello.keyShareGroup == group &&
                    !m_result.groups.contains(group)) {
                    m_result.groups.append(group);
                }
            } else if (outcome.failure && outcome.failure->kind != ProbeFailureKind::Closed) {
                recordFailure(*outcome.failure,
                              QStringLiteral("group %1").arg(namedGroupName(group)));
            }
        };
        submit(std::move(r));
    }
}

void TlsProber::probeTls12Groups(TlsVersion version, const QList<quint16>& ecdheSuites)
{
    m_result.groupsVersion = version;
    const QList<quint16> ecGroups = {29, 30, 23, 24, 25};
    for (quint16 group : ecGroups) {
        m_result.groupsTested.append(group);
        Request r;
        r.spec = baseSpec(version);
        r.spec.cipherSuites = ecdheSuites;
        r.spec.groups = {group};
        r.goal = ServerReplyParser::Goal::KeyExchange;
        r.done = [this, group](const AttemptOutcome& outcome) {
            if (outcome.reply && outcome.reply->kind == ServerReply::Kind::Hello) {
                if (outcome.reply->hello.ecdheGroup == group && !m_result.groups.contains(group)) {
                    m_result.groups.append(group);
                }
            } else if (outcome.failure && outcome.failure->kind != ProbeFailureKind::Closed) {
                recordFailure(*outcome.failure,
                              QStringLiteral("group %1").arg(namedGroupName(group)));
            }
        };
        submit(std::move(r));
    }
}

void TlsProber::probeDhSize(TlsVersion version, const QList<quint16>& dheSuites)
{
    Request r;
    r.spec = baseSpec(version);
    r.spec.cipherSuites = dheSuites;
    r.goal = ServerReplyParser::Goal::KeyExchange;
    r.done = [this](const AttemptOutcome& outcome) {
        if (outcome.reply && outcome.reply->kind == ServerReply::Kind::Hello) {
            m_result.dhBits = outcome.reply->hello.dhBits;
        } else if (outcome.failure) {
            recordFailure(*outcome.failure, QStringLiteral("DHE size"));
        }
    };
    submit(std::move(r));
}

ProtocolProbe& TlsProber::protocolEntry(TlsVersion version)
{
    for (ProtocolProbe& p : m_result.protocols) {
        if (p.version == version) {
            return p;
        }
    }
    ProtocolProbe p;
    p.version = version;
    m_result.protocols.append(p);
    return m_result.protocols.last();
}

void TlsProber::recordFailure(const ProbeFailure& failure, const QString& phase)
{
    ProbeFailure f = failure;
    if (!phase.isEmpty()) {
        f.step = phase + QStringLiteral(": ") + f.step;
    }
    m_result.errors.append(f);
}

void TlsProber::phaseDone(const QString& phase)
{
    ++m_phasesDone;
    reportProgress(
        phase, double(m_phasesDone) / std::max(1, m_phasesTotal),
        QStringLiteral("%1 done (%2 connections so far)").arg(phase).arg(m_result.connections));
}

void TlsProber::abortAll(const ProbeFailure& why)
{
    if (m_aborted) {
        return;
    }
    m_aborted = true;
    m_queue.clear();
    for (HandshakeAttempt* a : std::as_const(m_active)) {
        a->abort();
        a->deleteLater();
        releaseSlot();
    }
    m_active.clear();
    m_result.errors.append(why);
    if (why.kind == ProbeFailureKind::Cancelled) {
        m_result.cancelled = true;
    }
    // Versions already enumerated keep their answers; the rest stay untested.
    m_openTasks = 0;
    m_enumerationsLeft = 0;
    maybeFinish();
}

void TlsProber::onCancel()
{
    // Every connection closed and its timers stopped now; the probe then
    // ends with Cancelled (Operation::finish), not with a partial result.
    abortAll({ProbeFailureKind::Cancelled,
              QStringLiteral("cancel"),
              QStringLiteral("the probe was cancelled"),
              {}});
}

void TlsProber::maybeFinish()
{
    if (isEnding() || m_openTasks > 0 || !m_active.isEmpty() || !m_queue.isEmpty()) {
        return;
    }
    m_result.wallTimeMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    qCDebug(lcProbe).noquote()
        << QStringLiteral("probe of %1 port %2 done: %3 connection(s), %4 error(s) in %5 ms")
               .arg(m_target.host == m_result.address || m_target.host.isEmpty()
                        ? m_result.address
                        : QStringLiteral("%1 (%2)").arg(m_target.host, m_result.address))
               .arg(m_target.port)
               .arg(m_result.connections)
               .arg(m_result.errors.size())
               .arg(m_result.wallTimeMs);
    const QList<quint16> order = probedGroups();
    std::sort(m_result.groups.begin(), m_result.groups.end(),
              [&](quint16 a, quint16 b) { return order.indexOf(a) < order.indexOf(b); });
    if (!isCancelled()) {
        reportProgress(QStringLiteral("done"), 1.0,
                       QStringLiteral("%1 connections in %2 ms")
                           .arg(m_result.connections)
                           .arg(m_result.wallTimeMs));
    }
    // finished() comes from the event loop: a receiver may delete the
    // prober, and this may run inside a connection's callback.
    finishWith(m_result);
}

} // namespace certdeck::probe
