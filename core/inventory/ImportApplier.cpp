// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportApplier.h"

#include "RecordNames.h"
#include "Store.h"

#include <QHash>
#include <QSet>

namespace certdeck::inventory {

Result<ImportSummary> ImportApplier::apply(Store& store, const ImportPlan& plan)
{
    ImportSummary summary;
    QList<qint64> endpointIds(plan.endpoints.size(), 0);
    QHash<int, qint64> issuerIds;
    const Status st = store.transaction([&]() -> Status {
        QList<qint64> targetIds;
        for (const DeployTarget& t : plan.deployTargets) {
            auto added = store.endpoints().addDeployTarget(t);
            if (!added) {
                Error e = added.error();
                e.message =
                    QStringLiteral("Deploy target %1@%2: %3").arg(t.sshUser, t.sshHost, e.message);
                return tl::unexpected(e);
            }
            targetIds << added->id;
            ++summary.deployTargets;
        }
        for (qsizetype i = 0; i < plan.endpoints.size(); ++i) {
            Endpoint e = plan.endpoints.at(i);
            const int targetIndex =
                i < plan.endpointDeployTarget.size() ? plan.endpointDeployTarget.at(i) : -1;
            if (targetIndex >= 0 && targetIndex < targetIds.size()) {
                e.deployTargetId = targetIds.at(targetIndex);
            }
            auto existing = store.endpoints().at(e.host, e.port);
            if (!existing) {
                return tl::unexpected(existing.error());
            }
            bool found = false;
            for (const Endpoint& x : *existing) {
                if (x.sniName.compare(e.sniName, Qt::CaseInsensitive) == 0) {
                    endpointIds[i] = x.id;
                    found = true;
                }
            }
            if (found) {
                ++summary.endpointsExisting;
                summary.notes << QStringLiteral("%1 is already in the inventory; kept as it is")
                                     .arg(endpointAddress(e.host, e.port));
                continue;
            }
            auto added = store.endpoints().add(e);
            if (!added) {
                return tl::unexpected(added.error());
            }
            endpointIds[i] = added->id;
            ++summary.endpointsAdded;
        }
        for (const PlannedCertificate& c : plan.certificates) {
            CertificateOrigin origin;
            origin.source = CertificateSource::Imported;
            auto certId = store.certificates().record({c.certificate}, origin);
            if (!certId) {
                Error e = certId.error();
                e.message = QStringLiteral("%1: %2").arg(c.sourcePath, e.message);
                return tl::unexpected(e);
            }
            ++summary.certificates;
            if (!c.isLeaf) {
                continue;
            }
            for (int idx : c.endpointIndexes) {
                if (idx < 0 || idx >= endpointIds.size()) {
                    continue;
                }
                auto versions = store.certificates().versions(endpointIds.at(idx));
                if (!versions) {
                    return tl::unexpected(versions.error());
                }
                if (!versions->isEmpty() && versions->constLast().certificateId == *certId) {
                    continue; // already the endpoint's current certificate
                }
                // What a configuration file names is what should be served,
                // not proof that it is: the certificate becomes deployed only
                // when a probe sees it served (services/ServedRecord).
                auto v = store.certificates().addVersion(endpointIds.at(idx), *certId,
                                                         VersionState::Issued);
                if (!v) {
                    return tl::unexpected(v.error());
                }
                ++summary.certificateVersions;
            }
        }
        for (qsizetype i = 0; i < plan.issuers.size(); ++i) {
            auto id = store.issuers().add(plan.issuers.at(i));
            if (!id) {
                return tl::unexpected(id.error());
            }
            issuerIds.insert(static_cast<int>(i), *id);
            ++summary.issuers;
        }
        for (const PlannedRenewal& r : plan.renewals) {
            for (int idx : r.endpointIndexes) {
                if (idx < 0 || idx >= endpointIds.size()) {
                    continue;
                }
                RenewalPolicy p = r.policy;
                p.endpointId = endpointIds.at(idx);
                if (r.issuerIndex >= 0 && issuerIds.contains(r.issuerIndex)) {
                    p.issuerId = issuerIds.value(r.issuerIndex);
                }
                auto set = store.issuers().setRenewalPolicy(p);
                if (!set) {
                    return tl::unexpected(set.error());
                }
                ++summary.renewalPolicies;
            }
        }
        return store.activity().audit(
            store.actor(), QStringLiteral("fleet.import"), QString(), QStringLiteral("ok"),
            QStringLiteral("%1 endpoints added, %2 existing, %3 certificates")
                .arg(summary.endpointsAdded)
                .arg(summary.endpointsExisting)
                .arg(summary.certificates));
    });
    if (!st) {
        Error e = st.error();
        e.message =
            QStringLiteral("The import was refused and nothing of it was kept: %1").arg(e.message);
        return tl::unexpected(e);
    }
    summary.notes = plan.warnings + summary.notes;
    return summary;
}

namespace {

// Host and SNI compare without case; an SNI equal to the host is none.
QString endpointKey(const Endpoint& e)
{
    const QString host = e.host.toLower();
    QString sni = e.sniName.toLower();
    if (sni == host) {
        sni.clear();
    }
    return host + u'|' + QString::number(e.port) + u'|' + sni;
}

} // namespace

Result<ImportPreview> ImportApplier::preview(const Store& store, const ImportPlan& plan)
{
    auto existing = store.endpoints().list();
    if (!existing) {
        return tl::unexpected(existing.error());
    }
    QSet<QString> known;
    known.reserve(existing->size());
    for (const Endpoint& e : std::as_const(*existing)) {
        known.insert(endpointKey(e));
    }
    ImportPreview out;
    out.alreadyKnown.reserve(plan.endpoints.size());
    for (const Endpoint& e : plan.endpoints) {
        const bool isKnown = known.contains(endpointKey(e));
        out.alreadyKnown << isKnown;
        ++(isKnown ? out.knownEndpoints : out.newEndpoints);
    }
    return out;
}

} // namespace certdeck::inventory
