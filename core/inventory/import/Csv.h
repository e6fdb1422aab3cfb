// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::inventory {

/// One CSV record and the line it starts on.
struct CsvRecord
{
    int line = 0;
    QStringList fields;
};

/// RFC 4180 CSV: fields separated by commas, quoted with `"` when they hold
/// a comma, a quote or a line break, quotes doubled inside. Small enough that
/// a library is not worth a dependency.
class Csv
{
public:
    /// Splits `text` (UTF-8, LF or CRLF) into records; blank lines are
    /// skipped. An unterminated quote is an error naming the line it opened on.
    [[nodiscard]] static Result<QList<CsvRecord>> parse(const QByteArray& text,
                                                        const QString& originName);
    /// The field, quoted when it must be.
    [[nodiscard]] static QString quote(const QString& field);
    /// One record with its CRLF, as RFC 4180 and spreadsheets expect.
    [[nodiscard]] static QByteArray record(const QStringList& fields);
};

} // namespace certdeck::inventory
