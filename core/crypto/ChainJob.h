// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"
#include "crypto/AiaFetcher.h"
#include "crypto/ChainReport.h"
#include "crypto/ChainVerifier.h"
#include "crypto/TrustStore.h"

#include <QDateTime>
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
/// the thread pool and delivers the ChainReport. Inputs are taken by value.
///
/// An Operation (its contract): progress()'s step is a plain-words sentence
/// ("fetching the issuer of example.com from http://..."); cancel() aborts
/// the AIA request in flight at once and finished() follows with Cancelled
/// and no report. Destroying the job never waits for the verification: the
/// worker holds only copies and its result is dropped.
class ChainJob : public TypedOperation<ChainReport>
{
    Q_OBJECT
public:
    ChainJob(ChainInput input, TrustStore trust, QDateTime now, ChainJobOptions options = {},
             QObject* parent = nullptr);
    ~ChainJob() override;

    [[nodiscard]] bool wasCancelled() const { return isCancelled(); }
    /// The report, once finished() was emitted (empty when cancelled).
    [[nodiscard]] const ChainReport& report() const { return m_report; }

    /// Runs a job and calls `done` with its report on `context`'s thread; when
    /// `context` is destroyed first, the job is dropped and `done` never runs.
    static ChainJob* run(ChainInput input, TrustStore trust, QDateTime now, ChainJobOptions options,
                         QObject* context, std::function<void(const ChainReport&)> done);

protected:
    void onStart() override;
    void onCancel() override;

private:
    void nextHop();
    void onFetched();
    void verifyOnWorker();
    void say(const QString& sentence);

    ChainInput m_input;
    TrustStore m_trust;
    QDateTime m_now;
    ChainJobOptions m_options;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<AiaFetcher> m_fetcher;
    ChainReport m_report;
    int m_hops = 0;
};

} // namespace certdeck::crypto
