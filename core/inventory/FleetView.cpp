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

QString expiryStateWord(ExpiryState state)
{
    switch (state) {
    case ExpiryState::Ok:
        return QStringLiteral("OK");
    case ExpiryState::Expiring:
        return QStringLiteral("EXPIRING");
    case ExpiryState::Expired:
        return QStringLiteral("EXPIRED");
    case ExpiryState::NoCertificate:
        return QStringLiteral("NO CERTIFICATE");
    }
    return {};
}

std::optional<qint64> daysLeft(const FleetRow& row, const QDateTime& now)
{
    if (!row.certificate) {
        return std::nullopt;
    }
    return now.secsTo(row.certificate->notAfterUtc) / 86400;
}

Result<QList<FleetRow>> loadFleet(const Store& store)
{
    // Four queries whatever the fleet's size: endpoints, current certificates,
    // latest probes, deploy targets; joined here by id.
    auto endpoints = store.endpoints().list();
    if (!endpoints) {
        return tl::unexpected(endpoints.error());
    }
    auto certificates = store.certificates().current();
    if (!certificates) {
        return tl::unexpected(certificates.error());
    }
    auto probes = store.probes().latest();
    if (!probes) {
        return tl::unexpected(probes.error());
    }
    auto targets = store.endpoints().deployTargets();
    if (!targets) {
        return tl::unexpected(targets.error());
    }
    QList<FleetRow> rows;
    rows.reserve(endpoints->size());
    for (const Endpoint& e : std::as_const(*endpoints)) {
        FleetRow row;
        row.endpoint = e;
        if (auto c = certificates->constFind(e.id); c != certificates->constEnd()) {
            row.certificate = *c;
        }
        if (auto p = probes->constFind(e.id); p != probes->constEnd()) {
            row.lastProbe = *p;
        }
        if (e.deployTargetId) {
            if (auto t = targets->constFind(*e.deployTargetId); t != targets->constEnd()) {
                row.deployTarget = *t;
            }
        }
        rows << row;
    }
    return rows;
}

} // namespace certdeck::inventory
