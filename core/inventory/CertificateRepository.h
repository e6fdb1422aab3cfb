// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "inventory/StoreRepository.h"

#include <QHash>
#include <QList>
#include <optional>

namespace certdeck::crypto {
class Certificate;
}

namespace certdeck::inventory {

/// What the inventory is told about a certificate it records: where it came
/// from and, for the leaf, its key and issuer. Unknown fields stay unknown.
struct CertificateOrigin
{
    CertificateSource source = CertificateSource::Unknown;
    std::optional<qint64> keyId;    ///< the leaf's key in the vault
    std::optional<qint64> issuerId; ///< the ACME account or local CA that issued the leaf
};

/// Certificates (each kept once, by SHA-256 fingerprint), their history on
/// endpoints and the renewal windows CAs suggested (`store.certificates()`).
class CertificateRepository : public StoreRepository
{
public:
    explicit CertificateRepository(Store& store)
        : StoreRepository(store)
    {}

    /// Stores `certificate` once (keyed by its SHA-256 fingerprint) with its
    /// query columns; returns the existing id when it is already known.
    [[nodiscard]] Result<qint64> upsert(const crypto::Certificate& certificate,
                                        std::optional<qint64> keyId = {});
    /// Records a chain as it was delivered (leaf first): each certificate
    /// once, each linked to the next one as the certificate that issued it.
    /// The leaf takes the origin's key, issuer and source where those were
    /// unknown; what is known is never overwritten, and a leaf already
    /// recorded with another key is a Conflict (nothing written). The
    /// certificates above the leaf take the source only. One transaction,
    /// audited as "certificate.record". Returns the leaf's id.
    [[nodiscard]] Result<qint64> record(const QList<crypto::Certificate>& chain,
                                        const CertificateOrigin& origin);
    [[nodiscard]] Result<CertificateRecord> get(qint64 id) const;
    /// The certificate and those above it as recorded (leaf first),
    /// following the issued-by links; ends at a self-issued certificate, a
    /// missing link or a loop.
    [[nodiscard]] Result<QList<CertificateRecord>> chain(qint64 id) const;
    /// Every certificate, the latest to expire first.
    [[nodiscard]] Result<QList<CertificateRecord>> list() const;
    /// Marks a certificate revoked. The first revocation recorded is kept (a
    /// later report of the same fact does not change its time or reason).
    /// Audited as "certificate.revoked".
    [[nodiscard]] Status markRevoked(qint64 id, const CertificateRevocation& revocation);
    [[nodiscard]] Result<std::optional<CertificateRecord>> bySha256(const QString& sha256Hex) const;

    /// Records that `certificateId` was issued/deployed/replaced on an endpoint.
    [[nodiscard]] Result<qint64> addVersion(qint64 endpointId, qint64 certificateId,
                                            VersionState state);
    /// An endpoint's certificate history, oldest first.
    [[nodiscard]] Result<QList<CertificateVersion>> versions(qint64 endpointId) const;
    /// For every endpoint with a history: the certificate of its newest
    /// version, keyed by endpoint id. One query, for whole-fleet views.
    [[nodiscard]] Result<QHash<qint64, CertificateRecord>> current() const;

    /// Keeps the renewal window a CA suggested (ARI) for the certificate with
    /// this SHA-256 fingerprint, replacing the one stored before; returns it
    /// with the certificate's id. NotFound when the certificate is not in the
    /// inventory; InvalidInput when the window is missing or ends before it
    /// starts. Nothing is written on error.
    [[nodiscard]] Result<RenewalWindow> setRenewalWindow(const QString& sha256Hex,
                                                         const RenewalWindow& window);
    /// The window stored for the certificate with this fingerprint, or
    /// nullopt when none was (or the certificate is not in the inventory).
    [[nodiscard]] Result<std::optional<RenewalWindow>>
    renewalWindow(const QString& sha256Hex) const;
};

} // namespace certdeck::inventory
