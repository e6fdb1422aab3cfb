// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/scan/ProbeRequest.h"
#include "probe/scan/ProbeResult.h"

#include <QList>
#include <QObject>
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

/// Probes many endpoints on the caller's event loop (no thread per
/// endpoint): at most `concurrency` endpoints are in progress, each on every
/// address behind its name (EndpointProber; ProbeOptions::resolver picks the
/// DNS server), and their connections share one ConnectionBudget (global
/// and per-address bounds).
/// Every step has its timeout; cancel() stops all. endpointDone() reports
/// each endpoint as it ends, finished() once after the last.
class FleetScanner : public QObject
{
    Q_OBJECT
public:
    FleetScanner(QList<ScanItem> items, ScanOptions options, QObject* parent = nullptr);
    ~FleetScanner() override;

    void start();
    void cancel();
    [[nodiscard]] bool isFinished() const { return m_finished; }
    /// The most connections that were open at once during the scan.
    [[nodiscard]] int peakConnections() const;

signals:
    /// One endpoint done, with a result per node.
    void endpointDone(const certdeck::probe::ScanItem& item,
                      const certdeck::probe::EndpointResult& result);
    /// What one endpoint's probe or inspection is doing; `fraction` is that
    /// endpoint's (0..1).
    void endpointStep(const certdeck::probe::ScanItem& item, const QString& step, double fraction,
                      const QString& message);
    /// `done` of `total` endpoints finished; `last` is the one just done.
    void progress(int done, int total, const QString& last);
    void finished();

private:
    void fill();
    /// Inspects the endpoint's first answering node when the probe options
    /// ask for it, then reports it.
    void inspectOrReport(const ScanItem& item, EndpointResult result);
    void report(const ScanItem& item, const EndpointResult& result);
    void maybeFinish();

    QList<ScanItem> m_items;
    ScanOptions m_options;
    std::shared_ptr<ConnectionBudget> m_budget;
    qsizetype m_next = 0;
    int m_running = 0;
    int m_done = 0;
    bool m_started = false;
    bool m_cancelled = false;
    bool m_finished = false;
    QList<EndpointProber*> m_active;
    QList<TlsInspector*> m_inspectors;
};

} // namespace certdeck::probe
