// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "services/EndpointCheck.h"
#include "services/ScanService.h"

#include <QObject>
#include <memory>

namespace certdeck::services {

namespace internal {
struct ScanJobShared;
}

/// ScanService on a thread of its own, for the console: the sockets, the
/// OpenSSL handshakes, the chain verification and the store connection all
/// live on that thread (a connection of its own to the store the process
/// already opened and checked, see inventory::OpenedStore); the job's
/// signals arrive on the thread that made it.
///
/// The targets are given, or read from the inventory at `storeLocation` on
/// the worker thread (with their trust anchors) from `endpointIds`. With a
/// store location each check is recorded in the probe history before
/// endpointChecked() reports it.
///
/// cancel() is pushed to the worker at once (every connection closed);
/// finished() is emitted exactly once. Destroying a running job cancels it
/// and returns at once: the worker thread ends by itself and nothing is
/// delivered to the dead job.
class ScanJob : public QObject
{
    Q_OBJECT
public:
    ScanJob(QList<ScanTarget> targets, ScanServiceOptions options, QString storeLocation = {},
            QObject* parent = nullptr);
    ScanJob(QList<qint64> endpointIds, ScanServiceOptions options, QString storeLocation,
            QObject* parent = nullptr);
    ~ScanJob() override;
    ScanJob(const ScanJob&) = delete;
    ScanJob& operator=(const ScanJob&) = delete;

    void start();
    void cancel();
    [[nodiscard]] bool isRunning() const { return m_started && !m_finished; }
    [[nodiscard]] bool isFinished() const { return m_finished; }

signals:
    void progress(const QString& step, double fraction, const QString& message);
    void endpointChecked(const certdeck::services::EndpointCheck& check);
    /// `status` is Cancelled after cancel(), an error when the inventory
    /// could not be read or a check not recorded; `peakConnections` is the
    /// most connections open at once.
    void finished(const certdeck::Status& status, int peakConnections);

private:
    std::shared_ptr<internal::ScanJobShared> m_shared;
    bool m_started = false;
    bool m_finished = false;
};

} // namespace certdeck::services
