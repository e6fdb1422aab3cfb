// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyCertificates.h"

#include "crypto/Certificate.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"

#include <QFileInfo>

namespace certdeck::services {

using inventory::CertificateRecord;
using inventory::Endpoint;

namespace {

const QLatin1String kEndpointPrefix("endpoint:");

// A mistyped "site.pem" must read as a missing file, not as an endpoint
// (no host name ends in these).
bool looksLikeFileName(const QString& spec)
{
    for (const char* ext : {".pem", ".crt", ".cer", ".key"}) {
        if (spec.endsWith(QLatin1String(ext), Qt::CaseInsensitive)) {
            return true;
        }
    }
    return false;
}

QString addressOf(const Endpoint& e)
{
    QString out = inventory::endpointAddress(e.host, e.port);
    if (!e.sniName.isEmpty() && e.sniName.compare(e.host, Qt::CaseInsensitive) != 0) {
        out += QStringLiteral(" (SNI %1)").arg(e.sniName);
    }
    return out;
}

QString dateOf(const QDateTime& t)
{
    return t.toUTC().toString(Qt::ISODate);
}

/// Why the record must not be served without --force, or empty.
QString unfitness(const CertificateRecord& c, const QDateTime& now)
{
    if (c.revocation) {
        QString why = QStringLiteral("revoked on %1").arg(dateOf(c.revocation->atUtc));
        if (!c.revocation->reason.isEmpty()) {
            why += QStringLiteral(" (%1)").arg(c.revocation->reason);
        }
        return why;
    }
    if (c.notAfterUtc.isValid() && c.notAfterUtc < now) {
        return QStringLiteral("expired on %1").arg(dateOf(c.notAfterUtc));
    }
    if (c.notBeforeUtc.isValid() && c.notBeforeUtc > now) {
        return QStringLiteral("not valid before %1").arg(dateOf(c.notBeforeUtc));
    }
    return {};
}

Result<proxy::CertificateSource> endpointSource(inventory::Store& store,
                                                const inventory::KeyVault& vault,
                                                const QString& spec, const QString& ref,
                                                const ProxyCertificateOptions& options,
                                                const QDateTime& now, QStringList* warnings)
{
    const auto refused = [&spec](ErrorCode code, const QString& why, const QString& detail = {}) {
        return fail(code, QStringLiteral("--cert %1: %2").arg(spec, why), detail);
    };
    auto endpoint = store.endpoints().resolve(ref);
    if (!endpoint) {
        if (endpoint.error().code == ErrorCode::NotFound) {
            return refused(
                ErrorCode::NotFound,
                QStringLiteral("no such file, and no endpoint '%1' in the inventory").arg(ref),
                endpoint.error().message);
        }
        return refused(endpoint.error().code, endpoint.error().message, endpoint.error().detail);
    }
    const QString address = addressOf(*endpoint);
    auto versions = store.certificates().versions(endpoint->id);
    if (!versions) {
        return tl::unexpected(versions.error());
    }
    if (versions->isEmpty()) {
        return refused(ErrorCode::NotFound,
                       QStringLiteral("endpoint %1 %2 has no current certificate in the inventory")
                           .arg(endpoint->id)
                           .arg(address));
    }
    const qint64 certificateId = versions->constLast().certificateId;
    auto chain = store.certificates().chain(certificateId);
    if (!chain) {
        return tl::unexpected(chain.error());
    }
    if (chain->isEmpty()) {
        return refused(ErrorCode::NotFound,
                       QStringLiteral("certificate %1 of endpoint %2 is not in the inventory")
                           .arg(certificateId)
                           .arg(address));
    }
    const CertificateRecord& leaf = chain->constFirst();
    const QString label = QStringLiteral("endpoint %1 %2, certificate %3 (serial %4)")
                              .arg(endpoint->id)
                              .arg(address)
                              .arg(leaf.id)
                              .arg(leaf.serialHex);
    if (const QString why = unfitness(leaf, now); !why.isEmpty()) {
        if (!options.force) {
            return refused(ErrorCode::InvalidInput,
                           QStringLiteral("the current certificate of %1 (%2) is %3; renew it, or "
                                          "serve it anyway with --force")
                               .arg(address, QStringLiteral("serial ") + leaf.serialHex, why));
        }
        *warnings << QStringLiteral("%1 is %2 (served because of --force)").arg(label, why);
    }
    if (!leaf.keyId) {
        return refused(ErrorCode::NotFound,
                       QStringLiteral("the key of the current certificate of %1 (serial %2) is "
                                      "not in the key vault: it was issued elsewhere; give the "
                                      "files instead (--cert CERT,KEY)")
                           .arg(address, leaf.serialHex));
    }
    auto key = vault.loadKey(*leaf.keyId);
    if (!key) {
        return refused(key.error().code,
                       QStringLiteral("cannot take the key of %1 from the key vault: %2")
                           .arg(address, key.error().message),
                       key.error().detail);
    }
    QList<crypto::Certificate> certs;
    for (qsizetype i = 0; i < chain->size(); ++i) {
        const CertificateRecord& r = chain->at(i);
        auto c = crypto::Certificate::fromDer(r.der,
                                              QStringLiteral("inventory certificate %1").arg(r.id));
        if (!c) {
            return refused(
                ErrorCode::Database,
                QStringLiteral("certificate %1 in the inventory does not parse").arg(r.id),
                c.error().message);
        }
        // A root at the end of the recorded chain is not sent: clients
        // must already trust it, and it only lengthens every handshake.
        if (i > 0 && i == chain->size() - 1 && c->isSelfIssued()) {
            break;
        }
        certs << *c;
    }
    return proxy::CertificateSource::fromMemory(label, certs, *key);
}

} // namespace

ProxyCertificateKind classifyProxyCertificate(const QString& spec, QString* ref)
{
    ProxyCertificateKind kind = ProxyCertificateKind::Endpoint;
    QString text = spec;
    if (spec.startsWith(kEndpointPrefix)) {
        text = spec.mid(kEndpointPrefix.size());
    } else if (spec.contains(u',') || spec.contains(u'/') || QFileInfo(spec).isFile() ||
               looksLikeFileName(spec)) {
        kind = ProxyCertificateKind::File;
    }
    if (ref != nullptr) {
        *ref = text;
    }
    return kind;
}

Result<ProxyCertificates> proxyCertificatesFor(inventory::Store& store,
                                               const inventory::KeyVault& vault,
                                               const QStringList& specs,
                                               const ProxyCertificateOptions& options)
{
    const QDateTime now =
        options.now.isValid() ? options.now.toUTC() : QDateTime::currentDateTimeUtc();
    ProxyCertificates out;
    for (const QString& spec : specs) {
        QString ref;
        if (classifyProxyCertificate(spec, &ref) == ProxyCertificateKind::File) {
            out.sources << proxy::CertificateSource::fromFile(ref);
            continue;
        }
        out.needsVault = true;
        if (ref.trimmed().isEmpty()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("--cert %1: no endpoint named (endpoint:ID or "
                                       "endpoint:HOST[:PORT])")
                            .arg(spec));
        }
        auto source =
            endpointSource(store, vault, spec, ref.trimmed(), options, now, &out.warnings);
        if (!source) {
            return tl::unexpected(source.error());
        }
        out.sources << std::move(*source);
    }
    return out;
}

Result<QList<ProxyEndpointChoice>> proxyEndpointChoices(inventory::Store& store)
{
    auto endpoints = store.endpoints().list();
    if (!endpoints) {
        return tl::unexpected(endpoints.error());
    }
    auto current = store.certificates().current();
    if (!current) {
        return tl::unexpected(current.error());
    }
    QList<ProxyEndpointChoice> out;
    for (const Endpoint& e : *endpoints) {
        const auto it = current->constFind(e.id);
        if (it == current->cend()) {
            continue;
        }
        ProxyEndpointChoice c;
        c.endpointId = e.id;
        c.address = addressOf(e);
        c.subject = it->sans.isEmpty() ? it->subject : it->sans.join(QLatin1String(", "));
        c.notAfter = it->notAfterUtc;
        c.hasKey = it->keyId.has_value();
        out << c;
    }
    return out;
}

} // namespace certdeck::services
