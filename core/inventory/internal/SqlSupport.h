// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace certdeck::inventory::internal {

/// How long an SQLite writer waits for another one before giving up.
inline constexpr int kSqliteBusyTimeoutMs = 5000;

inline Error dbError(const QString& what, const QSqlError& e, const QString& where)
{
    return Error{ErrorCode::Database, what, where + QStringLiteral(": ") + e.text().trimmed()};
}

/// Times are stored as ISO 8601 UTC text with seconds ("2026-01-02T03:04:05Z").
inline QString timeText(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

inline QDateTime timeFromText(const QString& s)
{
    QDateTime t = QDateTime::fromString(s, Qt::ISODate);
    return t.isValid() ? t.toUTC() : QDateTime();
}

inline QString nowText()
{
    return timeText(QDateTime::currentDateTimeUtc());
}

/// A NULL-able id for bindValue.
inline QVariant idOrNull(const std::optional<qint64>& id)
{
    return id ? QVariant(*id) : QVariant(QMetaType(QMetaType::LongLong));
}

inline std::optional<qint64> idFrom(const QVariant& v)
{
    return v.isNull() ? std::nullopt : std::optional<qint64>(v.toLongLong());
}

/// Executes a prepared statement. Qt binds a null QString as SQL NULL; text
/// columns here are NOT NULL with '' for "none", so null strings are bound
/// as empty ones first.
inline bool execBound(QSqlQuery& q)
{
    const QVariantList values = q.boundValues();
    for (qsizetype i = 0; i < values.size(); ++i) {
        const QVariant& v = values.at(i);
        if (v.typeId() == QMetaType::QString && v.toString().isNull()) {
            q.bindValue(static_cast<int>(i), QStringLiteral(""));
        }
    }
    return q.exec();
}

/// Runs a prepared statement; on failure an Error naming `what`.
inline Status execPrepared(QSqlQuery& q, const QString& what)
{
    if (!execBound(q)) {
        return tl::unexpected(dbError(what, q.lastError(), q.lastQuery().left(60)));
    }
    return {};
}

/// InvalidInput naming `what` and the allowed values unless `value` is one of them.
inline Status oneOf(const QString& value, const QStringList& allowed, const QString& what)
{
    if (allowed.contains(value)) {
        return {};
    }
    return fail(ErrorCode::InvalidInput, QStringLiteral("Unknown %1 '%2'; use one of: %3")
                                             .arg(what, value, allowed.join(QLatin1String(", "))));
}

/// True when the error is a UNIQUE violation (SQLite 2067/1555 "UNIQUE
/// constraint failed", PostgreSQL SQLSTATE 23505).
inline bool isUniqueViolation(const QSqlError& e)
{
    const QString code = e.nativeErrorCode();
    return code == QLatin1String("23505") || code == QLatin1String("2067") ||
           code == QLatin1String("1555") ||
           e.text().contains(QLatin1String("UNIQUE constraint failed"));
}

} // namespace certdeck::inventory::internal
