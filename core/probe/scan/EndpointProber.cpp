// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/scan/EndpointProber.h"

#include "probe/internal/Log.h"
#include "probe/scan/AddressResolver.h"
#include "probe/scan/TlsProber.h"

#include <QHostAddress>
#include <numeric>

namespace certdeck::probe {

EndpointProber::EndpointProber(ProbeTarget target, ProbeOptions options, QObject* parent)
    : TypedOperation<EndpointResult>(parent)
    , m_target(std::move(target))
    , m_options(std::move(options))
{
    m_result.host = m_target.host;
    m_result.port = m_target.port;
    m_result.sni = m_target.sni;
    if (m_result.sni.isEmpty() && QHostAddress(m_target.host).isNull()) {
        m_result.sni = m_target.host;
    }
}

EndpointProber::~EndpointProber()
{
    // Probers first: they give their slots back to a budget others may share.
    qDeleteAll(m_probers);
    m_probers.clear();
}

void EndpointProber::onStart()
{
    m_clock.start();
    const bool literal = !QHostAddress(m_target.host).isNull();
    if (!m_target.address.isEmpty() || literal || m_target.host.isEmpty()) {
        // One node; TlsProber checks the address and reports bad input.
        startNodes({m_target.address});
        return;
    }
    m_resolving = true;
    reportProgress(
        QStringLiteral("resolve"), 0.0,
        QStringLiteral("Resolving %1 with the %2")
            .arg(m_target.host,
                 m_options.resolver
                     ? QStringLiteral("DNS server %1").arg(m_options.resolver->toString())
                     : QStringLiteral("system resolver")));
    m_lookup = new QObject(this);
    AddressResolver::resolve(
        m_target.host, m_options.resolver, m_options.dnsTimeoutMs, m_lookup,
        [this](const AddressResolution& resolution) { onResolved(resolution); });
}

void EndpointProber::onResolved(const AddressResolution& resolution)
{
    if (isEnding() || !m_resolving) {
        return; // cancelled meanwhile
    }
    m_resolving = false;
    if (m_lookup) {
        m_lookup->deleteLater(); // this runs inside the resolver
        m_lookup = nullptr;
    }
    m_result.resolver = resolution.resolver;
    m_result.dnsOutcome = dnsOutcomeName(resolution.outcome);
    qCDebug(lcProbe).noquote() << "resolved" << m_target.host << "->" << m_result.dnsOutcome
                               << resolution.addresses.size() << "address(es) in"
                               << m_clock.elapsed() << "ms";
    if (resolution.failure) {
        ProbeResult failed;
        failed.host = m_target.host;
        failed.port = m_target.port;
        failed.sni = m_result.sni;
        failed.errors << *resolution.failure;
        m_result.nodes << failed;
        maybeFinish();
        return;
    }
    QStringList addresses;
    for (const QHostAddress& a : resolution.addresses) {
        addresses << a.toString();
    }
    startNodes(addresses);
}

void EndpointProber::startNodes(const QStringList& addresses)
{
    m_addresses = addresses;
    m_result.nodes.resize(addresses.size());
    m_fractions.fill(0.0, addresses.size());
    for (qsizetype i = 0; i < addresses.size(); ++i) {
        ProbeTarget node = m_target;
        node.address = addresses.at(i);
        auto* prober = new TlsProber(node, m_options, this);
        m_probers << prober;
        const int index = int(i);
        connect(prober, &TlsProber::progress, this,
                [this, index](const QString& step, double fraction, const QString& message) {
                    onNodeProgress(index, step, fraction, message);
                });
        connect(prober, &TlsProber::finished, this, [this, index, prober] {
            if (isEnding()) {
                return; // cancelled: the endpoint ended without this node
            }
            if (auto probed = prober->result()) {
                m_result.nodes[index] = std::move(*probed);
            } else {
                // A prober records its failures in its result; an error
                // here is not one of those, but still this node's outcome.
                ProbeResult failed;
                failed.host = m_target.host;
                failed.port = m_target.port;
                failed.sni = m_result.sni;
                failed.address = m_addresses.at(index);
                failed.errors << ProbeFailure{
                    probed.error().code == ErrorCode::Cancelled ? ProbeFailureKind::Cancelled
                                                                : ProbeFailureKind::Other,
                    QStringLiteral("probe"), probed.error().message, probed.error().detail};
                m_result.nodes[index] = failed;
            }
            ++m_nodesDone;
            maybeFinish();
        });
    }
    // Started after all are created: a prober that ends at once (bad input)
    // reports queued, so the list is complete before any node is done.
    const QList<TlsProber*> probers = m_probers;
    for (TlsProber* p : probers) {
        p->start();
    }
    maybeFinish();
}

void EndpointProber::onNodeProgress(int index, const QString& step, double fraction,
                                    const QString& message)
{
    m_fractions[index] = fraction;
    const double overall = std::accumulate(m_fractions.cbegin(), m_fractions.cend(), 0.0) /
                           double(std::max<qsizetype>(1, m_fractions.size()));
    if (m_probers.size() > 1) {
        reportProgress(step, overall, QStringLiteral("%1: %2").arg(m_addresses.at(index), message));
    } else {
        reportProgress(step, overall, message);
    }
}

void EndpointProber::onCancel()
{
    // Each prober closes its connections now; the lookup's socket goes with
    // its context. The endpoint ends at once, without the nodes' answers.
    delete m_lookup;
    m_resolving = false;
    const QList<TlsProber*> probers = m_probers;
    for (TlsProber* p : probers) {
        p->cancel();
    }
    m_result.cancelled = true;
    conclude();
}

void EndpointProber::maybeFinish()
{
    if (isEnding() || m_resolving || m_nodesDone < m_probers.size()) {
        return;
    }
    conclude();
}

void EndpointProber::conclude()
{
    m_result.wallTimeMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    qCDebug(lcProbe).noquote() << QStringLiteral(
                                      "endpoint %1 port %2: %3 node(s) probed in %4 ms%5")
                                      .arg(m_target.host)
                                      .arg(m_target.port)
                                      .arg(m_result.nodes.size())
                                      .arg(m_result.wallTimeMs)
                                      .arg(isCancelled() ? QStringLiteral(" (cancelled)")
                                                         : QString());
    // finished() comes from the event loop: receivers may delete us, and
    // this may run inside a callback.
    finishWith(m_result);
}

} // namespace certdeck::probe
