// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "inventory/StoreRepository.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <optional>

namespace certdeck::inventory {

/// Named bundles of CA certificates (an internal CA's anchors) and which
/// endpoints and groups use them (`store.trustBundles()`).
class TrustBundleRepository : public StoreRepository
{
public:
    explicit TrustBundleRepository(Store& store)
        : StoreRepository(store)
    {}

    /// Keeps a named bundle of CA certificates (PEM). The PEM must hold at
    /// least one certificate and nothing that does not parse (InvalidInput
    /// naming the block); an existing name is a Conflict.
    [[nodiscard]] Result<TrustBundle> add(const QString& name, const QByteArray& pem);
    /// Replaces the certificates of an existing bundle (same checks).
    [[nodiscard]] Result<TrustBundle> replace(const QString& name, const QByteArray& pem);
    /// All bundles, by name.
    [[nodiscard]] Result<QList<TrustBundle>> list() const;
    /// One bundle by name, or by id when `nameOrId` is "#ID"; NotFound naming it.
    [[nodiscard]] Result<TrustBundle> get(const QString& nameOrId) const;
    [[nodiscard]] Result<TrustBundle> byId(qint64 id) const;
    /// Removes a bundle; Conflict naming the endpoints and groups still using it.
    [[nodiscard]] Status remove(const QString& name);
    /// Sets (or with nullopt clears) the bundle of every endpoint in `group`
    /// that has none of its own.
    [[nodiscard]] Status setForGroup(const QString& group, const std::optional<qint64>& bundleId);
    /// Group name -> bundle id, for the groups that have one.
    [[nodiscard]] Result<QHash<QString, qint64>> byGroup() const;
    /// The bundle that applies to `endpoint`: its own, else its group's;
    /// nullopt: the system trust store.
    [[nodiscard]] Result<std::optional<TrustBundle>> effectiveFor(const Endpoint& endpoint) const;
};

} // namespace certdeck::inventory
