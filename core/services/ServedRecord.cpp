// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServedRecord.h"

#include "crypto/Certificate.h"
#include "inventory/Store.h"
#include "probe/inspect/TlsInspection.h"
#include "services/EndpointCheck.h"
#include "services/internal/Log.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QTimeZone>
#include <algorithm>

namespace certdeck::services {

probe::ServedLeaf servedLeafOf(const QString& address, const QByteArrayList& chainDer)
{
    probe::ServedLeaf leaf;
    leaf.address = address;
    if (chainDer.isEmpty()) {
        leaf.error = QStringLiteral("no certificate was served");
        return leaf;
    }
    auto cert = crypto::Certificate::fromDer(chainDer.constFirst(), QStringLiteral("served leaf"));
    if (!cert) {
        leaf.error = cert.error().message;
        return leaf;
    }
    leaf.der = chainDer.constFirst();
    leaf.sha256Hex = QString::fromLatin1(cert->fingerprint(QCryptographicHash::Sha256).toHex());
    leaf.serialHex = cert->serialHex();
    leaf.subject = cert->subject();
    leaf.notAfterUtc = cert->notAfter();
    return leaf;
}

Status recordServed(inventory::Store& store, const EndpointCheck& check)
{
    QList<const probe::ServedLeaf*> known;
    bool everyNodeKnown = true;
    for (const probe::ServedLeaf& s : check.served) {
        if (s.sha256Hex.isEmpty()) {
            everyNodeKnown = false;
        } else {
            known << &s;
        }
    }
    if (known.isEmpty()) {
        return {};
    }
    const qint64 endpointId = check.target.endpointId;
    return store.transaction([&]() -> Status {
        // Every leaf seen is kept, as served; the inspected chain above it
        // too, linked to the leaf it was served with.
        QList<crypto::Certificate> inspectedChain;
        if (const probe::TlsInspection* in = check.inspection()) {
            for (const QByteArray& der : in->chainDer) {
                auto cert = crypto::Certificate::fromDer(der, QStringLiteral("served certificate"));
                if (!cert) {
                    inspectedChain.clear(); // the chain findings say so; keep the leaves only
                    break;
                }
                inspectedChain << *cert;
            }
        }
        inventory::CertificateOrigin origin;
        origin.source = inventory::CertificateSource::Served;
        QHash<QString, qint64> ids;
        for (const probe::ServedLeaf* s : std::as_const(known)) {
            if (ids.contains(s->sha256Hex)) {
                continue;
            }
            auto cert = crypto::Certificate::fromDer(s->der, QStringLiteral("served leaf"));
            if (!cert) {
                return tl::unexpected(cert.error());
            }
            QList<crypto::Certificate> chain{*cert};
            if (!inspectedChain.isEmpty() && inspectedChain.constFirst().toDer() == s->der) {
                chain = inspectedChain;
            }
            auto id = store.certificates().record(chain, origin);
            if (!id) {
                return tl::unexpected(id.error());
            }
            ids.insert(s->sha256Hex, *id);
        }
        const QString served = known.constFirst()->sha256Hex;
        const bool allSame =
            everyNodeKnown && std::all_of(known.cbegin(), known.cend(),
                                          [&](const auto* s) { return s->sha256Hex == served; });
        if (!allSame) {
            return {};
        }
        const auto& recorded = check.target.recorded;
        qint64 deployed = 0;
        if (!recorded) {
            deployed = ids.value(served);
        } else if (recorded->sha256Hex.compare(served, Qt::CaseInsensitive) == 0) {
            auto versions = store.certificates().versions(endpointId);
            if (!versions) {
                return tl::unexpected(versions.error());
            }
            // versions() is oldest first: the last one is the current one.
            const bool already = !versions->isEmpty() &&
                                 versions->constLast().certificateId == recorded->id &&
                                 versions->constLast().state == inventory::VersionState::Deployed;
            if (!already) {
                deployed = recorded->id;
            }
        }
        if (deployed == 0) {
            return {};
        }
        if (auto v = store.certificates().addVersion(endpointId, deployed,
                                                     inventory::VersionState::Deployed);
            !v) {
            return tl::unexpected(v.error());
        }
        qCInfo(lcServices).noquote()
            << QStringLiteral("endpoint #%1: certificate #%2 seen served by every node: deployed")
                   .arg(endpointId)
                   .arg(deployed);
        return store.activity().audit(store.actor(), QStringLiteral("certificate.deployed"),
                                      QStringLiteral("endpoint #%1").arg(endpointId),
                                      QStringLiteral("ok"),
                                      QStringLiteral("certificate #%1 seen served by %2 node(s)")
                                          .arg(deployed)
                                          .arg(known.size()));
    });
}

Status recordRevocations(inventory::Store& store, const EndpointCheck& check)
{
    if (!check.chain) {
        return {};
    }
    // core/revocation words its decision as "<source>: revoked on <UTC> (<reason>)".
    static const QRegularExpression decided(
        QStringLiteral(R"(^(stapled OCSP response|OCSP \S+|CRL \S+): revoked on )"
                       R"((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC(?: \(([A-Za-z]+)\))?)"));
    for (const crypto::ChainLink& link : check.chain->built) {
        if (link.revocation != crypto::RevocationStatus::Revoked || link.certificate.isNull()) {
            continue;
        }
        const QString sha256 =
            QString::fromLatin1(link.certificate.fingerprint(QCryptographicHash::Sha256).toHex());
        auto record = store.certificates().bySha256(sha256);
        if (!record) {
            return tl::unexpected(record.error());
        }
        if (!*record) {
            continue;
        }
        inventory::CertificateRevocation r;
        r.atUtc = check.atUtc;
        r.foundBy = QStringLiteral("ocsp");
        const QRegularExpressionMatch m = decided.match(link.revocationDetail);
        if (m.hasMatch()) {
            const QString source = m.captured(1);
            r.foundBy = source.startsWith(QLatin1String("stapled")) ? QStringLiteral("staple")
                        : source.startsWith(QLatin1String("CRL"))   ? QStringLiteral("crl")
                                                                    : QStringLiteral("ocsp");
            QDateTime at =
                QDateTime::fromString(m.captured(2), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
            at.setTimeZone(QTimeZone::utc());
            if (at.isValid()) {
                r.atUtc = at;
            }
            r.reason = m.captured(3);
        }
        if (auto s = store.certificates().markRevoked((*record)->id, r); !s) {
            return s;
        }
    }
    return {};
}

} // namespace certdeck::services
