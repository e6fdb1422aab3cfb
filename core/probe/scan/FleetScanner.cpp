// SPDX-License-Identifier: GPL-3.0-or-later
#include "FleetScanner.h"

#include "probe/assess/ProbeReport.h"
#include "probe/inspect/TlsInspection.h"
#include "probe/inspect/TlsInspector.h"
#include "probe/scan/ConnectionBudget.h"
#include "probe/scan/EndpointProber.h"

#include <algorithm>

namespace certdeck::probe {

FleetScanner::FleetScanner(QList<ScanItem> items, ScanOptions options, QObject* parent)
    : TypedOperation<FleetScanSummary>(parent)
    , m_items(std::move(items))
    , m_options(std::move(options))
    , m_budget(std::make_shared<ConnectionBudget>(m_options.concurrency, m_options.perHost))
{
    m_options.probe.budget = m_budget;
    // One endpoint never needs more than the per-host bound for itself.
    m_options.probe.maxConnections =
        std::max(1, std::min(m_options.probe.maxConnections, m_options.perHost));
}

FleetScanner::~FleetScanner()
{
    // Probers first (they give their slots back to the budget they share).
    qDeleteAll(m_active);
    m_active.clear();
    qDeleteAll(m_inspectors);
    m_inspectors.clear();
}

int FleetScanner::peakConnections() const
{
    return m_budget->peak();
}

void FleetScanner::onStart()
{
    fill();
    maybeFinish();
}

void FleetScanner::fill()
{
    // Endpoints in progress are bounded too: an endpoint's timeouts should
    // not run while it only waits for a connection slot.
    while (!isEnding() && m_next < m_items.size() && m_running < m_options.concurrency) {
        const ScanItem item = m_items.at(m_next++);
        auto* prober = new EndpointProber(item.target, m_options.probe, this);
        m_active.append(prober);
        ++m_running;
        connect(prober, &EndpointProber::progress, this,
                [this, item](const QString& step, double fraction, const QString& message) {
                    // The raw probe is most of an endpoint's work.
                    emit endpointStep(item, step, fraction * 0.9, message);
                });
        connect(prober, &EndpointProber::finished, this, [this, prober, item] {
            auto result = prober->result();
            m_active.removeOne(prober);
            prober->deleteLater();
            if (!result) {
                // Only a cancelled probe has no result, and then so is the scan.
                endpointCut();
                return;
            }
            inspectOrReport(item, std::move(*result));
        });
        prober->start();
    }
}

void FleetScanner::inspectOrReport(const ScanItem& item, EndpointResult result)
{
    const ProbeResult* up = nullptr;
    for (const ProbeResult& n : result.nodes) {
        if (anyProtocolAccepted(n)) {
            up = &n;
            break;
        }
    }
    if (!m_options.probe.inspect || up == nullptr) {
        report(item, result);
        return;
    }
    // The inspection looks at the node the raw probe found answering, under
    // the same connection budget.
    ProbeTarget pinned = item.target;
    pinned.address = up->address;
    auto* inspector = new TlsInspector(pinned, m_options.probe, this);
    m_inspectors.append(inspector);
    connect(inspector, &TlsInspector::progress, this,
            [this, item](const QString& step, double fraction, const QString& message) {
                emit endpointStep(item, QStringLiteral("inspect: ") + step, 0.9 + fraction * 0.1,
                                  message);
            });
    connect(inspector, &TlsInspector::finished, this,
            [this, inspector, item, result = std::move(result)]() mutable {
                m_inspectors.removeOne(inspector);
                inspector->deleteLater();
                auto inspection = inspector->result();
                if (!inspection) {
                    endpointCut(); // cancelled
                    return;
                }
                result.inspection = std::make_shared<const TlsInspection>(std::move(*inspection));
                report(item, result);
            });
    inspector->start();
}

void FleetScanner::report(const ScanItem& item, const EndpointResult& result)
{
    --m_running;
    ++m_done;
    emit endpointDone(item, result);
    const QString host = item.target.host.contains(u':')
                             ? QStringLiteral("[%1]").arg(item.target.host)
                             : item.target.host;
    reportProgress(QStringLiteral("scan"),
                   m_items.isEmpty() ? 1.0 : double(m_done) / double(m_items.size()),
                   QStringLiteral("%1:%2").arg(host).arg(item.target.port));
    fill();
    maybeFinish();
}

void FleetScanner::endpointCut()
{
    --m_running;
    fill();
    maybeFinish();
}

void FleetScanner::onCancel()
{
    // Every probe and inspection closes its connections now; the scan ends
    // without them (they are not reported), and nothing new starts.
    const QList<EndpointProber*> active = m_active;
    m_active.clear();
    for (EndpointProber* p : active) {
        disconnect(p, nullptr, this, nullptr);
        p->cancel();
        p->deleteLater();
    }
    const QList<TlsInspector*> inspecting = m_inspectors;
    m_inspectors.clear();
    for (TlsInspector* i : inspecting) {
        disconnect(i, nullptr, this, nullptr);
        i->cancel();
        i->deleteLater();
    }
    m_running = 0;
    maybeFinish();
}

void FleetScanner::maybeFinish()
{
    if (isEnding() || m_running > 0 || (!isCancelled() && m_next < m_items.size())) {
        return;
    }
    finishWith(FleetScanSummary{m_done, m_budget->peak()});
}

} // namespace certdeck::probe
