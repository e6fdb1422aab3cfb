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

/// The console's default for "expiring soon" (Settings can change it).
inline constexpr int DefaultWarnDays = 30;

/// Where a row stands, for the counts strip and the status column: its
/// current certificate's revocation, else its expiry.
enum class ExpiryState
{
    NoCertificate,
    Ok,
    Expiring,
    Expired,
    Revoked ///< the inventory knows it revoked, whatever its expiry
};

/// `warnDays`: a certificate with fewer days left than this is Expiring. A
/// certificate recorded as revoked is Revoked, expired or not.
[[nodiscard]] ExpiryState expiryState(const FleetRow& row, const QDateTime& now, int warnDays);
/// The same for an endpoint's current certificate (nullopt: none).
[[nodiscard]] ExpiryState expiryState(const std::optional<CertificateRecord>& certificate,
                                      const QDateTime& now, int warnDays);

/// The word the console's Fleet page and `certdeckctl fleet list` show for a
/// state: "OK", "EXPIRING", "EXPIRED", "REVOKED", "NO CERTIFICATE".
[[nodiscard]] QString expiryStateWord(ExpiryState state);

/// Whole days from `now` until the current certificate's notAfter, counted
/// as the Fleet page counts them: rounded toward minus infinity, so one
/// second past notAfter is day -1 (as crypto::Certificate::daysLeft);
/// nullopt when the row has no certificate.
[[nodiscard]] std::optional<qint64> daysLeft(const FleetRow& row, const QDateTime& now);
[[nodiscard]] std::optional<qint64> daysLeft(const std::optional<CertificateRecord>& certificate,
                                             const QDateTime& now);

/// The name an endpoint's clients send as SNI: its SNI name when one is set,
/// else its host. The one rule of the fleet table, `fleet list|show|export`
/// (text, JSON and CSV): "sni" is always this name, and "sniSet" (CSV
/// sni_set) tells whether it was set apart from the host.
[[nodiscard]] QString sniSent(const Endpoint& endpoint);
/// Whether the endpoint has an SNI name of its own (not just its host).
[[nodiscard]] bool sniIsSet(const Endpoint& endpoint);

/// Reads every endpoint with its current certificate, last probe and deploy
/// target. Runs on the thread that owns `store`.
[[nodiscard]] Result<QList<FleetRow>> loadFleet(const Store& store);

} // namespace certdeck::inventory
