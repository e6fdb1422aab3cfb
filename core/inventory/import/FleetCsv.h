// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

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

/// The fleet table as CSV for spreadsheets: host, port, sni, group, tags
/// (`;`-separated), kind, issuer, not_after (ISO 8601 UTC), days_left,
/// notes, address; RFC 4180 quoting, CRLF line ends, UTF-8. The host list
/// importer reads it back (host, port, sni, group, tags, notes, address).
class FleetCsv
{
public:
    [[nodiscard]] static QStringList header();
    /// `nowUtc` is injected so days_left is reproducible.
    [[nodiscard]] static QByteArray write(const QList<FleetCsvRow>& rows, const QDateTime& nowUtc);
};

} // namespace certdeck::inventory
