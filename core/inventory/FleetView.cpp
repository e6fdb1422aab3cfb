// SPDX-License-Identifier: GPL-3.0-or-later
#include "FleetView.h"

#include "Store.h"

namespace certdeck::inventory {

ExpiryState expiryState(const FleetRow& row, const QDateTime& now, int warnDays)
{
    if (!row.certificate) {
        return ExpiryState::NoCertificate;
    }
    const QDateTime notAfter = row.certificate->notAfterUtc;
    if (notAfter <= now) {
        return ExpiryState::Expired;
    }
    return now.secsTo(notAfter) < qint64(warnDays) * 86400 ? ExpiryState::Expiring
                                                           : ExpiryState::Ok;
}

Result<QList<FleetRow>> loadFleet(const Store& store)
{
    auto endpoints = store.listEndpoints();
    if (!endpoints) {
        return tl::unexpected(endpoints.error());
    }
    QList<FleetRow> rows;
    rows.reserve(endpoints->size());
    for (const Endpoint& e : *endpoints) {
        FleetRow row;
        row.endpoint = e;
        auto versions = store.certificateVersions(e.id);
        if (!versions) {
            return tl::unexpected(versions.error());
        }
        if (!versions->isEmpty()) {
            auto cert = store.certificate(versions->constLast().certificateId);
            if (!cert) {
                return tl::unexpected(cert.error());
            }
            row.certificate = *cert;
        }
        auto probes = store.probes(e.id, 1);
        if (!probes) {
            return tl::unexpected(probes.error());
        }
        if (!probes->isEmpty()) {
            row.lastProbe = probes->constFirst();
        }
        if (e.deployTargetId) {
            auto target = store.deployTarget(*e.deployTargetId);
            if (target) {
                row.deployTarget = *target;
            }
        }
        rows << row;
    }
    return rows;
}

} // namespace certdeck::inventory
