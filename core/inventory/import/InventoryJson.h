// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/RecordNames.h"
#include "inventory/Records.h"
#include "inventory/import/ImportPlan.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace certdeck::inventory {

/// The records of one JSON export.
struct InventoryDocument
{
    QDateTime exportedUtc;
    QList<Endpoint> endpoints;
    QList<DeployTarget> deployTargets;
    QList<CertificateRecord> certificates;
};

/// CertDeck's inventory exchange format: endpoints, deploy targets and
/// certificates (DER in base64 plus readable columns) as one JSON document,
/// `{"format": "certdeck-inventory", "version": 1, ...}`. Private keys are
/// never part of it (a certificate's keyId is dropped too: ids of keys mean
/// nothing in another store). Reading it back gives the same records.
///
/// An endpoint's "sni" is empty when it is the host (the store keeps it so);
/// `fleet list` and `fleet show` then print the host. "address" is the IP
/// to connect to instead of resolving the host, or empty.
class InventoryJson
{
public:
    static constexpr int FormatVersion = 1;
    /// Exports over this are refused on read: a fleet of 100k endpoints is ~60 MB.
    static constexpr qint64 MaxBytes = 256 * 1024 * 1024;

    [[nodiscard]] static QByteArray write(const QList<Endpoint>& endpoints,
                                          const QList<DeployTarget>& deployTargets,
                                          const QList<CertificateRecord>& certificates,
                                          const QDateTime& exportedUtc);
    /// Errors name the place: "fleet.json: endpoints[3].port: 70000 is not a
    /// port (1-65535)", "fleet.json line 12: JSON syntax error (missing comma)".
    /// Hosts and SNI names are checked by parseHostName(), addresses must be
    /// IP addresses: a document with a bad one is refused, not imported in part.
    [[nodiscard]] static Result<InventoryDocument> read(const QByteArray& json,
                                                        const QString& originName);
    /// The document as a plan for the store: ids are dropped, the endpoint
    /// → deploy target link becomes an index, each certificate is decoded
    /// from its DER (the readable columns are not trusted). A link to a deploy
    /// target the document does not hold refuses it.
    [[nodiscard]] static Result<ImportPlan> toPlan(const InventoryDocument& document,
                                                   const QString& originName);
};

} // namespace certdeck::inventory
