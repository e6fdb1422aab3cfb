// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/scan/ProbeRequest.h"
#include "probe/scan/ProbeResult.h"

#include <QElapsedTimer>
#include <QObject>

namespace certdeck::probe {

class TlsProber;
struct AddressResolution;

/// Probes every node behind a name: resolves all of its A and AAAA
/// addresses (AddressResolver: the system resolver, or
/// ProbeOptions::resolver), then runs one TlsProber per address on the
/// caller's event loop, all at once. Each node keeps its own
/// maxConnections and takes its slots from the shared ConnectionBudget under
/// its own address, so the per-address bound holds per node. A target with
/// an address (or an IP literal as host) is one node, without a lookup.
///
/// A name that does not resolve ends with one node result without an
/// address that holds the DNS failure (ProbeFailureKind::DnsFailure).
/// finished() is emitted exactly once, queued, also after cancel().
class EndpointProber : public QObject
{
    Q_OBJECT
public:
    EndpointProber(ProbeTarget target, ProbeOptions options, QObject* parent = nullptr);
    ~EndpointProber() override;

    void start();
    /// Cancels the lookup or every node's probe; finishes with what was found.
    void cancel();
    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] const EndpointResult& result() const { return m_result; }

signals:
    /// Overall progress; with several nodes, `message` names the node.
    void progress(const QString& step, double fraction, const QString& message);
    void finished();

private:
    void onResolved(const AddressResolution& resolution);
    void startNodes(const QStringList& addresses);
    void onNodeProgress(int index, const QString& step, double fraction, const QString& message);
    void maybeFinish();

    ProbeTarget m_target;
    ProbeOptions m_options;
    EndpointResult m_result;
    QList<TlsProber*> m_probers;
    QList<double> m_fractions;
    int m_nodesDone = 0;
    QElapsedTimer m_clock;
    bool m_started = false;
    bool m_resolving = false;
    bool m_cancelled = false;
    bool m_finished = false;
};

} // namespace certdeck::probe
