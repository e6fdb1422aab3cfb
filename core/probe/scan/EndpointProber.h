// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"
#include "probe/scan/ProbeRequest.h"
#include "probe/scan/ProbeResult.h"

#include <QElapsedTimer>
#include <QPointer>

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
///
/// An Operation (its contract): progress() is the nodes' overall progress
/// (with several nodes, `message` names the node); cancel() stops the
/// lookup (its socket closed) or every node's probe (their connections
/// closed) at once, and finished() carries Cancelled.
class EndpointProber : public TypedOperation<EndpointResult>
{
    Q_OBJECT
public:
    EndpointProber(ProbeTarget target, ProbeOptions options, QObject* parent = nullptr);
    ~EndpointProber() override;

protected:
    void onStart() override;
    void onCancel() override;

private:
    void onResolved(const AddressResolution& resolution);
    void startNodes(const QStringList& addresses);
    void onNodeProgress(int index, const QString& step, double fraction, const QString& message);
    void maybeFinish();
    void conclude();

    ProbeTarget m_target;
    ProbeOptions m_options;
    EndpointResult m_result;
    QList<TlsProber*> m_probers;
    QStringList m_addresses; ///< of each node, in m_probers' order
    QList<double> m_fractions;
    /// The lookup's context: deleting it stops the lookup and closes its socket.
    QPointer<QObject> m_lookup;
    int m_nodesDone = 0;
    QElapsedTimer m_clock;
    bool m_resolving = false;
};

} // namespace certdeck::probe
