// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "inventory/StoreRepository.h"

#include <QList>
#include <optional>

namespace certdeck::inventory {

/// Issuers (ACME accounts, local CAs) and the endpoints' renewal policies
/// that name them (`store.issuers()`).
class IssuerRepository : public StoreRepository
{
public:
    explicit IssuerRepository(Store& store)
        : StoreRepository(store)
    {}

    /// Stores an ACME account or local CA; the same name twice is a Conflict.
    [[nodiscard]] Result<qint64> add(const IssuerRecord& issuer);
    /// All issuers, by name.
    [[nodiscard]] Result<QList<IssuerRecord>> list() const;
    /// One issuer; NotFound naming the id.
    [[nodiscard]] Result<IssuerRecord> get(qint64 id) const;
    /// Rewrites every column of issuer `issuer.id` (a renamed issuer keeps
    /// the name rule of add()); NotFound when it does not exist.
    [[nodiscard]] Status update(const IssuerRecord& issuer);

    /// Sets the endpoint's renewal policy (one per endpoint, replaced when
    /// set again); returns it with its id.
    [[nodiscard]] Result<RenewalPolicy> setRenewalPolicy(const RenewalPolicy& policy);
    /// The endpoint's policy, or nullopt when none was set.
    [[nodiscard]] Result<std::optional<RenewalPolicy>> renewalPolicy(qint64 endpointId) const;
};

} // namespace certdeck::inventory
