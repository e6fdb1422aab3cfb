// SPDX-License-Identifier: GPL-3.0-or-later
#include "CertificateAttach.h"

#include "crypto/CertificateReader.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"

#include <QFileInfo>

namespace certdeck::ui {

using namespace certdeck::inventory;

namespace {

QString describe(qint64 id, const crypto::Certificate& c)
{
    const QString cn = c.commonName().isEmpty() ? c.subject() : c.commonName();
    return id > 0 ? QObject::tr("certificate #%1 (%2, expires %3)")
                        .arg(id)
                        .arg(cn, c.notAfter().toUTC().toString(QStringLiteral("yyyy-MM-dd")))
                  : QObject::tr("the certificate %1 (expires %2)")
                        .arg(cn, c.notAfter().toUTC().toString(QStringLiteral("yyyy-MM-dd")));
}

// Whether `leaf` may be attached to `endpoint`: a server certificate valid
// for the name its clients ask for.
Status checkFits(const crypto::Certificate& leaf, const QString& what, const Endpoint& endpoint)
{
    const QString name = endpoint.sniName.isEmpty() ? endpoint.host : endpoint.sniName;
    const QString address = endpointAddress(endpoint.host, endpoint.port);
    if (leaf.isCa()) {
        return fail(ErrorCode::InvalidInput,
                    QObject::tr("%1 is a CA certificate, not a server certificate: nothing was "
                                "attached to %2")
                        .arg(what, address));
    }
    if (!leaf.matchesHost(name)) {
        const QStringList names = leaf.dnsNames() + leaf.ipAddresses();
        return fail(
            ErrorCode::InvalidInput,
            QObject::tr("%1 is valid for %2, not for %3, the name clients of %4 ask for: "
                        "nothing was attached")
                .arg(what,
                     names.isEmpty() ? QObject::tr("no name") : names.join(QStringLiteral(", ")),
                     name, address));
    }
    return {};
}

// The leaf first, then each certificate's issuer as found in `certs`
// (a file's order is not always the delivery order); the rest is dropped.
QList<crypto::Certificate> chainFrom(const QList<crypto::Certificate>& certs)
{
    QList<crypto::Certificate> rest = certs;
    qsizetype leafAt = 0;
    for (qsizetype i = 0; i < rest.size(); ++i) {
        if (!rest.at(i).isCa()) {
            leafAt = i;
            break;
        }
    }
    QList<crypto::Certificate> chain{rest.takeAt(leafAt)};
    while (!chain.constLast().isSelfIssued()) {
        const QString issuer = chain.constLast().issuer();
        const auto it = std::find_if(rest.cbegin(), rest.cend(), [&](const crypto::Certificate& c) {
            return c.subject() == issuer;
        });
        if (it == rest.cend()) {
            break;
        }
        chain << *it;
        rest.erase(it);
    }
    return chain;
}

Result<Attached> attach(Store& store, const Endpoint& endpoint, qint64 certificateId,
                        const QString& summary)
{
    Attached out;
    out.certificateId = certificateId;
    out.endpointName = endpointAddress(endpoint.host, endpoint.port);
    out.summary = summary;
    auto versions = store.certificates().versions(endpoint.id);
    if (!versions) {
        return tl::unexpected(versions.error());
    }
    // versions() is oldest first: the last one is the current certificate.
    if (!versions->isEmpty() && versions->constLast().certificateId == certificateId) {
        out.already = true;
        return out;
    }
    auto v = store.certificates().addVersion(endpoint.id, certificateId, VersionState::Issued);
    if (!v) {
        return tl::unexpected(v.error());
    }
    return out;
}

} // namespace

Result<Attached> attachStoredCertificate(Store& store, qint64 endpointId, qint64 certificateId)
{
    auto endpoint = store.endpoints().get(endpointId);
    if (!endpoint) {
        return tl::unexpected(endpoint.error());
    }
    auto record = store.certificates().get(certificateId);
    if (!record) {
        return tl::unexpected(record.error());
    }
    auto leaf = crypto::Certificate::fromDer(record->der);
    if (!leaf) {
        return tl::unexpected(leaf.error());
    }
    const QString what = describe(certificateId, *leaf);
    if (record->revocation) {
        return fail(ErrorCode::InvalidInput,
                    QObject::tr("%1 was revoked on %2: nothing was attached to %3")
                        .arg(what, record->revocation->atUtc.toString(QStringLiteral("yyyy-MM-dd")),
                             endpointAddress(endpoint->host, endpoint->port)));
    }
    if (auto fits = checkFits(*leaf, what, *endpoint); !fits) {
        return tl::unexpected(fits.error());
    }
    return attach(store, *endpoint, certificateId, what);
}

Result<Attached> attachCertificateFile(Store& store, qint64 endpointId, const QString& path)
{
    auto endpoint = store.endpoints().get(endpointId);
    if (!endpoint) {
        return tl::unexpected(endpoint.error());
    }
    auto bundle = crypto::CertificateReader::readFile(path);
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    if (bundle->certificates.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QObject::tr("%1 holds no certificate").arg(QFileInfo(path).fileName()));
    }
    const QList<crypto::Certificate> chain = chainFrom(bundle->certificates);
    const QString what =
        QObject::tr("%1 in %2").arg(describe(0, chain.constFirst()), QFileInfo(path).fileName());
    if (auto fits = checkFits(chain.constFirst(), what, *endpoint); !fits) {
        return tl::unexpected(fits.error());
    }
    Result<Attached> out = fail(ErrorCode::Internal, QStringLiteral("not attached"));
    const Status st = store.transaction([&]() -> Status {
        CertificateOrigin origin;
        origin.source = CertificateSource::Imported;
        auto id = store.certificates().record(chain, origin);
        if (!id) {
            return tl::unexpected(id.error());
        }
        out = attach(store, *endpoint, *id, describe(*id, chain.constFirst()));
        return out ? Status{} : Status(tl::unexpected(out.error()));
    });
    if (!st) {
        return tl::unexpected(st.error());
    }
    return out;
}

} // namespace certdeck::ui
