// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "inventory/StoreRepository.h"

#include <QHash>
#include <QList>

namespace certdeck::inventory {

/// The probe history: what each scan of an endpoint found
/// (`store.probes()`).
class ProbeRepository : public StoreRepository
{
public:
    explicit ProbeRepository(Store& store)
        : StoreRepository(store)
    {}

    [[nodiscard]] Result<qint64> add(const ProbeRecord& probe);
    /// The endpoint's newest `limit` probes, newest first.
    [[nodiscard]] Result<QList<ProbeRecord>> history(qint64 endpointId, int limit = 50) const;
    /// Every endpoint's newest probe, keyed by endpoint id, without its
    /// reportJson (read history() for the report). One query, for fleet views.
    [[nodiscard]] Result<QHash<qint64, ProbeRecord>> latest() const;
};

} // namespace certdeck::inventory
