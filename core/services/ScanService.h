// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"
#include "common/Result.h"
#include "probe/assess/Findings.h"
#include "probe/scan/FleetScanner.h"
#include "services/EndpointCheck.h"
#include "services/ScanTarget.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <memory>
#include <optional>

namespace certdeck::crypto {
class ServedChainFetcher;
class TrustStore;
} // namespace certdeck::crypto
namespace certdeck::inventory {
class Store;
}
namespace certdeck::revocation {
class RevocationCheck;
}

namespace certdeck::services {

/// How endpoints are checked.
struct ScanServiceOptions
{
    /// Concurrency, per-address bound, timeouts, resolver.
    probe::ScanOptions scan;
    /// Also resumption, ALPN h2 and HSTS (about 8 connections per endpoint);
    /// without it only the main OpenSSL handshake (chain and staple) joins
    /// the raw probe, which is all the verdict needs.
    bool fullInspection = false;
    /// Check OCSP / CRL for every link of the verified chain.
    bool revocation = true;
    /// A client that must be able to connect.
    std::optional<probe::ClientProfile> client;
    /// The expiry window: fewer days left is a WARNING.
    int expiryWarnDays = 30;
};

/// Scan -> inspect -> verify -> (revocation) -> assess -> record -> report,
/// written once. For each target: every node is probed with raw
/// ClientHellos, the first that answers is inspected through OpenSSL, the
/// served chain is verified for the endpoint's name against the endpoint's
/// trust anchors, revocation is checked, and probe::assess() gives the
/// findings, grade and verdict. With a store, the check is written to the
/// endpoint's probe history before endpointChecked() reports it.
///
/// An Operation on the thread that owns it (its sockets and the store's
/// connection live there): start() once, progress(), cancel() closes every
/// connection and aborts every revocation request at once, finished()
/// exactly once. A cancelled
/// endpoint is neither recorded nor reported: nothing half-done is kept.
class ScanService : public Operation
{
    Q_OBJECT
public:
    ScanService(QList<ScanTarget> targets, ScanServiceOptions options,
                inventory::Store* store = nullptr, QObject* parent = nullptr);
    ~ScanService() override;
    ScanService(const ScanService&) = delete;
    ScanService& operator=(const ScanService&) = delete;

    /// The checks reported so far, in the order they finished.
    [[nodiscard]] const QList<EndpointCheck>& results() const { return m_results; }
    /// The worst verdict of the checks reported (Ok when none).
    [[nodiscard]] probe::ProbeVerdict worstVerdict() const;
    [[nodiscard]] int peakConnections() const { return m_peak; }
    /// Checks that could not be written to the probe history.
    [[nodiscard]] const QStringList& recordFailures() const { return m_recordFailures; }

    // progress(): `step` "scan", `fraction` endpoints done / total,
    // `message` the last one; with a single target, that endpoint's own
    // steps ("TLSv1.2 suites", "inspect: handshake") and fraction instead.
signals:
    /// One endpoint checked (and recorded, when there is a store).
    void endpointChecked(const certdeck::services::EndpointCheck& check);

protected:
    void onStart() override;
    void onCancel() override;

private:
    void onProbed(const probe::ScanItem& item, const probe::EndpointResult& result);
    void verify(EndpointCheck& check) const;
    /// Asks OCSP / CRL about every link of the verified chain (the staple
    /// answers for the leaf when it verifies), then completes the check.
    void fetchServed(EndpointCheck check);
    void afterServed(EndpointCheck check);
    void checkRevocation(EndpointCheck check);
    void complete(EndpointCheck check);
    void maybeFinish();
    [[nodiscard]] Result<std::shared_ptr<const crypto::TrustStore>>
    trustFor(const TrustAnchors& anchors) const;

    QList<ScanTarget> m_targets;
    ScanServiceOptions m_options;
    inventory::Store* m_store = nullptr;
    QPointer<probe::FleetScanner> m_scanner;
    QList<QPointer<revocation::RevocationCheck>> m_revocations; ///< in flight
    QList<QPointer<crypto::ServedChainFetcher>> m_fetches;      ///< in flight
    mutable QHash<QByteArray, std::shared_ptr<const crypto::TrustStore>> m_trust;
    QList<EndpointCheck> m_results;
    QStringList m_recordFailures;
    int m_done = 0;
    int m_peak = 0;
    bool m_scannerDone = false;
};

} // namespace certdeck::services
