// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScanTargets.h"

#include "crypto/TrustStore.h"
#include "inventory/Store.h"

#include <QFile>

namespace certdeck::services {

namespace {

ScanTarget targetOf(const inventory::Endpoint& e)
{
    ScanTarget t;
    t.endpointId = e.id;
    t.target.host = e.host;
    t.target.port = e.port;
    t.target.sni = e.sniName;
    t.target.address = e.addressOverride;
    return t;
}

TrustAnchors anchorsOf(const inventory::TrustBundle& bundle, const inventory::Endpoint& e,
                       bool fromGroup)
{
    TrustAnchors a;
    a.pem = bundle.pem;
    a.source = fromGroup ? QStringLiteral("trust bundle '%1' of group %2").arg(bundle.name, e.group)
                         : QStringLiteral("trust bundle '%1'").arg(bundle.name);
    return a;
}

probe::RecordedCertificate recordedOf(const inventory::CertificateRecord& c)
{
    probe::RecordedCertificate r;
    r.id = c.id;
    r.sha256Hex = c.sha256Hex;
    r.serialHex = c.serialHex;
    r.subject = c.subject;
    r.notAfterUtc = c.notAfterUtc;
    return r;
}

} // namespace

Result<ScanTarget> scanTarget(const inventory::Store& store, const inventory::Endpoint& endpoint)
{
    ScanTarget t = targetOf(endpoint);
    if (endpoint.id != 0) {
        auto current = store.certificates().current();
        if (!current) {
            return tl::unexpected(current.error());
        }
        if (const auto it = current->constFind(endpoint.id); it != current->constEnd()) {
            t.recorded = recordedOf(it.value());
        }
    }
    auto bundle = store.trustBundles().effectiveFor(endpoint);
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    if (*bundle) {
        t.anchors = anchorsOf(**bundle, endpoint, !endpoint.trustBundleId.has_value());
    }
    return t;
}

Result<QList<ScanTarget>> scanTargets(const inventory::Store& store,
                                      const inventory::EndpointFilter& filter)
{
    auto endpoints = store.endpoints().list(filter);
    if (!endpoints) {
        return tl::unexpected(endpoints.error());
    }
    auto groups = store.trustBundles().byGroup();
    if (!groups) {
        return tl::unexpected(groups.error());
    }
    auto bundles = store.trustBundles().list();
    if (!bundles) {
        return tl::unexpected(bundles.error());
    }
    auto current = store.certificates().current();
    if (!current) {
        return tl::unexpected(current.error());
    }
    QHash<qint64, inventory::TrustBundle> byId;
    for (const inventory::TrustBundle& b : std::as_const(*bundles)) {
        byId.insert(b.id, b);
    }
    QList<ScanTarget> out;
    out.reserve(endpoints->size());
    for (const inventory::Endpoint& e : std::as_const(*endpoints)) {
        ScanTarget t = targetOf(e);
        if (const auto it = current->constFind(e.id); it != current->constEnd()) {
            t.recorded = recordedOf(it.value());
        }
        std::optional<qint64> id = e.trustBundleId;
        const bool fromGroup = !id && groups->contains(e.group);
        if (fromGroup) {
            id = groups->value(e.group);
        }
        if (id) {
            const auto it = byId.constFind(*id);
            if (it == byId.constEnd()) {
                return fail(ErrorCode::Database,
                            QStringLiteral("Endpoint %1 names trust bundle #%2, which is gone")
                                .arg(e.host)
                                .arg(*id));
            }
            t.anchors = anchorsOf(it.value(), e, fromGroup);
        }
        out << t;
    }
    return out;
}

Status adoptInventory(const inventory::Store& store, ScanTarget& scan, bool keepAnchors)
{
    const probe::ProbeTarget& target = scan.target;
    auto endpoints = store.endpoints().at(target.host.trimmed().toLower(), target.port);
    if (!endpoints) {
        return tl::unexpected(endpoints.error());
    }
    QString sni = target.sni.trimmed().toLower();
    if (sni == target.host.trimmed().toLower()) {
        sni.clear(); // stored that way (see EndpointRepository::add)
    }
    for (const inventory::Endpoint& e : std::as_const(*endpoints)) {
        if (e.sniName == sni) {
            auto t = scanTarget(store, e);
            if (!t) {
                return tl::unexpected(t.error());
            }
            if (!keepAnchors) {
                scan.anchors = t->anchors;
            }
            scan.recorded = t->recorded;
            return {};
        }
    }
    return {};
}

Result<TrustAnchors> anchorsFromFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return fail(ErrorCode::Io, QStringLiteral("Cannot read %1").arg(path), f.errorString());
    }
    TrustAnchors a;
    a.pem = f.readAll();
    a.source = QStringLiteral("--ca-file %1").arg(path);
    // Refuse a bundle that does not parse now, naming the file and block,
    // rather than turning every endpoint UNKNOWN later.
    auto trust = crypto::TrustStore::fromPem(a.pem, path);
    if (!trust) {
        return tl::unexpected(trust.error());
    }
    if (trust->isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 holds no certificate").arg(path));
    }
    return a;
}

} // namespace certdeck::services
