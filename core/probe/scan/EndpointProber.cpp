// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/scan/EndpointProber.h"

#include "probe/internal/Log.h"
#include "probe/scan/AddressResolver.h"
#include "probe/scan/TlsProber.h"

#include <QHostAddress>
#include <numeric>

namespace certdeck::probe {

EndpointProber::EndpointProber(ProbeTarget target, ProbeOptions options, QObject* parent)
    : QObject(parent)
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

void EndpointProber::start()
{
    if (m_started) {
        return;
    }
    m_started = true;
    m_clock.start();
    if (m_cancelled) {
        maybeFinish();
        return;
    }
    const bool literal = !QHostAddress(m_target.host).isNull();
    if (!m_target.address.isEmpty() || literal || m_target.host.isEmpty()) {
        // One node; TlsProber checks the address and reports bad input.
        startNodes({m_target.address});
        return;
    }
    m_resolving = true;
    emit progress(QStringLiteral("resolve"), 0.0,
                  QStringLiteral("Resolving %1 with the %2")
                      .arg(m_target.host,
                           m_options.resolver
                               ? QStringLiteral("DNS server %1").arg(m_options.resolver->toString())
                               : QStringLiteral("system resolver")));
    AddressResolver::resolve(
        m_target.host, m_options.resolver, m_options.dnsTimeoutMs, this,
        [this](const AddressResolution& resolution) { onResolved(resolution); });
}

void EndpointProber::onResolved(const AddressResolution& resolution)
{
    if (m_finished || !m_resolving) {
        return; // cancelled meanwhile
    }
    m_resolving = false;
    m_result.resolver = resolution.resolver;
    m_result.dnsOutcome = dnsOutcomeName(resolution.outcome);
    qCDebug(lcProbe).noquote() << "resolved" << m_target.host << "->" << m_result.dnsOutcome
                               << resolution.addresses.size() << "address(es) in"
                               << m_clock.elapsed() << "ms";
    if (m_cancelled) {
        maybeFinish();
        return;
    }
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
            m_result.nodes[index] = prober->result();
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
        emit progress(step, overall,
                      QStringLiteral("%1: %2").arg(m_probers.at(index)->result().address, message));
    } else {
        emit progress(step, overall, message);
    }
}

void EndpointProber::cancel()
{
    if (m_finished || m_cancelled) {
        return;
    }
    m_cancelled = true;
    m_result.cancelled = true;
    if (!m_started) {
        return; // start() finishes at once
    }
    const QList<TlsProber*> probers = m_probers;
    for (TlsProber* p : probers) {
        p->cancel();
    }
    if (m_resolving) {
        // The lookup's answer is dropped with no one waiting for it.
        m_resolving = false;
        ProbeResult cancelled;
        cancelled.host = m_target.host;
        cancelled.port = m_target.port;
        cancelled.sni = m_result.sni;
        cancelled.cancelled = true;
        cancelled.errors << ProbeFailure{ProbeFailureKind::Cancelled,
                                         QStringLiteral("resolve"),
                                         QStringLiteral("the probe was cancelled"),
                                         {}};
        m_result.nodes = {cancelled};
    }
    maybeFinish();
}

void EndpointProber::maybeFinish()
{
    if (m_finished || m_resolving || m_nodesDone < m_probers.size()) {
        return;
    }
    m_finished = true;
    m_result.wallTimeMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    qCDebug(lcProbe).noquote() << QStringLiteral(
                                      "endpoint %1 port %2: %3 node(s) probed in %4 ms%5")
                                      .arg(m_target.host)
                                      .arg(m_target.port)
                                      .arg(m_result.nodes.size())
                                      .arg(m_result.wallTimeMs)
                                      .arg(m_cancelled ? QStringLiteral(" (cancelled)")
                                                       : QString());
    // Queued: receivers may delete us, and this may run inside a callback.
    QMetaObject::invokeMethod(this, &EndpointProber::finished, Qt::QueuedConnection);
}

} // namespace certdeck::probe
