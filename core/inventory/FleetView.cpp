// SPDX-License-Identifier: GPL-3.0-or-later
#include "FleetView.h"

#include "Store.h"

namespace certdeck::inventory {

ExpiryState expiryState(const FleetRow& row, const QDateTime& now, int warnDays)
{
    return expiryState(row.certificate, now, warnDays);
}

ExpiryState expiryState(const std::optional<CertificateRecord>& certificate, const QDateTime& now,
                        int warnDays)
{
    if (!certificate) {
        return ExpiryState::NoCertificate;
    }
    // A revoked certificate is refused by clients that check, however long
    // it has left: that is what the admin must see first.
    if (certificate->revocation) {
        return ExpiryState::Revoked;
    }
    const QDateTime notAfter = certificate->notAfterUtc;
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
    case ExpiryState::Revoked:
        return QStringLiteral("REVOKED");
    case ExpiryState::NoCertificate:
        return QStringLiteral("NO CERTIFICATE");
    }
    return {};
}

std::optional<qint64> daysLeft(const FleetRow& row, const QDateTime& now)
{
    return daysLeft(row.certificate, now);
}

std::optional<qint64> daysLeft(const std::optional<CertificateRecord>& certificate,
                               const QDateTime& now)
{
    if (!certificate) {
        return std::nullopt;
    }
    const qint64 secs = now.secsTo(certificate->notAfterUtc);
    // Toward minus infinity: an expired certificate never shows 0 days.
    return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

QString sniSent(const Endpoint& endpoint)
{
    return endpoint.sniName.isEmpty() ? endpoint.host : endpoint.sniName;
}

bool sniIsSet(const Endpoint& endpoint)
{
    // The store keeps an SNI name equal to the host as none.
    return !endpoint.sniName.isEmpty() &&
           endpoint.sniName.compare(endpoint.host, Qt::CaseInsensitive) != 0;
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
