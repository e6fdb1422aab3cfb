// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "inventory/StoreRepository.h"

#include <QHash>
#include <QList>

namespace certdeck::inventory {

/// Which endpoints `list` returns; empty fields match everything.
struct EndpointFilter
{
    QString group; ///< exact group name
    QString text;  ///< case-insensitive substring of host, SNI, group, tags or notes
};

/// The endpoints of the fleet and the deploy targets their certificates go
/// to (`store.endpoints()`).
class EndpointRepository : public StoreRepository
{
public:
    explicit EndpointRepository(Store& store)
        : StoreRepository(store)
    {}

    /// Stores a new endpoint; returns it with id, revision 1 and times. The
    /// same host:port:SNI twice is a Conflict naming it.
    [[nodiscard]] Result<Endpoint> add(const Endpoint& endpoint);
    [[nodiscard]] Result<Endpoint> get(qint64 id) const;
    /// The endpoints at host:port (one per SNI name), oldest first.
    [[nodiscard]] Result<QList<Endpoint>> at(const QString& host, quint16 port) const;
    /// The endpoint an admin names: its id, or HOST[:PORT] (443 by default),
    /// with `sni` when several endpoints share the address. NotFound names
    /// the address; several matches without `sni` is InvalidInput listing
    /// their ids and SNI names.
    [[nodiscard]] Result<Endpoint> resolve(const QString& ref, const QString& sni = {}) const;
    /// Endpoints matching `filter`, ordered by group, host, port.
    [[nodiscard]] Result<QList<Endpoint>> list(const EndpointFilter& filter = {}) const;
    /// Saves `endpoint` if its revision is still the stored one, and returns
    /// it with the new revision. If someone changed it meanwhile: Conflict
    /// naming the endpoint, who changed it and when; nothing is written.
    [[nodiscard]] Result<Endpoint> update(const Endpoint& endpoint);
    /// Removes the endpoint with its history (versions, probes, alerts).
    [[nodiscard]] Status remove(qint64 id);

    /// The checks addDeployTarget() and updateDeployTarget() make, without
    /// the store: an import checks every target of its source this way, also
    /// those it then does not need to add.
    [[nodiscard]] static Status checkDeployTarget(const DeployTarget& target);
    [[nodiscard]] Result<DeployTarget> addDeployTarget(const DeployTarget& target);
    [[nodiscard]] Result<DeployTarget> deployTarget(qint64 id) const;
    /// Same revision rule as update().
    [[nodiscard]] Result<DeployTarget> updateDeployTarget(const DeployTarget& target);
    /// Every deploy target, keyed by id. One query, for whole-fleet views.
    [[nodiscard]] Result<QHash<qint64, DeployTarget>> deployTargets() const;
};

} // namespace certdeck::inventory
