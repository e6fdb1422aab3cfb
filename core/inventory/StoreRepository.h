// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>
#include <functional>

class QSqlDatabase;
class QSqlQuery;

namespace certdeck::inventory {

class Store;

namespace internal {
enum class Dialect;
}

/// What every repository of a Store shares: the store's connection (one per
/// thread, see OpenedStore), its transaction helper and its audit rule. A
/// repository lives inside its Store, is reached through it
/// (`store.endpoints()`) and is used on the Store's thread only.
class StoreRepository
{
public:
    StoreRepository(const StoreRepository&) = delete;
    StoreRepository& operator=(const StoreRepository&) = delete;

protected:
    explicit StoreRepository(Store& store)
        : m_store(store)
    {}
    ~StoreRepository() = default;

    [[nodiscard]] QSqlDatabase db() const;
    /// Where the store is, for errors.
    [[nodiscard]] QString location() const;
    /// Who the audit log names (Store::actor()).
    [[nodiscard]] QString actor() const;
    [[nodiscard]] internal::Dialect dialect() const;
    /// Runs `fn` in a transaction and audits it: on success the entry is part
    /// of the transaction; on failure a failed entry is written afterwards.
    [[nodiscard]] Status mutate(const QString& action, const QString& subject,
                                const std::function<Status()>& fn) const;
    /// mutate() around `fn`, which inserts one row: the row's id.
    [[nodiscard]] Result<qint64> mutateReturningId(const QString& action, const QString& subject,
                                                   const std::function<Result<qint64>()>& fn) const;
    /// Runs an INSERT ... RETURNING id prepared in `q`.
    [[nodiscard]] Result<qint64> insertReturningId(QSqlQuery& q, const QString& what) const;
    /// The id an INSERT ... RETURNING id that ran in `q` returned.
    [[nodiscard]] Result<qint64> returnedId(QSqlQuery& q) const;
    /// Selects `columns` of the row of `table` with this id into `q`,
    /// positioned on it. Errors name `noun` and the id: "No endpoint with id 7".
    [[nodiscard]] Status readById(QSqlQuery& q, const QString& columns, const QString& table,
                                  const QString& noun, qint64 id) const;

    Store& m_store;
};

} // namespace certdeck::inventory
