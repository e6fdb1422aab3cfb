// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/Records.h"

#include <QHash>
#include <QList>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

class QSqlQuery;

namespace certdeck::crypto {
class Certificate;
}

namespace certdeck::inventory {

namespace internal {
enum class Dialect;
}

class OpenedStore;

/// Facts about an open store, for the status bar, `certdeckctl store info`
/// and support requests.
struct StoreInfo
{
    QString backend;       ///< "SQLite" or "PostgreSQL"
    QString location;      ///< file path, or user@host:port/database for a server
    QString engineVersion; ///< sqlite_version() or server_version
    int schemaVersion = 0;
    int latestSchemaVersion = 0;
    QString journalMode; ///< "wal" for SQLite, empty for PostgreSQL
};

/// Which endpoints `listEndpoints` returns; empty fields match everything.
struct EndpointFilter
{
    QString group; ///< exact group name
    QString text;  ///< case-insensitive substring of host, SNI, group, tags or notes
};

/// The inventory store: one facade over SQLite (a file in the user's data
/// folder) or PostgreSQL (a team's server), with the same schema, migrations
/// and API on both. Owns one Qt SQL connection, used from the thread that
/// opened it; other threads get their own from opened(). All SQL of CertDeck lives in
/// core/inventory/.
///
/// Every mutating call writes its audit_log entry (actor(), action, subject,
/// result) in the same transaction as the change, so the log never claims a
/// change that was rolled back. A call that fails records a failed entry
/// after its rollback (unless it ran inside an enclosing transaction(), whose
/// own rollback would drop that entry too, or the store was busy).
class Store
{
public:
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Where the store lives: $CERTDECK_DB if set (a path or a
    /// postgresql:// URL), else $XDG_DATA_HOME/certdeck/certdeck.sqlite
    /// (~/.local/share/certdeck/certdeck.sqlite).
    [[nodiscard]] static QString defaultLocation();

    /// A connection for the calling thread to the store at `location`:
    /// postgresql://user@host:port/db (also postgres://) for a server, else an
    /// SQLite file path (an optional "sqlite:" prefix is dropped). A password
    /// in the URL is used, but libpq's PGPASSWORD or ~/.pgpass keep it off
    /// command lines; it never appears in StoreInfo or errors.
    ///
    /// The location is opened, checked and migrated once per process
    /// (OpenedStore); while a connection to it lives, another open only
    /// connects. The Store must be used and destroyed on the calling thread.
    [[nodiscard]] static Result<std::unique_ptr<Store>> openUrl(const QString& location);

    /// openUrl() for an SQLite store at `path`. Its first open creates it if
    /// absent: its folder 0700, the file 0600, WAL, foreign keys, a busy
    /// timeout so the CLI and the console can share it, then migrates the
    /// schema forward. A file that is not a database, or fails its integrity
    /// check, is reported and left untouched.
    [[nodiscard]] static Result<std::unique_ptr<Store>> openSqlite(const QString& path);

    /// openUrl() for PostgreSQL at `url`. Its first open migrates the schema
    /// forward (two clients migrating at once are serialised by an advisory
    /// lock).
    [[nodiscard]] static Result<std::unique_ptr<Store>> openPostgres(const QString& url);

    /// Opens the store at `path`, reads its info and closes the connection
    /// again: safe to run on a worker thread, since the connection never
    /// leaves it.
    [[nodiscard]] static Result<StoreInfo> inspectSqlite(const QString& path);
    /// Same for any location openUrl() accepts.
    [[nodiscard]] static Result<StoreInfo> inspectUrl(const QString& location);

    /// The opened store this connection belongs to: hand it to another thread,
    /// whose connect() gives that thread its own connection without checks.
    [[nodiscard]] std::shared_ptr<const OpenedStore> opened() const { return m_opened; }

    /// SQLite's integrity_check ("ok" or the first problems found); on
    /// PostgreSQL, "ok" once the server answers and the schema is current.
    [[nodiscard]] Result<QString> integrityCheck() const;

    [[nodiscard]] Result<StoreInfo> info() const;

    /// The schema version this build migrates to.
    [[nodiscard]] static int latestSchemaVersion();

    /// The OS user name (USER, else the password database), used as the
    /// audit log's actor unless setActor() says otherwise.
    [[nodiscard]] static QString osUserName();
    [[nodiscard]] QString actor() const { return m_actor; }
    void setActor(const QString& actor) { m_actor = actor; }

    // --- transactions and audit ----------------------------------------

    /// Runs `fn` in one transaction: committed when it returns success, rolled
    /// back (nothing kept) when it returns an error. Nests: an inner call is a
    /// savepoint, rolled back alone when it fails.
    [[nodiscard]] Status transaction(const std::function<Status()>& fn);

    /// Appends one line to the audit log (within the current transaction, if
    /// any).
    [[nodiscard]] Status audit(const QString& actor, const QString& action, const QString& subject,
                               const QString& result, const QString& detail = {});
    /// The newest `limit` audit entries, newest first.
    [[nodiscard]] Result<QList<AuditEntry>> auditLog(int limit = 100) const;

    // --- endpoints ------------------------------------------------------

    /// Stores a new endpoint; returns it with id, revision 1 and times. The
    /// same host:port:SNI twice is a Conflict naming it.
    [[nodiscard]] Result<Endpoint> addEndpoint(const Endpoint& endpoint);
    [[nodiscard]] Result<Endpoint> endpoint(qint64 id) const;
    /// The endpoints at host:port (one per SNI name), oldest first.
    [[nodiscard]] Result<QList<Endpoint>> endpointsAt(const QString& host, quint16 port) const;
    /// Endpoints matching `filter`, ordered by group, host, port.
    [[nodiscard]] Result<QList<Endpoint>> listEndpoints(const EndpointFilter& filter = {}) const;
    /// Saves `endpoint` if its revision is still the stored one, and returns
    /// it with the new revision. If someone changed it meanwhile: Conflict
    /// naming the endpoint, who changed it and when; nothing is written.
    [[nodiscard]] Result<Endpoint> updateEndpoint(const Endpoint& endpoint);
    /// Removes the endpoint with its history (versions, probes, alerts).
    [[nodiscard]] Status removeEndpoint(qint64 id);

    // --- deploy targets -------------------------------------------------

    [[nodiscard]] Result<DeployTarget> addDeployTarget(const DeployTarget& target);
    [[nodiscard]] Result<DeployTarget> deployTarget(qint64 id) const;
    /// Same revision rule as updateEndpoint().
    [[nodiscard]] Result<DeployTarget> updateDeployTarget(const DeployTarget& target);
    /// Every deploy target, keyed by id. One query, for whole-fleet views.
    [[nodiscard]] Result<QHash<qint64, DeployTarget>> deployTargets() const;

    // --- keys and certificates -------------------------------------------

    /// Stores a key's ciphertext. Refuses a record with neither ciphertext nor
    /// keyring id, and anything that looks like an unencrypted PEM key.
    [[nodiscard]] Result<qint64> addKey(const KeyRecord& key);
    [[nodiscard]] Result<KeyRecord> key(qint64 id) const;
    /// Deletes a key record (and so its ciphertext); a key still used by an
    /// issuer or a certificate is a Conflict, and nothing is deleted.
    [[nodiscard]] Status removeKey(qint64 id);

    /// Stores `certificate` once (keyed by its SHA-256 fingerprint) with its
    /// query columns; returns the existing id when it is already known.
    [[nodiscard]] Result<qint64> upsertCertificate(const crypto::Certificate& certificate,
                                                   std::optional<qint64> keyId = {});
    [[nodiscard]] Result<CertificateRecord> certificate(qint64 id) const;
    [[nodiscard]] Result<std::optional<CertificateRecord>>
    certificateBySha256(const QString& sha256Hex) const;

    /// Records that `certificateId` was issued/deployed/replaced on an endpoint.
    [[nodiscard]] Result<qint64> addCertificateVersion(qint64 endpointId, qint64 certificateId,
                                                       VersionState state);
    /// An endpoint's certificate history, oldest first.
    [[nodiscard]] Result<QList<CertificateVersion>> certificateVersions(qint64 endpointId) const;
    /// For every endpoint with a history: the certificate of its newest
    /// version, keyed by endpoint id. One query, for whole-fleet views.
    [[nodiscard]] Result<QHash<qint64, CertificateRecord>> currentCertificates() const;

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

    // --- issuers and renewal policies ------------------------------------

    /// Stores an ACME account or local CA; the same name twice is a Conflict.
    [[nodiscard]] Result<qint64> addIssuer(const IssuerRecord& issuer);
    /// All issuers, by name.
    [[nodiscard]] Result<QList<IssuerRecord>> issuers() const;
    /// One issuer; NotFound naming the id.
    [[nodiscard]] Result<IssuerRecord> issuer(qint64 id) const;
    /// Rewrites every column of issuer `issuer.id` (a renamed issuer keeps
    /// the name rule of addIssuer); NotFound when it does not exist.
    [[nodiscard]] Status updateIssuer(const IssuerRecord& issuer);
    /// Sets the endpoint's renewal policy (one per endpoint, replaced when
    /// set again); returns it with its id.
    [[nodiscard]] Result<RenewalPolicy> setRenewalPolicy(const RenewalPolicy& policy);
    /// The endpoint's policy, or nullopt when none was set.
    [[nodiscard]] Result<std::optional<RenewalPolicy>> renewalPolicy(qint64 endpointId) const;

    // --- trust anchors ------------------------------------------------------

    /// Keeps a named bundle of CA certificates (PEM). The PEM must hold at
    /// least one certificate and nothing that does not parse (InvalidInput
    /// naming the block); an existing name is a Conflict.
    [[nodiscard]] Result<TrustBundle> addTrustBundle(const QString& name, const QByteArray& pem);
    /// Replaces the certificates of an existing bundle (same checks).
    [[nodiscard]] Result<TrustBundle> replaceTrustBundle(const QString& name,
                                                         const QByteArray& pem);
    /// All bundles, by name.
    [[nodiscard]] Result<QList<TrustBundle>> trustBundles() const;
    /// One bundle by name, or by id when `nameOrId` is "#ID"; NotFound naming it.
    [[nodiscard]] Result<TrustBundle> trustBundle(const QString& nameOrId) const;
    [[nodiscard]] Result<TrustBundle> trustBundleById(qint64 id) const;
    /// Removes a bundle; Conflict naming the endpoints and groups still using it.
    [[nodiscard]] Status removeTrustBundle(const QString& name);
    /// Sets (or with nullopt clears) the bundle of every endpoint in `group`
    /// that has none of its own.
    [[nodiscard]] Status setGroupTrustBundle(const QString& group,
                                             const std::optional<qint64>& bundleId);
    /// Group name -> bundle id, for the groups that have one.
    [[nodiscard]] Result<QHash<QString, qint64>> groupTrustBundles() const;
    /// The bundle that applies to `endpoint`: its own, else its group's;
    /// nullopt: the system trust store.
    [[nodiscard]] Result<std::optional<TrustBundle>>
    effectiveTrustBundle(const Endpoint& endpoint) const;

    // --- probe history and alerts ------------------------------------------

    [[nodiscard]] Result<qint64> addProbe(const ProbeRecord& probe);
    /// The endpoint's newest `limit` probes, newest first.
    [[nodiscard]] Result<QList<ProbeRecord>> probes(qint64 endpointId, int limit = 50) const;
    /// Every endpoint's newest probe, keyed by endpoint id, without its
    /// reportJson (read probes() for the report). One query, for fleet views.
    [[nodiscard]] Result<QHash<qint64, ProbeRecord>> latestProbes() const;
    [[nodiscard]] Result<qint64> raiseAlert(const AlertRecord& alert);
    /// Marks an open alert resolved now; NotFound if it is not open.
    [[nodiscard]] Status resolveAlert(qint64 alertId);
    /// Alerts not yet resolved, newest first.
    [[nodiscard]] Result<QList<AlertRecord>> openAlerts() const;

private:
    // The vault reads and rewrites its own table and the key ciphertexts.
    friend class KeyVault;
    // Makes the connections and migrates at the first open.
    friend class OpenedStore;

    Store(QString connectionName, std::shared_ptr<const OpenedStore> opened, QString location,
          internal::Dialect dialect);
    [[nodiscard]] Status migrate();
    [[nodiscard]] Result<int> schemaVersion() const;
    /// Runs `fn` in a transaction and audits it: on success the entry is part
    /// of the transaction; on failure a failed entry is written afterwards.
    [[nodiscard]] Status mutate(const QString& action, const QString& subject,
                                const std::function<Status()>& fn);
    [[nodiscard]] Result<Endpoint> endpointInternal(qint64 id) const;
    [[nodiscard]] Result<DeployTarget> deployTargetInternal(qint64 id) const;
    /// Runs an INSERT ... RETURNING id prepared in `q`.
    [[nodiscard]] Result<qint64> insertReturningId(QSqlQuery& q, const QString& what);

    QString m_connectionName;
    std::shared_ptr<const OpenedStore> m_opened;
    QString m_location;
    internal::Dialect m_dialect;
    QString m_actor;
    int m_txDepth = 0;
};

} // namespace certdeck::inventory
