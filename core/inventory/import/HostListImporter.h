// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/import/ImportPlan.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace certdeck::inventory {

/// Reads a list of endpoints in one of two shapes, told apart by content:
///
/// - lines: `host`, `host:port`, `[2001:db8::1]:8443`, `https://host:port/`,
///   with `#` comments and blank lines; a host alone is the HTTPS port, 443,
///   as is an https URL without a port; a URL of another scheme must name
///   its port (`http://host/` is refused: 443 would be a guess);
/// - CSV with a header row naming its columns: `host` (required), `port`,
///   `sni`, `group`, `tags` (separated by `;`), `notes`, `address` — the
///   columns the fleet CSV export writes, so an export reads back in.
///
/// Hosts and ports are read by parseHostPort() (common/HostPort.h). A
/// malformed line (port 0, 70000 or "abc", a malformed IPv6 literal or host
/// name, more than one word, a bad CSV cell) refuses the whole list with an
/// error naming every such line (refuseMalformed()): nothing is made up from
/// a line that could not be read. Duplicates are merged with a warning,
/// unknown CSV columns are ignored with one. Binary data, CSV without a
/// `host` column and an unterminated CSV quote are errors too.
class HostListImporter
{
public:
    static constexpr qint64 MaxBytes = 16 * 1024 * 1024;

    enum class Format
    {
        Lines,
        Csv
    };

    struct Options
    {
        QString group;    ///< for rows that name none
        QStringList tags; ///< added to every endpoint
    };

    [[nodiscard]] static Format detect(const QByteArray& text);
    [[nodiscard]] static Result<ImportPlan> parse(const QByteArray& text, const QString& originName,
                                                  const Options& options = {});
    [[nodiscard]] static Result<ImportPlan> readFile(const QString& path,
                                                     const Options& options = {});
};

} // namespace certdeck::inventory
