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
    [[nodiscard]] Result<CertificateRecord> get(qint64 id) const;
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
