// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/Records.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <optional>

namespace certdeck::inventory {

class Store;

/// One row of the fleet table: an endpoint with its current certificate,
/// its last probe and its deploy target.
struct FleetRow
{
    Endpoint endpoint;
    std::optional<CertificateRecord> certificate; ///< the newest version's certificate
    std::optional<ProbeRecord> lastProbe;
    std::optional<DeployTarget> deployTarget;
};

/// Where a row stands on expiry, for the counts strip and the status column.
enum class ExpiryState
{
    NoCertificate,
    Ok,
    Expiring,
    Expired
};

/// `warnDays`: a certificate with fewer days left than this is Expiring.
[[nodiscard]] ExpiryState expiryState(const FleetRow& row, const QDateTime& now, int warnDays);

/// The word the console's Fleet page and `certdeckctl fleet list` show for a
/// state: "OK", "EXPIRING", "EXPIRED", "NO CERTIFICATE".
[[nodiscard]] QString expiryStateWord(ExpiryState state);

/// Whole days from `now` until the current certificate's notAfter, counted
/// as the Fleet page counts them (truncated toward zero, negative once
/// expired); nullopt when the row has no certificate.
[[nodiscard]] std::optional<qint64> daysLeft(const FleetRow& row, const QDateTime& now);

/// Reads every endpoint with its current certificate, last probe and deploy
/// target. Runs on the thread that owns `store`.
[[nodiscard]] Result<QList<FleetRow>> loadFleet(const Store& store);

} // namespace certdeck::inventory
