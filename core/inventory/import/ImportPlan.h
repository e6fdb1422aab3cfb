// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"
#include "inventory/Records.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::inventory {

/// A certificate an importer found, with the endpoints it belongs to.
struct PlannedCertificate
{
    crypto::Certificate certificate;
    QString sourcePath;         ///< the file it was read from
    QList<int> endpointIndexes; ///< into ImportPlan::endpoints; empty for chain certificates
    bool isLeaf = true;         ///< false for intermediates and roots found beside a leaf
};

/// How an imported endpoint was renewed before (certbot's renewal/NAME.conf).
struct PlannedRenewal
{
    QString lineage;      ///< certbot's NAME
    RenewalPolicy policy; ///< endpointId stays 0: see endpointIndexes
    QList<int> endpointIndexes;
    int issuerIndex = -1;     ///< into ImportPlan::issuers, -1 if unknown
    QString authenticator;    ///< "webroot", "nginx", "dns-cloudflare"...
    QStringList webrootPaths; ///< webroot_path and [[webroot_map]] folders, de-duplicated
    QStringList domains;      ///< the names the lineage covers (wildcards included)
};

/// What an importer proposes to add to the inventory: data only. The store
/// applies a plan in one transaction; importers never touch the store.
///
/// Links between records are indexes into the plan's own lists, since
/// nothing has a store id yet. Private keys are never read: only their paths
/// are kept. Duplicates within one input are merged here, with a warning
/// that names both lines. Importers fill it through the add* functions,
/// which keep the duplicate indexes; readers use the lists directly.
struct ImportPlan
{
    QList<Endpoint> endpoints;
    /// Parallel to `endpoints`: index into `deployTargets`, or -1.
    QList<int> endpointDeployTarget;
    QList<DeployTarget> deployTargets;
    QList<PlannedCertificate> certificates;
    QList<IssuerRecord> issuers;
    QList<PlannedRenewal> renewals;
    QStringList privateKeyPaths;
    /// Harmless things worth a look, each naming its place: duplicates
    /// merged, content the format allows but CertDeck does not import
    /// ("stream servers are not imported", a wildcard name). Never a
    /// malformed line: importers refuse those (refuseMalformed()).
    QStringList warnings;

    /// Adds `endpoint` (from `where`, e.g. "hosts.txt line 7") or merges it
    /// into an earlier one with the same host, port and SNI name: tags are
    /// united, empty fields filled, and a warning names both places. Returns
    /// the endpoint's index.
    int addEndpoint(const Endpoint& endpoint, const QString& where, int deployTargetIndex = -1);
    /// Adds a deploy target or returns the index of one with the same SSH
    /// host and file paths.
    int addDeployTarget(const DeployTarget& target);
    /// Adds a certificate (or finds the same DER) and links it to
    /// `endpointIndex` when that is >= 0. Returns its index.
    int addCertificate(const crypto::Certificate& certificate, const QString& sourcePath,
                       int endpointIndex, bool isLeaf);
    int addIssuer(const IssuerRecord& issuer);
    void addPrivateKeyPath(const QString& path);

    /// The deploy target of endpoint `endpointIndex`, or nullptr.
    [[nodiscard]] const DeployTarget* deployTargetOf(int endpointIndex) const;
    /// Merges another plan into this one (imports of several inputs at once).
    void merge(const ImportPlan& other);

private:
    QStringList m_endpointOrigins; ///< where each endpoint was first seen
    /// "host|port|sni" (lower case) -> index: imports of thousands of
    /// vhosts stay linear.
    QHash<QString, int> m_endpointIndex;
    QHash<QByteArray, int> m_certificateIndex; ///< DER -> index
};

/// "host:port" with IPv6 literals in brackets, as shown in warnings.
[[nodiscard]] QString endpointLabel(const QString& host, quint16 port);

/// The error an importer returns when its input had malformed parts: an
/// import takes all of a source or nothing, and never makes an endpoint out
/// of a line it could not read. `problems` each name their place ("hosts.txt
/// line 3: port 99999 is out of range (1-65535)"); the message holds the
/// first and how many more, the detail lists them one a line (the first 20)
/// when there are several.
/// `problems` must not be empty.
[[nodiscard]] tl::unexpected<Error> refuseMalformed(const QStringList& problems);

} // namespace certdeck::inventory
