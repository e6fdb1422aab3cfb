// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/FleetView.h"
#include "inventory/Records.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QStringList>
#include <optional>

namespace certdeck::inventory {

/// One row of the fleet table: an endpoint and its current certificate.
struct FleetCsvRow
{
    Endpoint endpoint;
    std::optional<CertificateRecord> certificate;
};

/// The fleet table as CSV for spreadsheets: host, port, sni (the name sent:
/// the SNI name, else the host), sni_set ("yes" when the endpoint has an SNI
/// name of its own), group, tags (`;`-separated), kind, issuer, not_after
/// (ISO 8601 UTC), days_left, status, notes, connect_to (the address used
/// instead of resolving the host), address (HOST:PORT, brackets for IPv6);
/// RFC 4180 quoting, CRLF line ends, UTF-8. sni, address, days_left and
/// status are FleetView's, as `fleet list` and the console show them. The
/// host list importer reads it back (host, port, sni, group, tags, notes,
/// connect_to).
class FleetCsv
{
public:
    [[nodiscard]] static QStringList header();
    /// `nowUtc` is injected so days_left and status are reproducible;
    /// `warnDays` draws the EXPIRING line.
    [[nodiscard]] static QByteArray write(const QList<FleetCsvRow>& rows, const QDateTime& nowUtc,
                                          int warnDays = DefaultWarnDays);
};

} // namespace certdeck::inventory
