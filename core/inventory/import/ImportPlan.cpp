// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/ImportPlan.h"

namespace certdeck::inventory {

namespace {

QString effectiveSni(const Endpoint& e)
{
    return e.sniName.isEmpty() ? e.host.toLower() : e.sniName.toLower();
}

void fillIfEmpty(QString& into, const QString& from)
{
    if (into.isEmpty()) {
        into = from;
    }
}

} // namespace

QString endpointLabel(const QString& host, quint16 port)
{
    const QString h = host.contains(u':') ? u'[' + host + u']' : host;
    return h + u':' + QString::number(port);
}

tl::unexpected<Error> refuseMalformed(const QStringList& problems)
{
    constexpr qsizetype listed = 20;
    QString message = problems.value(0);
    if (problems.size() > 1) {
        message += QStringLiteral(" (and %1 more problem(s))").arg(problems.size() - 1);
    }
    message += QStringLiteral("");
    QStringList detail = problems.mid(0, listed);
    if (problems.size() > listed) {
        detail << QStringLiteral("... and %1 more").arg(problems.size() - listed);
    }
    return fail(ErrorCode::InvalidInput, message,
                problems.size() > 1 ? detail.join(u'\n') : QString());
}

int ImportPlan::addEndpoint(const Endpoint& endpoint, const QString& where, int deployTargetIndex)
{
    const QString key = endpoint.host.toLower() + u'|' + QString::number(endpoint.port) + u'|' +
                        effectiveSni(endpoint);
    if (const auto found = m_endpointIndex.constFind(key); found != m_endpointIndex.cend()) {
        const int i = found.value();
        Endpoint& old = endpoints[i];
        warnings << QStringLiteral("%1: %2 duplicates %3; merged")
                        .arg(where, endpointLabel(endpoint.host, endpoint.port),
                             m_endpointOrigins.value(i));
        for (const QString& tag : endpoint.tags) {
            if (!old.tags.contains(tag)) {
                old.tags << tag;
            }
        }
        fillIfEmpty(old.group, endpoint.group);
        fillIfEmpty(old.addressOverride, endpoint.addressOverride);
        if (!endpoint.notes.isEmpty() && !old.notes.contains(endpoint.notes)) {
            old.notes = old.notes.isEmpty() ? endpoint.notes : old.notes + u'\n' + endpoint.notes;
        }
        if (old.serverKind == ServerKind::Unknown) {
            old.serverKind = endpoint.serverKind;
        }
        if (endpointDeployTarget[i] < 0) {
            endpointDeployTarget[i] = deployTargetIndex;
        }
        return i;
    }
    endpoints << endpoint;
    endpointDeployTarget << deployTargetIndex;
    m_endpointOrigins << where;
    const int index = int(endpoints.size() - 1);
    m_endpointIndex.insert(key, index);
    return index;
}

int ImportPlan::addDeployTarget(const DeployTarget& target)
{
    for (qsizetype i = 0; i < deployTargets.size(); ++i) {
        const DeployTarget& t = deployTargets[i];
        if (t.sshHost == target.sshHost && t.keyPath == target.keyPath &&
            t.certPath == target.certPath && t.fullchainPath == target.fullchainPath &&
            t.combinedPemPath == target.combinedPemPath) {
            return int(i);
        }
    }
    deployTargets << target;
    return int(deployTargets.size() - 1);
}

int ImportPlan::addCertificate(const crypto::Certificate& certificate, const QString& sourcePath,
                               int endpointIndex, bool isLeaf)
{
    const QByteArray der = certificate.toDer();
    if (const auto found = m_certificateIndex.constFind(der); found != m_certificateIndex.cend()) {
        PlannedCertificate& c = certificates[found.value()];
        if (endpointIndex >= 0 && !c.endpointIndexes.contains(endpointIndex)) {
            c.endpointIndexes << endpointIndex;
        }
        c.isLeaf = c.isLeaf || isLeaf;
        return found.value();
    }
    PlannedCertificate c;
    c.certificate = certificate;
    c.sourcePath = sourcePath;
    c.isLeaf = isLeaf;
    if (endpointIndex >= 0) {
        c.endpointIndexes << endpointIndex;
    }
    certificates << c;
    m_certificateIndex.insert(der, int(certificates.size() - 1));
    return int(certificates.size() - 1);
}

int ImportPlan::addIssuer(const IssuerRecord& issuer)
{
    for (qsizetype i = 0; i < issuers.size(); ++i) {
        if (issuers[i].kind == issuer.kind && issuers[i].directoryUrl == issuer.directoryUrl &&
            issuers[i].accountUrl == issuer.accountUrl) {
            return int(i);
        }
    }
    issuers << issuer;
    return int(issuers.size() - 1);
}

void ImportPlan::addPrivateKeyPath(const QString& path)
{
    if (!path.isEmpty() && !privateKeyPaths.contains(path)) {
        privateKeyPaths << path;
    }
}

const DeployTarget* ImportPlan::deployTargetOf(int endpointIndex) const
{
    if (endpointIndex < 0 || endpointIndex >= endpointDeployTarget.size()) {
        return nullptr;
    }
    const int t = endpointDeployTarget[endpointIndex];
    return t >= 0 && t < deployTargets.size() ? &deployTargets[t] : nullptr;
}

void ImportPlan::merge(const ImportPlan& other)
{
    QList<int> targetMap;
    for (const DeployTarget& t : other.deployTargets) {
        targetMap << addDeployTarget(t);
    }
    QList<int> endpointMap;
    for (qsizetype i = 0; i < other.endpoints.size(); ++i) {
        const int t = other.endpointDeployTarget.value(i, -1);
        endpointMap << addEndpoint(other.endpoints[i], other.m_endpointOrigins.value(i),
                                   t >= 0 ? targetMap.value(t, -1) : -1);
    }
    for (const PlannedCertificate& c : other.certificates) {
        const int idx = addCertificate(c.certificate, c.sourcePath, -1, c.isLeaf);
        for (int e : c.endpointIndexes) {
            const int mapped = endpointMap.value(e, -1);
            if (mapped >= 0 && !certificates[idx].endpointIndexes.contains(mapped)) {
                certificates[idx].endpointIndexes << mapped;
            }
        }
    }
    QList<int> issuerMap;
    for (const IssuerRecord& i : other.issuers) {
        issuerMap << addIssuer(i);
    }
    for (PlannedRenewal r : other.renewals) {
        for (int& e : r.endpointIndexes) {
            e = endpointMap.value(e, -1);
        }
        r.issuerIndex = r.issuerIndex >= 0 ? issuerMap.value(r.issuerIndex, -1) : -1;
        renewals << r;
    }
    for (const QString& k : other.privateKeyPaths) {
        addPrivateKeyPath(k);
    }
    warnings << other.warnings;
}

} // namespace certdeck::inventory
