// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/inspect/TlsInspector.h"

#include "probe/internal/InspectConnection.h"
#include "probe/scan/AddressResolver.h"
#include "probe/scan/ConnectionBudget.h"

#include <QHostInfo>
#include <openssl/ssl.h>

namespace certdeck::probe {

using internal::InspectConnection;
using internal::InspectOutcome;
using internal::InspectPlan;

struct TlsInspector::Pending
{
    InspectPlan plan;
    Then then;
};

namespace {

bool isFatal(const ProbeFailure& f)
{
    return f.kind == ProbeFailureKind::Refused || f.kind == ProbeFailureKind::Unreachable ||
           (f.kind == ProbeFailureKind::Timeout && f.step == QLatin1String("connect"));
}

bool isAlpnRefusal(const ProbeFailure& f)
{
    return f.kind == ProbeFailureKind::HandshakeAlert &&
           f.message.contains(QLatin1String("no application protocol"));
}

QByteArray httpRequest(const QString& host, quint16 port)
{
    QString authority = host.contains(u':') ? QStringLiteral("[%1]").arg(host) : host;
    if (port != 443) {
        authority += QStringLiteral(":%1").arg(port);
    }
    return QByteArrayLiteral("GET / HTTP/1.1\r\nHost: ") + authority.toUtf8() +
           QByteArrayLiteral("\r\nUser-Agent: certdeck-inspect\r\nAccept: */*\r\n"
                             "Connection: close\r\n\r\n");
}

} // namespace

QString resumptionOutcomeName(ResumptionOutcome outcome)
{
    switch (outcome) {
    case ResumptionOutcome::NotTested:
        return QStringLiteral("not tested");
    case ResumptionOutcome::Unsupported:
        return QStringLiteral("unsupported");
    case ResumptionOutcome::NoSession:
        return QStringLiteral("no session");
    case ResumptionOutcome::Resumed:
        return QStringLiteral("resumed");
    case ResumptionOutcome::NotResumed:
        return QStringLiteral("not resumed");
    case ResumptionOutcome::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

bool ResumptionInfo::anyResumed() const
{
    return sessionId.outcome == ResumptionOutcome::Resumed ||
           ticket.outcome == ResumptionOutcome::Resumed ||
           tls13Psk.outcome == ResumptionOutcome::Resumed;
}

bool ResumptionInfo::anyConcluded() const
{
    for (const ResumptionCheck* c : {&sessionId, &ticket, &tls13Psk}) {
        if (c->outcome == ResumptionOutcome::Resumed ||
            c->outcome == ResumptionOutcome::NotResumed ||
            c->outcome == ResumptionOutcome::NoSession) {
            return true;
        }
    }
    return false;
}

const AlpnCheck* TlsInspection::alpnCheck(const QString& name) const
{
    for (const AlpnCheck& a : alpn) {
        if (a.protocol == name) {
            return &a;
        }
    }
    return nullptr;
}

TlsInspector::TlsInspector(ProbeTarget target, ProbeOptions options, QObject* parent)
    : TypedOperation<TlsInspection>(parent)
    , m_target(std::move(target))
    , m_options(std::move(options))
{
    m_result.host = m_target.host;
    m_result.port = m_target.port;
    if (!m_target.sni.isEmpty()) {
        m_result.sni = m_target.sni;
    } else if (QHostAddress(m_target.host).isNull()) {
        m_result.sni = m_target.host;
    }
}

TlsInspector::~TlsInspector()
{
    if (m_options.budget) {
        disconnect(m_options.budget.get(), nullptr, this, nullptr);
    }
    if (m_active != nullptr) {
        m_active->abort();
    }
    if (m_holdsSlot && m_options.budget) {
        m_options.budget->release(m_result.address);
    }
}

void TlsInspector::onStart()
{
    m_clock.start();
    const QString literal = m_target.address.isEmpty() ? m_target.host : m_target.address;
    const QHostAddress direct(literal);
    if (!direct.isNull()) {
        begin(direct);
        return;
    }
    if (m_target.host.isEmpty() || !m_target.address.isEmpty()) {
        recordFailure({ProbeFailureKind::Other,
                       QStringLiteral("target"),
                       m_target.host.isEmpty()
                           ? QStringLiteral("no host to inspect")
                           : QStringLiteral("\"%1\" is not an IP address").arg(m_target.address),
                       {}});
        conclude();
        return;
    }
    reportProgress(QStringLiteral("resolve"), 0.0,
                   QStringLiteral("Resolving %1").arg(m_target.host));
    QHostInfo::lookupHost(m_target.host, this, [this](const QHostInfo& info) {
        if (isEnding()) {
            return;
        }
        // One address per probe (IPv4 first), the same for the prober and the
        // inspector; EndpointProber probes every node.
        const QHostAddress chosen = preferredAddress(info.addresses());
        if (info.error() != QHostInfo::NoError || chosen.isNull()) {
            recordFailure({ProbeFailureKind::DnsFailure, QStringLiteral("resolve"),
                           QStringLiteral("cannot resolve %1").arg(m_target.host),
                           info.errorString()});
            conclude();
            return;
        }
        begin(chosen);
    });
}

void TlsInspector::onCancel()
{
    m_result.cancelled = true;
    m_steps.clear();
    m_pending.reset();
    if (m_active != nullptr) {
        m_active->abort();
        m_active->deleteLater();
        m_active = nullptr;
    }
    if (m_holdsSlot && m_options.budget) {
        m_holdsSlot = false;
        m_options.budget->release(m_result.address);
    }
    recordFailure({ProbeFailureKind::Cancelled,
                   QStringLiteral("inspection"),
                   QStringLiteral("cancelled"),
                   {}});
    conclude(); // finished() carries Cancelled (Operation::finish)
}

void TlsInspector::begin(const QHostAddress& address)
{
    m_address = address;
    m_result.address = address.toString();
    if (m_options.budget) {
        connect(m_options.budget.get(), &ConnectionBudget::released, this, &TlsInspector::pump);
    }
    InspectPlan plan = basePlan(QStringLiteral("handshake"));
    plan.alpn = {QByteArrayLiteral("http/1.1")};
    plan.statusRequest = true;
    if (!m_options.inspectChainOnly) {
        plan.httpRequest =
            httpRequest(m_result.sni.isEmpty() ? m_result.address : m_result.sni, m_target.port);
    }
    m_stepsTotal = 1;
    run(std::move(plan), [this](const InspectOutcome& o) { onMain(o); });
}

InspectPlan TlsInspector::basePlan(const QString& step) const
{
    InspectPlan plan;
    plan.step = step;
    plan.address = m_address;
    plan.port = m_target.port;
    plan.sni = m_result.sni;
    plan.connectTimeoutMs = m_options.connectTimeoutMs;
    plan.handshakeTimeoutMs = m_options.replyTimeoutMs;
    plan.afterHandshakeTimeoutMs = m_options.replyTimeoutMs;
    return plan;
}

void TlsInspector::run(InspectPlan plan, Then then)
{
    m_pending = std::make_unique<Pending>(Pending{std::move(plan), std::move(then)});
    pump();
}

void TlsInspector::pump()
{
    if (isEnding() || !m_pending || m_active != nullptr) {
        return;
    }
    if (m_options.budget) {
        if (!m_options.budget->tryAcquire(m_result.address)) {
            return; // the scan's bounds: wait for released()
        }
        m_holdsSlot = true;
    }
    const std::unique_ptr<Pending> p = std::move(m_pending);
    reportProgress(p->plan.step, m_stepsTotal > 0 ? double(m_stepsDone) / m_stepsTotal : 0.0,
                   QStringLiteral("%1 with %2").arg(p->plan.step, m_result.address));
    m_active = new InspectConnection(
        p->plan,
        [this, then = p->then](InspectConnection* self, const InspectOutcome& outcome) {
            if (m_active == self) {
                m_active = nullptr;
            }
            self->deleteLater();
            ++m_result.connections;
            ++m_stepsDone;
            if (m_holdsSlot && m_options.budget) {
                m_holdsSlot = false;
                m_options.budget->release(m_result.address);
            }
            if (isEnding()) {
                return;
            }
            then(outcome);
            next();
        },
        this);
    m_active->start();
}

void TlsInspector::next()
{
    if (isEnding() || m_active != nullptr || m_pending) {
        return;
    }
    if (m_steps.isEmpty()) {
        conclude();
        return;
    }
    m_steps.takeFirst()();
}

void TlsInspector::onMain(const InspectOutcome& o)
{
    if (o.failure && isAlpnRefusal(*o.failure) && !m_mainWithoutAlpn) {
        // A server that speaks only h2 and refuses http/1.1 outright: take
        // the main handshake again without ALPN (and without HTTP/1.1).
        m_mainWithoutAlpn = true;
        InspectPlan plan = basePlan(QStringLiteral("handshake"));
        plan.statusRequest = true;
        run(std::move(plan), [this](const InspectOutcome& again) { onMain(again); });
        return;
    }
    if (o.failure) {
        recordFailure(*o.failure);
        conclude(); // nothing else can work without one handshake
        return;
    }
    m_result.handshakeOk = true;
    m_result.chainDer = o.chainDer;
    m_result.protocol = o.protocol;
    m_result.cipher = o.cipher;
    m_result.group = o.group;
    m_result.dhBits = o.dhBits;
    m_result.secureRenegotiation = o.secureRenegotiation;
    m_result.compression = o.compression;
    m_result.alpn.append(
        AlpnCheck{QStringLiteral("http/1.1"), true, o.alpnSelected == QLatin1String("http/1.1")});
    if (o.staple.isEmpty()) {
        m_result.staple.requested = true;
    } else {
        m_result.staple = parseStaple(o.staple, o.chainDer, QDateTime::currentDateTimeUtc());
    }
    HttpCheck& http = m_result.http;
    http.tested = !m_mainWithoutAlpn && !m_options.inspectChainOnly;
    if (o.http && o.http->state == HttpResponseHead::State::Complete) {
        http.answered = true;
        http.statusLine = o.http->statusLine;
        http.server = QString::fromLatin1(o.http->field("server"));
        const QByteArray hsts = o.http->field("strict-transport-security");
        if (!hsts.isNull()) {
            http.hsts = parseHstsHeader(hsts);
        }
    }
    if (o.httpFailure) {
        recordFailure(*o.httpFailure);
    }

    if (m_options.inspectChainOnly) {
        m_result.chainOnly = true;
        m_stepsTotal = 1;
        return; // next() finds no step queued and finishes
    }
    queueAlpn(QStringLiteral("h2"));
    const bool tls13 = o.protocol == QLatin1String("TLSv1.3");
    if (tls13) {
        queueResumption(QStringLiteral("TLSv1.3 resumption"), TLS1_3_VERSION, TLS1_3_VERSION, true,
                        &ResumptionInfo::tls13Psk);
    } else {
        m_result.resumption.tls13Psk = {ResumptionOutcome::Unsupported,
                                        QStringLiteral("TLS 1.3 is not negotiated")};
    }
    queueResumption(QStringLiteral("session ID resumption"), TLS1_VERSION, TLS1_2_VERSION, false,
                    &ResumptionInfo::sessionId);
    queueResumption(QStringLiteral("session ticket resumption"), TLS1_VERSION, TLS1_2_VERSION, true,
                    &ResumptionInfo::ticket);
    m_stepsTotal = 1 + 1 + (tls13 ? 2 : 0) + 4;
}

void TlsInspector::queueAlpn(const QString& protocol)
{
    m_steps.append([this, protocol] {
        InspectPlan plan = basePlan(QStringLiteral("ALPN %1").arg(protocol));
        plan.alpn = {protocol.toLatin1()};
        run(std::move(plan), [this, protocol](const InspectOutcome& o) {
            AlpnCheck check{protocol, true, false};
            if (o.failure && isAlpnRefusal(*o.failure)) {
                // RFC 7301 3.2: a server that supports none of the offered
                // protocols may refuse with no_application_protocol.
                check.accepted = false;
            } else if (o.failure) {
                recordFailure(*o.failure);
                check.tested = false;
            } else {
                check.accepted = o.alpnSelected == protocol;
            }
            m_result.alpn.append(check);
        });
    });
}

void TlsInspector::queueResumption(const QString& label, int minVersion, int maxVersion,
                                   bool tickets, ResumptionCheck ResumptionInfo::*check)
{
    m_steps.append([this, label, minVersion, maxVersion, tickets, check] {
        InspectPlan first = basePlan(label);
        first.minVersion = minVersion;
        first.maxVersion = maxVersion;
        first.tickets = tickets;
        first.waitForSession = maxVersion == TLS1_3_VERSION;
        run(first, [this, first, tickets, check](const InspectOutcome& o) {
            ResumptionCheck& c = m_result.resumption.*check;
            if (o.failure) {
                // The main handshake worked: a refusal here means the
                // versions this check needs are not accepted.
                const bool refused = o.failure->kind == ProbeFailureKind::HandshakeAlert ||
                                     o.failure->kind == ProbeFailureKind::Closed;
                c = {refused ? ResumptionOutcome::Unsupported : ResumptionOutcome::Failed,
                     o.failure->message};
                if (!refused) {
                    recordFailure(*o.failure);
                }
                return;
            }
            const bool usable = o.session && (check == &ResumptionInfo::tls13Psk ||
                                              (tickets ? o.sessionHasTicket : o.sessionHasId));
            if (!usable) {
                c = {ResumptionOutcome::NoSession,
                     check == &ResumptionInfo::tls13Psk
                         ? QStringLiteral("the server sent no NewSessionTicket")
                     : tickets ? QStringLiteral("the server issued no session ticket")
                               : QStringLiteral("the server gave no session ID")};
                return;
            }
            InspectPlan second = first;
            second.step = first.step + QStringLiteral(" (resume)");
            second.waitForSession = false;
            second.resume = o.session;
            run(second, [this, check](const InspectOutcome& again) {
                ResumptionCheck& c2 = m_result.resumption.*check;
                if (again.failure) {
                    c2 = {ResumptionOutcome::Failed, again.failure->message};
                    recordFailure(*again.failure);
                    return;
                }
                c2 = again.reused
                         ? ResumptionCheck{ResumptionOutcome::Resumed,
                                           QStringLiteral("%1 session resumed").arg(again.protocol)}
                         : ResumptionCheck{ResumptionOutcome::NotResumed,
                                           QStringLiteral("the server ran a full %1 "
                                                          "handshake instead")
                                               .arg(again.protocol)};
            });
        });
    });
}

void TlsInspector::recordFailure(const ProbeFailure& failure)
{
    m_result.errors.append(failure);
    if (isFatal(failure) && !isEnding()) {
        m_steps.clear();
    }
}

void TlsInspector::conclude()
{
    if (isEnding()) {
        return;
    }
    m_result.wallTimeMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    if (!isCancelled()) {
        reportProgress(QStringLiteral("done"), 1.0, QStringLiteral("Inspection finished"));
    }
    // finished() comes from the event loop, so a caller connecting after
    // start() hears it.
    finishWith(m_result);
}

} // namespace certdeck::probe
