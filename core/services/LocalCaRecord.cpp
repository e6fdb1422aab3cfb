// SPDX-License-Identifier: GPL-3.0-or-later
// Sign -> record for the local CA: what `certdeckctl ca sign` (and later the
// console's CA page) signs is in the inventory with its issuer, chain and
// key, and revocations reach the record.
#include "services/LocalCaRecord.h"

#include "crypto/LocalCa.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "services/internal/Log.h"

#include <QDir>
#include <QHostAddress>

namespace certdeck::services {

namespace {

/// The CA's issuer record, found by its folder; made when it is new.
Result<qint64> caIssuer(inventory::Store& store, const crypto::LocalCa& ca)
{
    const QString folder = QDir(ca.dir()).absolutePath();
    auto issuers = store.issuers().list();
    if (!issuers) {
        return tl::unexpected(issuers.error());
    }
    for (const inventory::IssuerRecord& i : *issuers) {
        if (i.kind == inventory::IssuerRecord::Kind::LocalCa && i.directoryUrl == folder) {
            return i.id;
        }
    }
    inventory::IssuerRecord record;
    record.kind = inventory::IssuerRecord::Kind::LocalCa;
    // Names are unique: the intermediate's subject, with the folder when
    // another CA has the same subject.
    QString name = ca.intermediate().subject();
    for (const inventory::IssuerRecord& i : *issuers) {
        if (i.name == name) {
            name = QStringLiteral("%1 (%2)").arg(name, folder);
        }
    }
    record.name = name;
    record.directoryUrl = folder;
    return store.issuers().add(record);
}

} // namespace

bool namesCover(const QStringList& names, const QString& host)
{
    const QHostAddress address(host);
    const QString wanted = address.isNull() ? host.toLower() : address.toString();
    for (const QString& raw : names) {
        const QHostAddress asAddress(raw);
        const QString n = asAddress.isNull() ? raw.toLower() : asAddress.toString();
        if (n == wanted) {
            return true;
        }
        if (address.isNull() && n.startsWith(QLatin1String("*."))) {
            // "*.example.com" covers "api.example.com", not "a.b.example.com".
            const QString suffix = n.mid(1);
            if (wanted.endsWith(suffix) && wanted.size() > suffix.size() &&
                !wanted.left(wanted.size() - suffix.size()).contains(u'.')) {
                return true;
            }
        }
    }
    return false;
}

Status checkLocalCaEndpoint(inventory::Store& store, qint64 endpointId, const QStringList& names)
{
    auto endpoint = store.endpoints().get(endpointId);
    if (!endpoint) {
        return tl::unexpected(endpoint.error());
    }
    const QString name = endpoint->sniName.isEmpty() ? endpoint->host : endpoint->sniName;
    if (namesCover(names, name)) {
        return {};
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("the certificate (%1) would not cover %2, the name clients of %3 "
                               "ask for: add it, or attach the certificate elsewhere")
                    .arg(names.join(QStringLiteral(", ")), name,
                         inventory::endpointAddress(endpoint->host, endpoint->port)));
}

Result<LocalCaRecorded> recordLocalCaIssue(inventory::Store& store, const crypto::LocalCa& ca,
                                           const crypto::CaIssued& issued,
                                           std::optional<qint64> endpointId)
{
    const crypto::Certificate& cert = issued.certificate;
    const QStringList names = cert.dnsNames() + cert.ipAddresses();
    LocalCaRecorded out;
    out.endpointId = endpointId;
    const Status saved = store.transaction([&]() -> Status {
        if (endpointId) {
            if (auto s = checkLocalCaEndpoint(store, *endpointId, names); !s) {
                return s;
            }
            auto endpoint = store.endpoints().get(*endpointId);
            out.endpointName = inventory::endpointAddress(endpoint->host, endpoint->port);
        }
        auto issuerId = caIssuer(store, ca);
        if (!issuerId) {
            return tl::unexpected(issuerId.error());
        }
        out.issuerId = *issuerId;
        auto keyId = store.keys().idBySpki(cert.spkiSha256());
        if (!keyId) {
            return tl::unexpected(keyId.error());
        }
        out.keyId = *keyId;
        inventory::CertificateOrigin origin;
        origin.source = inventory::CertificateSource::LocalCa;
        origin.issuerId = *issuerId;
        origin.keyId = *keyId;
        auto certId =
            store.certificates().record(QList<crypto::Certificate>{cert} + issued.chain, origin);
        if (!certId) {
            return tl::unexpected(certId.error());
        }
        out.certificateId = *certId;
        if (endpointId) {
            auto v = store.certificates().addVersion(*endpointId, *certId,
                                                     inventory::VersionState::Issued);
            if (!v) {
                return tl::unexpected(v.error());
            }
        }
        QString subject = QStringLiteral("certificate %1 serial %2 by local CA %3")
                              .arg(names.join(u','), cert.serialHex(), ca.dir());
        if (!out.endpointName.isEmpty()) {
            subject += QStringLiteral(" for ") + out.endpointName;
        }
        return store.activity().audit(store.actor(), QStringLiteral("certificate.issued"), subject,
                                      QStringLiteral("ok"), issued.record.profile);
    });
    if (!saved) {
        return tl::unexpected(saved.error());
    }
    qCInfo(lcServices).noquote() << "local CA" << ca.dir() << "signed serial" << cert.serialHex()
                                 << "recorded as certificate" << out.certificateId;
    return out;
}

Result<std::optional<qint64>> recordLocalCaRevocation(inventory::Store& store,
                                                      const crypto::LocalCa& ca,
                                                      const crypto::CaRecord& revoked)
{
    auto all = store.certificates().list();
    if (!all) {
        return tl::unexpected(all.error());
    }
    // Serials compare without colons, case or leading zeros, as LocalCa does.
    auto bare = [](QString s) {
        s = s.remove(u':').toUpper();
        while (s.size() > 1 && s.startsWith(u'0')) {
            s.remove(0, 1);
        }
        return s;
    };
    const QString serial = bare(revoked.serial);
    const QString issuer = ca.intermediate().subject();
    for (const inventory::CertificateRecord& c : *all) {
        if (bare(c.serialHex) != serial || c.issuer != issuer) {
            continue;
        }
        inventory::CertificateRevocation r;
        r.atUtc = revoked.revokedAt;
        r.reason = revoked.reason == crypto::RevocationReason::Unspecified
                       ? QString()
                       : crypto::revocationReasonName(revoked.reason);
        r.foundBy = QStringLiteral("local-ca");
        if (auto s = store.certificates().markRevoked(c.id, r); !s) {
            return tl::unexpected(s.error());
        }
        return std::optional<qint64>(c.id);
    }
    return std::optional<qint64>();
}

} // namespace certdeck::services
