// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "common/ThreadedOperation.h"
#include "services/EndpointCheck.h"
#include "services/ScanService.h"

namespace certdeck::services {

namespace internal {
class ScanFlow;
}

/// What a finished ScanJob did (each check came with endpointChecked()).
struct ScanJobSummary
{
    /// Endpoints checked and reported.
    int checked = 0;
    /// The most connections that were open at once.
    int peakConnections = 0;
};

/// ScanService on a thread of its own, for the console: a ThreadedOperation,
/// so the sockets, the OpenSSL handshakes, the chain verification and the
/// store connection all live on its worker thread, and progress(),
/// endpointChecked() and finished() arrive on the thread that made the job.
///
/// The targets are given, or read from the inventory at `storeLocation` on
/// the worker thread (with their trust anchors) from `endpointIds`. With a
/// store location each check is recorded in the probe history before
/// endpointChecked() reports it.
///
/// The Operation contract holds: cancel() is pushed to the worker at once
/// (every connection closed) and finished() carries Cancelled; an inventory
/// that cannot be read, or a check that could not be recorded, is an error.
/// Destroying a running job cancels it and returns at once: the worker
/// thread ends by itself and nothing is delivered to the dead job.
class ScanJob : public ThreadedOperation<ScanJobSummary>
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

    /// The most connections open at once; once finished, also when the scan
    /// was cancelled or failed (then result() has no summary).
    [[nodiscard]] int peakConnections() const { return m_peak; }

signals:
    /// One endpoint checked (and recorded, with a store location).
    void endpointChecked(const certdeck::services::EndpointCheck& check);

private:
    friend class internal::ScanFlow;
    int m_peak = 0;
};

} // namespace certdeck::services
