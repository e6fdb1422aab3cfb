// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/ActivityRepository.h"
#include "inventory/CertificateRepository.h"
#include "inventory/EndpointRepository.h"
#include "inventory/IssuerRepository.h"
#include "inventory/KeyRepository.h"
#include "inventory/ProbeRepository.h"
#include "inventory/Records.h"
#include "inventory/TrustBundleRepository.h"

#include <QHash>
#include <QList>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

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

/// The inventory store: one connection to SQLite (a file in the user's data
/// folder) or PostgreSQL (a team's server), with the same schema, migrations
/// and API on both. Owns one Qt SQL connection, used from the thread that
/// opened it; other threads get their own from opened(). Records are read and
/// written through its repositories (`store.endpoints().list()`), which share
/// the connection and transaction(). All SQL of CertDeck lives in
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

    /// Runs `fn` in one transaction: committed when it returns success, rolled
    /// back (nothing kept) when it returns an error. Nests: an inner call is a
    /// savepoint, rolled back alone when it fails. Every repository's calls
    /// made inside `fn` are part of it.
    [[nodiscard]] Status transaction(const std::function<Status()>& fn);

    // --- repositories: one per kind of record, sharing this connection ----

    [[nodiscard]] EndpointRepository& endpoints() { return m_endpoints; }
    [[nodiscard]] const EndpointRepository& endpoints() const { return m_endpoints; }
    [[nodiscard]] CertificateRepository& certificates() { return m_certificates; }
    [[nodiscard]] const CertificateRepository& certificates() const { return m_certificates; }
    [[nodiscard]] KeyRepository& keys() { return m_keys; }
    [[nodiscard]] const KeyRepository& keys() const { return m_keys; }
    [[nodiscard]] IssuerRepository& issuers() { return m_issuers; }
    [[nodiscard]] const IssuerRepository& issuers() const { return m_issuers; }
    [[nodiscard]] TrustBundleRepository& trustBundles() { return m_trustBundles; }
    [[nodiscard]] const TrustBundleRepository& trustBundles() const { return m_trustBundles; }
    [[nodiscard]] ProbeRepository& probes() { return m_probes; }
    [[nodiscard]] const ProbeRepository& probes() const { return m_probes; }
    [[nodiscard]] ActivityRepository& activity() { return m_activity; }
    [[nodiscard]] const ActivityRepository& activity() const { return m_activity; }

private:
    // The vault reads and rewrites its own table and the key ciphertexts.
    friend class KeyVault;
    // Makes the connections and migrates at the first open.
    friend class OpenedStore;
    // The repositories' shared connection, transaction and audit helpers.
    friend class StoreRepository;

    Store(QString connectionName, std::shared_ptr<const OpenedStore> opened, QString location,
          internal::Dialect dialect);
    [[nodiscard]] Status migrate();
    [[nodiscard]] Result<int> schemaVersion() const;
    /// Runs `fn` in a transaction and audits it: on success the entry is part
    /// of the transaction; on failure a failed entry is written afterwards.
    [[nodiscard]] Status mutate(const QString& action, const QString& subject,
                                const std::function<Status()>& fn);

    QString m_connectionName;
    std::shared_ptr<const OpenedStore> m_opened;
    QString m_location;
    internal::Dialect m_dialect;
    QString m_actor;
    int m_txDepth = 0;
    EndpointRepository m_endpoints{*this};
    CertificateRepository m_certificates{*this};
    KeyRepository m_keys{*this};
    IssuerRepository m_issuers{*this};
    TrustBundleRepository m_trustBundles{*this};
    ProbeRepository m_probes{*this};
    ActivityRepository m_activity{*this};
};

} // namespace certdeck::inventory
