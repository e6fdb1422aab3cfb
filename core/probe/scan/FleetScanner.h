// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"
#include "probe/scan/ProbeRequest.h"
#include "probe/scan/ProbeResult.h"

#include <QList>
#include <memory>

namespace certdeck::probe {

class ConnectionBudget;
class EndpointProber;
class TlsInspector;

/// One endpoint of a fleet scan: its inventory id (0 if none) and target.
struct ScanItem
{
    qint64 endpointId = 0;
    ProbeTarget target;
    /// The caller's own index for the item (ad-hoc targets have no id).
    int ordinal = -1;
};

/// How a fleet is scanned.
struct ScanOptions
{
    /// Connections open at once across the whole scan.
    int concurrency = 64;
    /// Connections open at once to any one address (a host serving many
    /// names or ports is still not hammered).
    int perHost = 4;
    /// Timeouts and what to probe, for every endpoint (its budget is set by
    /// the scanner).
    ProbeOptions probe;
};

/// What a whole fleet scan did (each endpoint's result came with
/// FleetScanner::endpointDone()).
struct FleetScanSummary
{
    /// Endpoints reported with endpointDone().
    int endpoints = 0;
    /// The most connections that were open at once.
    int peakConnections = 0;
};

/// Probes many endpoints on the caller's event loop (no thread per
/// endpoint): at most `concurrency` endpoints are in progress, each on every
/// address behind its name (EndpointProber; ProbeOptions::resolver picks the
/// DNS server), and their connections share one ConnectionBudget (global
/// and per-address bounds). Every step has its timeout.
///
/// An Operation (its contract): endpointDone() reports each endpoint as it
/// ends; progress() has step "scan", `fraction` endpoints done / total and
/// `message` the last one ("host:port"). cancel() stops every probe and
/// inspection at once (their connections closed, nothing new started) and
/// finished() carries Cancelled; an endpoint cut short is not reported.
class FleetScanner : public TypedOperation<FleetScanSummary>
{
    Q_OBJECT
public:
    FleetScanner(QList<ScanItem> items, ScanOptions options, QObject* parent = nullptr);
    ~FleetScanner() override;

    /// The most connections that were open at once so far (also after a
    /// cancelled scan).
    [[nodiscard]] int peakConnections() const;

signals:
    /// One endpoint done, with a result per node.
    void endpointDone(const certdeck::probe::ScanItem& item,
                      const certdeck::probe::EndpointResult& result);
    /// What one endpoint's probe or inspection is doing; `fraction` is that
    /// endpoint's (0..1).
    void endpointStep(const certdeck::probe::ScanItem& item, const QString& step, double fraction,
                      const QString& message);

protected:
    void onStart() override;
    void onCancel() override;

private:
    void fill();
    /// Inspects the endpoint's first answering node when the probe options
    /// ask for it, then reports it.
    void inspectOrReport(const ScanItem& item, EndpointResult result);
    void report(const ScanItem& item, const EndpointResult& result);
    /// An endpoint ended without a result (cancelled).
    void endpointCut();
    void maybeFinish();

    QList<ScanItem> m_items;
    ScanOptions m_options;
    std::shared_ptr<ConnectionBudget> m_budget;
    qsizetype m_next = 0;
    int m_running = 0;
    int m_done = 0;
    QList<EndpointProber*> m_active;
    QList<TlsInspector*> m_inspectors;
};

} // namespace certdeck::probe
