// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>
#include <optional>

namespace certdeck::crypto {
class LocalCa;
struct CaIssued;
struct CaRecord;
} // namespace certdeck::crypto

namespace certdeck::inventory {
class Store;
}

namespace certdeck::services {

/// Whether `names` (DNS names, "*.zone" wildcards one label deep, IP
/// addresses) cover `host`, as a client asking for `host` would see it.
[[nodiscard]] bool namesCover(const QStringList& names, const QString& host);

/// Where a certificate a local CA signed went in the inventory.
struct LocalCaRecorded
{
    qint64 certificateId = 0;
    qint64 issuerId = 0;         ///< the CA's issuer record
    std::optional<qint64> keyId; ///< the vault key whose public half it carries
    std::optional<qint64> endpointId;
    QString endpointName; ///< "host:port"
};

/// Sign -> record, written once for every front-end: in one transaction,
/// the CA's issuer record (kind local-ca, found by its folder, made at its
/// first certificate), the certificate and the chain above it (source
/// local-ca, issuer the CA; linked to the vault key with the same public key
/// when there is one, since a CSR carries no key), attached to `endpointId`
/// as an "issued" version, and the audit entry "certificate.issued".
/// An endpoint whose name (SNI or host) the certificate does not cover is
/// InvalidInput and nothing is written; check it with
/// checkLocalCaEndpoint() before signing so no serial is spent.
[[nodiscard]] Result<LocalCaRecorded> recordLocalCaIssue(inventory::Store& store,
                                                         const crypto::LocalCa& ca,
                                                         const crypto::CaIssued& issued,
                                                         std::optional<qint64> endpointId);

/// Whether a certificate for `names` (DNS names and IP addresses, as a CSR
/// or --san gives them) would cover the endpoint's name: InvalidInput
/// naming both when not, so the CLI can refuse before signing.
[[nodiscard]] Status checkLocalCaEndpoint(inventory::Store& store, qint64 endpointId,
                                          const QStringList& names);

/// Marks the certificate with `revoked.serial` that this CA issued revoked in
/// the inventory (found by "local-ca": CertDeck revoked it); nullopt when
/// the inventory does not know it.
[[nodiscard]] Result<std::optional<qint64>>
recordLocalCaRevocation(inventory::Store& store, const crypto::LocalCa& ca,
                        const crypto::CaRecord& revoked);

} // namespace certdeck::services
