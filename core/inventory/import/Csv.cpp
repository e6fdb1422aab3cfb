// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/Csv.h"

namespace certdeck::inventory {

Result<QList<CsvRecord>> Csv::parse(const QByteArray& text, const QString& originName)
{
    const QString s = QString::fromUtf8(text);
    QList<CsvRecord> out;
    CsvRecord current;
    QString field;
    int line = 1;
    current.line = 1;
    bool inQuotes = false;
    int quoteLine = 0;
    bool fieldStarted = false;
    auto endRecord = [&]() {
        if (fieldStarted || !current.fields.isEmpty() || !field.isEmpty()) {
            current.fields << field;
            bool blank = true;
            for (const QString& f : current.fields) {
                blank = blank && f.trimmed().isEmpty();
            }
            if (!blank) {
                out << current;
            }
        }
        current = CsvRecord{};
        field.clear();
        fieldStarted = false;
    };
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s[i];
        if (inQuotes) {
            if (c == u'"') {
                if (i + 1 < s.size() && s[i + 1] == u'"') {
                    field += u'"';
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else if (c == u'\r' && i + 1 < s.size() && s[i + 1] == u'\n') {
                continue; // a CRLF inside a field is read as LF, like the rest
            } else {
                if (c == u'\n') {
                    ++line;
                }
                field += c;
            }
            continue;
        }
        if (c == u'"' && field.trimmed().isEmpty()) {
            field.clear();
            inQuotes = true;
            quoteLine = line;
            fieldStarted = true;
        } else if (c == u',') {
            current.fields << field;
            field.clear();
            fieldStarted = true;
        } else if (c == u'\n') {
            endRecord();
            ++line;
            current.line = line;
        } else if (c == u'\r') {
            continue;
        } else {
            if (current.fields.isEmpty() && field.isEmpty() && !fieldStarted) {
                current.line = line;
            }
            field += c;
        }
    }
    if (inQuotes) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 line %2: quoted field is not closed")
                        .arg(originName)
                        .arg(quoteLine));
    }
    endRecord();
    return out;
}

QString Csv::quote(const QString& field)
{
    if (!field.contains(u',') && !field.contains(u'"') && !field.contains(u'\n') &&
        !field.contains(u'\r') && field.trimmed() == field) {
        return field;
    }
    QString q = field;
    q.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + q + u'"';
}

QByteArray Csv::record(const QStringList& fields)
{
    QStringList quoted;
    for (const QString& f : fields) {
        quoted << quote(f);
    }
    return quoted.join(u',').toUtf8() + "\r\n";
}

} // namespace certdeck::inventory
