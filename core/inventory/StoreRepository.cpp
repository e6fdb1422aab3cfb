// SPDX-License-Identifier: GPL-3.0-or-later
#include "StoreRepository.h"

#include "Store.h"
#include "internal/SqlSupport.h"

#include <QSqlDatabase>

namespace certdeck::inventory {

QSqlDatabase StoreRepository::db() const
{
    return QSqlDatabase::database(m_store.m_connectionName, false);
}

QString StoreRepository::location() const
{
    return m_store.m_location;
}

QString StoreRepository::actor() const
{
    return m_store.m_actor;
}

internal::Dialect StoreRepository::dialect() const
{
    return m_store.m_dialect;
}

Status StoreRepository::mutate(const QString& action, const QString& subject,
                               const std::function<Status()>& fn) const
{
    return m_store.mutate(action, subject, fn);
}

Result<qint64> StoreRepository::mutateReturningId(const QString& action, const QString& subject,
                                                  const std::function<Result<qint64>()>& fn) const
{
    qint64 id = 0;
    const Status s = mutate(action, subject, [&]() -> Status {
        auto inserted = fn();
        if (!inserted) {
            return tl::unexpected(inserted.error());
        }
        id = *inserted;
        return {};
    });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return id;
}

Result<qint64> StoreRepository::insertReturningId(QSqlQuery& q, const QString& what) const
{
    if (auto e = internal::execPrepared(q, what); !e) {
        return tl::unexpected(e.error());
    }
    return returnedId(q);
}

Result<qint64> StoreRepository::returnedId(QSqlQuery& q) const
{
    if (!q.next()) {
        return fail(ErrorCode::Database, QStringLiteral("The store returned no id"), location());
    }
    return q.value(0).toLongLong();
}

Status StoreRepository::readById(QSqlQuery& q, const QString& columns, const QString& table,
                                 const QString& noun, qint64 id) const
{
    q.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE id = ?").arg(columns, table));
    q.addBindValue(id);
    if (auto s = internal::execPrepared(q, QStringLiteral("Cannot read %1 %2").arg(noun).arg(id));
        !s) {
        return s;
    }
    if (!q.next()) {
        return fail(ErrorCode::NotFound, QStringLiteral("No %1 with id %2").arg(noun).arg(id),
                    location());
    }
    return {};
}

} // namespace certdeck::inventory
