// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/FleetScanner.h"
#include "probe/ProbeResult.h"

#include <QObject>
#include <QPointer>

class QThread;

namespace certdeck::probe {

/// A FleetScanner run on a thread of its own, so the console stays
/// responsive while hundreds of endpoints are probed: its sockets live on
/// that thread's event loop, and every endpoint's result is delivered to the
/// job's thread as soon as it is known (endpointDone), with progress.
/// cancel() stops the scan; finished() is emitted once, also after a cancel.
/// Destroying a running job cancels it and waits for its thread.
class FleetScanJob : public QObject
{
    Q_OBJECT
public:
    FleetScanJob(QList<ScanItem> items, ScanOptions options, QObject* parent = nullptr);
    ~FleetScanJob() override;
    FleetScanJob(const FleetScanJob&) = delete;
    FleetScanJob& operator=(const FleetScanJob&) = delete;

    /// Starts the scan; calling it again does nothing.
    void start();
    /// Asks the scan to stop; endpoints in progress end as cancelled.
    void cancel();
    [[nodiscard]] bool isRunning() const { return m_started && !m_finished; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] int total() const { return m_total; }

signals:
    /// The endpoint's first node (IPv4 first), as a single-address scan
    /// reported it; endpointNodesDone() has every node.
    void endpointDone(const certdeck::probe::ScanItem& item,
                      const certdeck::probe::ProbeResult& result);
    /// Every node behind the endpoint's name; emitted right after
    /// endpointDone() for the same endpoint.
    void endpointNodesDone(const certdeck::probe::ScanItem& item,
                           const certdeck::probe::EndpointResult& result);
    /// `done` of `total` endpoints finished; `last` is "host:port".
    void progress(int done, int total, const QString& last);
    /// The scan ended; `peakConnections` is the most connections that were
    /// open at once.
    void finished(bool cancelled, int peakConnections);

private:
    void onScannerFinished(int peak);

    QList<ScanItem> m_items;
    ScanOptions m_options;
    QThread* m_thread = nullptr;
    QPointer<FleetScanner> m_scanner;
    int m_total = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_cancelled = false;
};

} // namespace certdeck::probe
