// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CliSupport.h"
#include "inventory/Records.h"

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <optional>

namespace certdeck::cli {

/// Where an endpoint's current certificate stands, in the words of the
/// console's Fleet page (inventory/FleetView.h), as list, show and --check
/// print it.
struct FleetExpiry
{
    QString date;   ///< "2027-03-01" (UTC), or "-"
    QString days;   ///< "89", "-3", or "-"
    QString status; ///< "OK", "EXPIRING", "EXPIRED", "REVOKED", "NO CERTIFICATE"
    QJsonValue notAfter;
    QJsonValue daysLeft;
};

[[nodiscard]] FleetExpiry fleetExpiry(const std::optional<inventory::CertificateRecord>& current,
                                      const QDateTime& now, int warnDays);

/// An endpoint as list, show, add, edit and rm give it in JSON. "address" is
/// HOST:PORT (brackets around IPv6), "sni" the name sent (the SNI name, else
/// the host) with "sniSet" telling whether one was set, "connectTo" the
/// address used instead of resolving the host ("" when none).
[[nodiscard]] QJsonObject fleetEndpointJson(const inventory::Endpoint& e);

/// The same with the current certificate's notAfter, daysLeft and status.
[[nodiscard]] QJsonObject fleetEndpointJson(const inventory::Endpoint& e,
                                            const FleetExpiry& expiry);

/// --warn-days of list and show.
[[nodiscard]] const QCommandLineOption& warnDaysOption();
[[nodiscard]] Result<int> warnDaysOf(const QCommandLineParser& p);

/// "2027-03-01T12:00:00Z", or "-" for an invalid time.
[[nodiscard]] QString utcText(const QDateTime& t);

} // namespace certdeck::cli
