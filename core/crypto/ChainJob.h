// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/AiaFetcher.h"
#include "crypto/ChainReport.h"
#include "crypto/ChainVerifier.h"
#include "crypto/TrustStore.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QObject>
#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace certdeck::crypto {

/// How a ChainJob runs.
struct ChainJobOptions
{
    ChainVerifyOptions verify;
    bool fetchAia = true; ///< fetch missing issuers through AIA caIssuers
    int maxAiaHops = 3;   ///< at most this many issuers fetched in a row
    AiaLimits aia;
};

/// Checks a chain without blocking the caller's thread: fetches missing
/// issuers through AIA on the caller's event loop, then runs ChainVerifier on
/// a worker thread and delivers the ChainReport. Inputs are taken by value.
class ChainJob : public QObject
{
    Q_OBJECT
public:
    ChainJob(ChainInput input, TrustStore trust, QDateTime now, ChainJobOptions options = {},
             QObject* parent = nullptr);
    ~ChainJob() override;

    /// Starts the job and returns at once; finished() follows.
    void start();
    /// Stops fetching; finished() follows with wasCancelled() true and no report.
    void cancel();

    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] bool wasCancelled() const { return m_cancelled; }
    /// The report, once finished() was emitted (empty when cancelled).
    [[nodiscard]] const ChainReport& report() const { return m_report; }

    /// Runs a job and calls `done` with its report on `context`'s thread; when
    /// `context` is destroyed first, the job is dropped and `done` never runs.
    static ChainJob* run(ChainInput input, TrustStore trust, QDateTime now, ChainJobOptions options,
                         QObject* context, std::function<void(const ChainReport&)> done);

signals:
    /// Plain-words progress ("fetching the issuer of example.com from http://...").
    void progress(const QString& message);
    void finished();

private:
    void nextHop();
    void onFetched();
    void verifyOnWorker();
    void finish();

    ChainInput m_input;
    TrustStore m_trust;
    QDateTime m_now;
    ChainJobOptions m_options;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<AiaFetcher> m_fetcher;
    QFutureWatcher<ChainReport> m_watcher;
    ChainReport m_report;
    int m_hops = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_cancelled = false;
};

} // namespace certdeck::crypto
