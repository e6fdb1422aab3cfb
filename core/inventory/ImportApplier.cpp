// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportApplier.h"

#include "RecordNames.h"
#include "Store.h"

#include <QCryptographicHash>
#include <QHash>

namespace certdeck::inventory {

namespace {

// Host and SNI compare without case; an SNI equal to the host is none (the
// store keeps endpoints so).
QString endpointKey(const Endpoint& e)
{
    const QString host = e.host.trimmed().toLower();
    QString sni = e.sniName.trimmed().toLower();
    if (sni == host) {
        sni.clear();
    }
    return host + u'|' + QString::number(e.port) + u'|' + sni;
}

// The place a deploy target writes to: the machine and the files. A target
// whose host is not known yet has no place: two dumps imported without a
// host may come from two machines, so such targets are never shared across
// imports (re-imports need none: their endpoints are known).
std::optional<QString> placeKey(const DeployTarget& t)
{
    QString machine;
    if (t.local) {
        machine = QStringLiteral("local");
    } else if (!t.sshHost.trimmed().isEmpty()) {
        machine = QStringLiteral("ssh:") + t.sshHost.trimmed().toLower();
    } else {
        return std::nullopt;
    }
    return QStringList{machine, t.keyPath, t.certPath, t.fullchainPath, t.combinedPemPath}.join(
        u'\n');
}

/// One application of a plan inside the caller's transaction.
class Applier
{
public:
    Applier(Store& store, const ImportPlan& plan, ImportSummary& summary)
        : m_store(store)
        , m_plan(plan)
        , m_summary(summary)
        , m_endpointIds(plan.endpoints.size(), 0)
        , m_targetIds(plan.deployTargets.size(), 0)
    {
        m_summary.alreadyKnown = QList<bool>(plan.endpoints.size(), false);
    }

    /// What the store already had, for the summary.
    [[nodiscard]] const QStringList& notes() const { return m_notes; }

    Status run()
    {
        // Targets are only added for new endpoints, but a source is taken
        // whole or not at all: every one is checked as the store would.
        for (const DeployTarget& t : m_plan.deployTargets) {
            if (auto s = EndpointRepository::checkDeployTarget(t); !s) {
                return tl::unexpected(targetError(t, s.error()));
            }
        }
        if (auto s = loadTargets(); !s) {
            return s;
        }
        for (qsizetype i = 0; i < m_plan.endpoints.size(); ++i) {
            if (auto s = endpoint(i); !s) {
                return s;
            }
        }
        for (const PlannedCertificate& c : m_plan.certificates) {
            if (auto s = certificate(c); !s) {
                return s;
            }
        }
        if (auto s = issuers(); !s) {
            return s;
        }
        for (const PlannedRenewal& r : m_plan.renewals) {
            if (auto s = renewal(r); !s) {
                return s;
            }
        }
        return m_store.activity().audit(
            m_store.actor(), QStringLiteral("fleet.import"), QString(), QStringLiteral("ok"),
            QStringLiteral("%1 endpoints added, %2 already known; %3 deploy targets added; %4 "
                           "certificates added, %5 already known; %6 new certificate versions")
                .arg(m_summary.endpointsAdded)
                .arg(m_summary.endpointsExisting)
                .arg(m_summary.deployTargets)
                .arg(m_summary.certificates)
                .arg(m_summary.certificatesExisting)
                .arg(m_summary.certificateVersions));
    }

private:
    static Error targetError(const DeployTarget& t, Error e)
    {
        if (e.detail == deployTargetWhere(t)) {
            e.detail.clear(); // the message names it already
        }
        e.message = QStringLiteral("Deploy target on %1 (%2): %3")
                        .arg(deployTargetWhere(t),
                             !t.fullchainPath.isEmpty() ? t.fullchainPath
                             : !t.certPath.isEmpty()    ? t.certPath
                                                        : t.combinedPemPath,
                             e.message);
        return e;
    }

    Status loadTargets()
    {
        auto stored = m_store.endpoints().deployTargets();
        if (!stored) {
            return tl::unexpected(stored.error());
        }
        for (const DeployTarget& t : std::as_const(*stored)) {
            if (const auto key = placeKey(t)) {
                // The oldest wins, so the choice does not depend on hash order.
                const qint64 seen = m_storedTargets.value(*key, 0);
                if (seen == 0 || t.id < seen) {
                    m_storedTargets.insert(*key, t.id);
                }
            }
        }
        return {};
    }

    /// The store id of the plan's deploy target `index`, added on first use.
    Result<qint64> target(int index)
    {
        if (m_targetIds.at(index) != 0) {
            return m_targetIds.at(index);
        }
        const DeployTarget& t = m_plan.deployTargets.at(index);
        if (const auto key = placeKey(t)) {
            if (const qint64 id = m_storedTargets.value(*key, 0); id != 0) {
                ++m_summary.deployTargetsExisting;
                m_targetIds[index] = id;
                return id;
            }
        }
        auto added = m_store.endpoints().addDeployTarget(t);
        if (!added) {
            return tl::unexpected(targetError(t, added.error()));
        }
        ++m_summary.deployTargets;
        m_targetIds[index] = added->id;
        if (const auto key = placeKey(t)) {
            m_storedTargets.insert(*key, added->id);
        }
        return added->id;
    }

    Status endpoint(qsizetype i)
    {
        Endpoint e = m_plan.endpoints.at(i);
        auto existing = m_store.endpoints().at(e.host, e.port);
        if (!existing) {
            return tl::unexpected(existing.error());
        }
        const QString key = endpointKey(e);
        for (const Endpoint& x : std::as_const(*existing)) {
            if (endpointKey(x) == key) {
                m_endpointIds[i] = x.id;
                m_summary.alreadyKnown[i] = true;
                ++m_summary.endpointsExisting;
                m_notes << QStringLiteral("%1 is already in the inventory; kept as it is")
                               .arg(endpointAddress(e.host, e.port));
                return {};
            }
        }
        const int targetIndex = m_plan.endpointDeployTarget.value(i, -1);
        if (targetIndex >= 0 && targetIndex < m_plan.deployTargets.size()) {
            auto id = target(targetIndex);
            if (!id) {
                return tl::unexpected(id.error());
            }
            e.deployTargetId = *id;
        }
        auto added = m_store.endpoints().add(e);
        if (!added) {
            return tl::unexpected(added.error());
        }
        m_endpointIds[i] = added->id;
        ++m_summary.endpointsAdded;
        return {};
    }

    Status certificate(const PlannedCertificate& c)
    {
        const QString sha256 =
            QString::fromLatin1(c.certificate.fingerprint(QCryptographicHash::Sha256).toHex());
        auto known = m_store.certificates().bySha256(sha256);
        if (!known) {
            return tl::unexpected(known.error());
        }
        // A known certificate is left as it is (its source included): an
        // import adds what is new.
        qint64 certId = known->has_value() ? (*known)->id : 0;
        if (certId == 0) {
            CertificateOrigin origin;
            origin.source = CertificateSource::Imported;
            auto recorded = m_store.certificates().record({c.certificate}, origin);
            if (!recorded) {
                Error e = recorded.error();
                e.message = QStringLiteral("%1: %2").arg(c.sourcePath, e.message);
                return tl::unexpected(e);
            }
            certId = *recorded;
        }
        ++(known->has_value() ? m_summary.certificatesExisting : m_summary.certificates);
        if (!c.isLeaf) {
            return {};
        }
        for (int idx : c.endpointIndexes) {
            if (idx < 0 || idx >= m_endpointIds.size()) {
                continue;
            }
            auto versions = m_store.certificates().versions(m_endpointIds.at(idx));
            if (!versions) {
                return tl::unexpected(versions.error());
            }
            if (!versions->isEmpty() && versions->constLast().certificateId == certId) {
                continue; // already the endpoint's current certificate
            }
            // What a configuration file names is what should be served,
            // not proof that it is: the certificate becomes deployed only
            // when a probe sees it served (services/ServedRecord).
            auto v = m_store.certificates().addVersion(m_endpointIds.at(idx), certId,
                                                       VersionState::Issued);
            if (!v) {
                return tl::unexpected(v.error());
            }
            ++m_summary.certificateVersions;
            if (m_summary.alreadyKnown.value(idx)) {
                const Endpoint& e = m_plan.endpoints.at(idx);
                m_notes << QStringLiteral("%1: certificate %2 from %3 recorded as its current "
                                          "one (issued; deployed once a probe sees it served)")
                               .arg(endpointAddress(e.host, e.port), c.certificate.serialHex(),
                                    c.sourcePath);
            }
        }
        return {};
    }

    Status issuers()
    {
        if (m_plan.issuers.isEmpty()) {
            return {};
        }
        auto stored = m_store.issuers().list();
        if (!stored) {
            return tl::unexpected(stored.error());
        }
        for (qsizetype i = 0; i < m_plan.issuers.size(); ++i) {
            const IssuerRecord& issuer = m_plan.issuers.at(i);
            qint64 id = 0;
            for (const IssuerRecord& s : std::as_const(*stored)) {
                if (s.kind == issuer.kind && s.name == issuer.name &&
                    s.directoryUrl == issuer.directoryUrl) {
                    id = s.id;
                }
            }
            if (id != 0) {
                ++m_summary.issuersExisting;
            } else {
                auto added = m_store.issuers().add(issuer);
                if (!added) {
                    return tl::unexpected(added.error());
                }
                id = *added;
                ++m_summary.issuers;
            }
            m_issuerIds.insert(int(i), id);
        }
        return {};
    }

    Status renewal(const PlannedRenewal& r)
    {
        for (int idx : r.endpointIndexes) {
            if (idx < 0 || idx >= m_endpointIds.size()) {
                continue;
            }
            // An endpoint's policy is the admin's once set: an import only
            // fills in a missing one.
            auto current = m_store.issuers().renewalPolicy(m_endpointIds.at(idx));
            if (!current) {
                return tl::unexpected(current.error());
            }
            if (current->has_value()) {
                continue;
            }
            RenewalPolicy p = r.policy;
            p.endpointId = m_endpointIds.at(idx);
            if (r.issuerIndex >= 0 && m_issuerIds.contains(r.issuerIndex)) {
                p.issuerId = m_issuerIds.value(r.issuerIndex);
            }
            auto set = m_store.issuers().setRenewalPolicy(p);
            if (!set) {
                return tl::unexpected(set.error());
            }
            ++m_summary.renewalPolicies;
        }
        return {};
    }

    Store& m_store;
    const ImportPlan& m_plan;
    ImportSummary& m_summary;
    QList<qint64> m_endpointIds;
    QList<qint64> m_targetIds;              ///< parallel to the plan's targets; 0 until used
    QHash<QString, qint64> m_storedTargets; ///< placeKey() -> id
    QHash<int, qint64> m_issuerIds;
    QStringList m_notes;
};

Result<ImportSummary> applyPlan(Store& store, const ImportPlan& plan, bool dryRun)
{
    ImportSummary summary;
    summary.dryRun = dryRun;
    QStringList notes;
    bool completed = false;
    const Status st = store.transaction([&]() -> Status {
        Applier applier(store, plan, summary);
        if (auto s = applier.run(); !s) {
            return s;
        }
        notes = applier.notes();
        completed = true;
        if (dryRun) {
            // Everything was checked and written as for real: undo it all.
            return fail(ErrorCode::Cancelled, QStringLiteral("dry run"));
        }
        return {};
    });
    if (!st && !(dryRun && completed)) {
        // The callers say that nothing was kept ("nothing imported: ...").
        return tl::unexpected(st.error());
    }
    summary.notes = notes;
    return summary;
}

} // namespace

Result<ImportSummary> ImportApplier::apply(Store& store, const ImportPlan& plan)
{
    return applyPlan(store, plan, false);
}

Result<ImportSummary> ImportApplier::dryRun(Store& store, const ImportPlan& plan)
{
    return applyPlan(store, plan, true);
}

} // namespace certdeck::inventory
