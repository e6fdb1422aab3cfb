// SPDX-License-Identifier: GPL-3.0-or-later
// Schema migrations on SQLite from every older version: the old database is
// built here with the DDL as it was released (not with the code under test),
// filled with data, then opened by the current code.
#include "inventory/Store.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

namespace {

// Schema version 1 exactly as released in 0.1.
const QStringList kV1 = {
    QStringLiteral("CREATE TABLE audit_log ( id INTEGER PRIMARY KEY, at_utc TEXT NOT NULL, actor "
                   "TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL DEFAULT '', result "
                   "TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')"),
    QStringLiteral("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT "
                   "RAISE(ABORT, 'the audit log is append-only'); END"),
    QStringLiteral("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT "
                   "RAISE(ABORT, 'the audit log is append-only'); END"),
    QStringLiteral("PRAGMA user_version = 1"),
};

// Schema version 2 exactly as released (step 2 as SQLite runs it).
const QStringList kV2 = {
    QStringLiteral("CREATE TABLE keys ( id INTEGER PRIMARY KEY, description TEXT NOT NULL DEFAULT "
                   "'', spki_sha256 BLOB, protection TEXT NOT NULL, encrypted BLOB, keyring_id "
                   "TEXT NOT NULL DEFAULT '', created_utc TEXT NOT NULL, CHECK "
                   "(coalesce(length(encrypted), 0) > 0 OR keyring_id <> ''))"),
    QStringLiteral("CREATE TABLE issuers ( id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT "
                   "NOT NULL UNIQUE, directory_url TEXT NOT NULL DEFAULT '', account_url TEXT NOT "
                   "NULL DEFAULT '', account_key_id INTEGER REFERENCES keys(id))"),
    QStringLiteral(
        "CREATE TABLE deploy_targets ( id INTEGER PRIMARY KEY, ssh_host TEXT NOT NULL, ssh_port "
        "INTEGER NOT NULL DEFAULT 22, ssh_user TEXT NOT NULL DEFAULT '', key_path TEXT NOT NULL "
        "DEFAULT '', cert_path TEXT NOT NULL DEFAULT '', fullchain_path TEXT NOT NULL DEFAULT '', "
        "combined_pem_path TEXT NOT NULL DEFAULT '', file_owner TEXT NOT NULL DEFAULT '', "
        "file_group TEXT NOT NULL DEFAULT '', key_mode INTEGER NOT NULL DEFAULT 384, cert_mode "
        "INTEGER NOT NULL DEFAULT 420, validate_command TEXT NOT NULL DEFAULT '', reload_command "
        "TEXT NOT NULL DEFAULT '', revision INTEGER NOT NULL DEFAULT 1, updated_utc TEXT NOT NULL "
        "DEFAULT '', updated_by TEXT NOT NULL DEFAULT '')"),
    QStringLiteral(
        "CREATE TABLE endpoints ( id INTEGER PRIMARY KEY, host TEXT NOT NULL, port INTEGER NOT "
        "NULL, sni_name TEXT NOT NULL DEFAULT '', address_override TEXT NOT NULL DEFAULT '', "
        "endpoint_group TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '', server_kind TEXT "
        "NOT NULL DEFAULT 'unknown', notes TEXT NOT NULL DEFAULT '', deploy_target_id INTEGER "
        "REFERENCES deploy_targets(id) ON DELETE SET NULL, revision INTEGER NOT NULL DEFAULT 1, "
        "created_utc TEXT NOT NULL, updated_utc TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT "
        "'', UNIQUE (host, port, sni_name), CHECK (port BETWEEN 1 AND 65535))"),
    QStringLiteral("CREATE INDEX endpoints_group ON endpoints(endpoint_group)"),
    QStringLiteral(
        "CREATE TABLE certificates ( id INTEGER PRIMARY KEY, der BLOB NOT NULL, subject TEXT NOT "
        "NULL DEFAULT '', issuer TEXT NOT NULL DEFAULT '', sans TEXT NOT NULL DEFAULT '', "
        "serial_hex TEXT NOT NULL DEFAULT '', sha256_hex TEXT NOT NULL UNIQUE, not_before_utc TEXT "
        "NOT NULL, not_after_utc TEXT NOT NULL, key_id INTEGER REFERENCES keys(id))"),
    QStringLiteral("CREATE INDEX certificates_not_after ON certificates(not_after_utc)"),
    QStringLiteral(
        "CREATE TABLE certificate_versions ( id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL "
        "REFERENCES endpoints(id) ON DELETE CASCADE, certificate_id INTEGER NOT NULL REFERENCES "
        "certificates(id), state TEXT NOT NULL, at_utc TEXT NOT NULL)"),
    QStringLiteral(
        "CREATE INDEX certificate_versions_endpoint ON certificate_versions(endpoint_id, at_utc)"),
    QStringLiteral("CREATE TABLE renewal_policies ( id INTEGER PRIMARY KEY, endpoint_id INTEGER "
                   "NOT NULL UNIQUE REFERENCES endpoints(id) ON DELETE CASCADE, key_type TEXT NOT "
                   "NULL, renew_before_days INTEGER NOT NULL, challenge TEXT NOT NULL, issuer_id "
                   "INTEGER REFERENCES issuers(id))"),
    QStringLiteral("CREATE TABLE probes ( id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL "
                   "REFERENCES endpoints(id) ON DELETE CASCADE, at_utc TEXT NOT NULL, status TEXT "
                   "NOT NULL, grade TEXT NOT NULL DEFAULT '', served_certificate_id INTEGER "
                   "REFERENCES certificates(id), report_json BLOB)"),
    QStringLiteral("CREATE INDEX probes_endpoint ON probes(endpoint_id, at_utc)"),
    QStringLiteral(
        "CREATE TABLE alerts ( id INTEGER PRIMARY KEY, endpoint_id INTEGER REFERENCES "
        "endpoints(id) ON DELETE CASCADE, code TEXT NOT NULL, severity TEXT NOT NULL, message TEXT "
        "NOT NULL DEFAULT '', raised_utc TEXT NOT NULL, resolved_utc TEXT)"),
    QStringLiteral("CREATE INDEX alerts_endpoint ON alerts(endpoint_id)"),
    QStringLiteral("PRAGMA user_version = 2"),
};

// Schema version 3 exactly as released: the key vault's row.
const QStringList kV3 = {
    QStringLiteral("CREATE TABLE vault ( id INTEGER PRIMARY KEY CHECK (id = 1), kdf TEXT NOT "
                   "NULL, scrypt_n INTEGER NOT NULL, scrypt_r INTEGER NOT NULL, scrypt_p INTEGER "
                   "NOT NULL, salt BLOB NOT NULL, verifier BLOB NOT NULL, changed_utc TEXT NOT "
                   "NULL)"),
    QStringLiteral("PRAGMA user_version = 3"),
};

// Schema version 4 exactly as released: the ACME account columns.
const QStringList kV4 = {
    QStringLiteral("ALTER TABLE issuers ADD COLUMN contact TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("ALTER TABLE issuers ADD COLUMN status TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("ALTER TABLE issuers ADD COLUMN trust_file TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("ALTER TABLE issuers ADD COLUMN key_algorithm TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("ALTER TABLE issuers ADD COLUMN key_thumbprint TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("ALTER TABLE issuers ADD COLUMN updated_utc TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("PRAGMA user_version = 4"),
};

// Version 5 as released: ARI renewal windows.
const QStringList kV5 = {
    QStringLiteral("CREATE TABLE renewal_windows ( certificate_id INTEGER PRIMARY KEY REFERENCES "
                   "certificates(id) ON DELETE CASCADE, window_start_utc TEXT NOT NULL, "
                   "window_end_utc TEXT NOT NULL, explanation_url TEXT NOT NULL DEFAULT '', "
                   "retry_after_utc TEXT NOT NULL DEFAULT '', fetched_utc TEXT NOT NULL, CHECK "
                   "(window_end_utc >= window_start_utc))"),
    QStringLiteral("PRAGMA user_version = 5"),
};

// Version 6 as released: trust bundles per endpoint and per group.
const QStringList kV6 = {
    QStringLiteral("CREATE TABLE trust_bundles ( id INTEGER PRIMARY KEY, name TEXT NOT NULL "
                   "UNIQUE, pem TEXT NOT NULL, created_utc TEXT NOT NULL, updated_utc TEXT NOT "
                   "NULL, CHECK (name <> '' AND pem <> ''))"),
    QStringLiteral("ALTER TABLE endpoints ADD COLUMN trust_bundle_id INTEGER REFERENCES "
                   "trust_bundles(id)"),
    QStringLiteral("CREATE TABLE group_settings ( group_name TEXT PRIMARY KEY, trust_bundle_id "
                   "INTEGER REFERENCES trust_bundles(id), updated_utc TEXT NOT NULL)"),
    QStringLiteral("PRAGMA user_version = 6"),
};

// Version 7 as released: what the inventory knows of each certificate.
const QStringList kV7 = {
    QStringLiteral("ALTER TABLE certificates ADD COLUMN issued_by_id INTEGER REFERENCES "
                   "certificates(id)"),
    QStringLiteral("ALTER TABLE certificates ADD COLUMN issuer_id INTEGER REFERENCES issuers(id)"),
    QStringLiteral("ALTER TABLE certificates ADD COLUMN source TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("ALTER TABLE certificates ADD COLUMN revoked_utc TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("ALTER TABLE certificates ADD COLUMN revocation_reason TEXT NOT NULL DEFAULT "
                   "''"),
    QStringLiteral("ALTER TABLE certificates ADD COLUMN revoked_by TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("PRAGMA user_version = 7"),
};

// Runs `sql` on `path` through a connection of its own; the first error, or empty.
QString runRaw(const QString& path, const QStringList& sql, QStringList* firstColumn = nullptr)
{
    QString error;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            for (const QString& s : sql) {
                if (!q.exec(s)) {
                    error = s + QStringLiteral(": ") + q.lastError().text();
                    break;
                }
                while (firstColumn && q.next()) {
                    *firstColumn << q.value(0).toString();
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    return error;
}

} // namespace

class TestStoreMigrations : public QObject
{
    Q_OBJECT
private slots:
    void fromEveryOlderVersion_data();
    void fromEveryOlderVersion();
    void failedStepKeepsTheOldVersionAndData();
    void reopeningDoesNotMigrateTwice();
};

void TestStoreMigrations::fromEveryOlderVersion_data()
{
    QTest::addColumn<int>("version");
    for (int v = 0; v < Store::latestSchemaVersion(); ++v) {
        QTest::addRow("v%d", v) << v;
    }
}

void TestStoreMigrations::fromEveryOlderVersion()
{
    QFETCH(int, version);
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("old.sqlite"));
    QStringList setup;
    if (version == 0) {
        // A database some earlier tool created: no CertDeck tables at all.
        setup << QStringLiteral("PRAGMA user_version = 0");
    }
    if (version >= 1) {
        setup << kV1
              << QStringLiteral("INSERT INTO audit_log (at_utc, actor, action, subject, result) "
                                "VALUES ('2025-06-01T10:00:00Z', 'carol', 'key.generate', "
                                "'api.example.test', 'ok')");
    }
    if (version >= 2) {
        setup << kV2
              << QStringLiteral("INSERT INTO keys (description, spki_sha256, protection, "
                                "encrypted, created_utc) VALUES ('ECDSA P-256', x'0102', "
                                "'master-passphrase', x'01aabbcc', '2025-06-02T10:00:00Z')")
              << QStringLiteral("INSERT INTO endpoints (host, port, created_utc, updated_utc) "
                                "VALUES ('old.example.test', 443, '2025-06-02T10:00:00Z', "
                                "'2025-06-02T10:00:00Z')")
              << QStringLiteral("INSERT INTO issuers (kind, name, directory_url, account_url, "
                                "account_key_id) VALUES ('acme-account', 'le-prod', "
                                "'https://acme.example.test/dir', "
                                "'https://acme.example.test/acct/7', 1)")
              // A deploy target from before version 8, linked to the endpoint.
              << QStringLiteral("INSERT INTO deploy_targets (ssh_host, ssh_port, ssh_user, "
                                "key_path, fullchain_path, reload_command) VALUES "
                                "('web1.example.test', 2222, 'deploy', '/etc/ssl/k.pem', "
                                "'/etc/ssl/f.pem', 'systemctl reload nginx')")
              << QStringLiteral("UPDATE endpoints SET deploy_target_id = 1 WHERE host = "
                                "'old.example.test'");
    }
    if (version >= 3) {
        setup << kV3;
    }
    if (version >= 4) {
        setup << kV4
              << QStringLiteral("UPDATE issuers SET contact = 'mailto:ops@example.test', "
                                "status = 'valid' WHERE name = 'le-prod'")
              << QStringLiteral("INSERT INTO certificates (der, sha256_hex, not_before_utc, "
                                "not_after_utc) VALUES (x'3000', 'ab01', "
                                "'2025-06-01T00:00:00Z', '2025-09-01T00:00:00Z')");
    }
    if (version >= 5) {
        setup << kV5;
    }
    if (version >= 6) {
        setup << kV6;
    }
    if (version >= 7) {
        setup << kV7;
    }
    // When a version 9 ships, its predecessor's DDL must be added here.
    QVERIFY2(version <= 7, "add the released DDL of this version to the test");
    QCOMPARE(runRaw(path, setup), QString());

    auto store = Store::openSqlite(path);
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    auto info = (*store)->info();
    QCOMPARE(info->schemaVersion, Store::latestSchemaVersion());

    auto log = (*store)->activity().auditLog();
    QVERIFY(log.has_value());
    if (version >= 1) {
        QCOMPARE(log->size(), 1);
        QCOMPARE(log->first().actor, QStringLiteral("carol"));
        QCOMPARE(log->first().atUtc, QDateTime(QDate(2025, 6, 1), QTime(10, 0), Qt::UTC));
    } else {
        QCOMPARE(log->size(), 0);
    }
    if (version >= 2) {
        // The key and the endpoint stored under version 2 survive as they were.
        auto key = (*store)->keys().get(1);
        QVERIFY2(key.has_value(), qPrintable(key ? QString() : key.error().toString()));
        QCOMPARE(key->description, QStringLiteral("ECDSA P-256"));
        QCOMPARE(key->spkiSha256, QByteArray::fromHex("0102"));
        QCOMPARE(key->encrypted, QByteArray::fromHex("01aabbcc"));
        QCOMPARE(key->protection, KeyProtection::MasterPassphrase);
        auto old = (*store)->endpoints().at(QStringLiteral("old.example.test"), 443);
        QVERIFY(old.has_value());
        QCOMPARE(old->size(), 1);
        // An ACME account from before version 4 keeps its columns; the new
        // ones (contact, status, trust file, key facts) start empty.
        auto issuers = (*store)->issuers().list();
        QVERIFY(issuers.has_value());
        QCOMPARE(issuers->size(), 1);
        const IssuerRecord& acme = issuers->constFirst();
        QCOMPARE(acme.name, QStringLiteral("le-prod"));
        QCOMPARE(acme.accountUrl, QStringLiteral("https://acme.example.test/acct/7"));
        QCOMPARE(acme.accountKeyId, std::optional<qint64>(1));
        if (version >= 4) {
            QCOMPARE(acme.contact, QStringList{QStringLiteral("mailto:ops@example.test")});
            QCOMPARE(acme.status, QStringLiteral("valid"));
        } else {
            QVERIFY(acme.contact.isEmpty() && acme.status.isEmpty() && acme.trustFile.isEmpty() &&
                    acme.keyThumbprint.isEmpty());
        }
    }
    if (version >= 4) {
        // A certificate from before version 7: nothing is invented about
        // where it came from, its chain, issuer or revocation.
        auto old = (*store)->certificates().bySha256(QStringLiteral("ab01"));
        QVERIFY(old && old->has_value());
        QCOMPARE((*old)->source, CertificateSource::Unknown);
        QVERIFY(!(*old)->issuerId && !(*old)->issuedById && !(*old)->revocation);
        // A certificate from version 4 has no renewal window yet, and takes one.
        QCOMPARE((*store)->certificates().renewalWindow(QStringLiteral("ab01"))->has_value(),
                 false);
        RenewalWindow w;
        w.windowStartUtc = QDateTime(QDate(2025, 8, 1), QTime(0, 0), Qt::UTC);
        w.windowEndUtc = w.windowStartUtc.addDays(2);
        auto kept = (*store)->certificates().setRenewalWindow(QStringLiteral("ab01"), w);
        QVERIFY2(kept, qPrintable(kept ? QString() : kept.error().toString()));
        QCOMPARE((*(*store)->certificates().renewalWindow(QStringLiteral("ab01")))->windowEndUtc,
                 w.windowEndUtc);
    }
    // The new tables work, and the audit log is still append-only. Version
    // 6's trust bundles: an endpoint from before has none (system store),
    // and can be given one.
    if (version >= 2) {
        auto old = (*store)->endpoints().at(QStringLiteral("old.example.test"), 443);
        QVERIFY(old && old->size() == 1);
        QVERIFY(!old->first().trustBundleId.has_value());
        QCOMPARE((*store)->trustBundles().effectiveFor(old->first())->has_value(), false);
    }
    // Version 8 rebuilt deploy_targets on SQLite: an older target keeps its
    // fields (its port included) and its endpoint's link.
    if (version >= 2) {
        auto old = (*store)->endpoints().at(QStringLiteral("old.example.test"), 443);
        QVERIFY(old && old->size() == 1);
        QCOMPARE(old->first().deployTargetId, std::optional<qint64>(1));
        auto t = (*store)->endpoints().deployTarget(1);
        QVERIFY2(t.has_value(), qPrintable(t ? QString() : t.error().toString()));
        QCOMPARE(t->sshHost, QStringLiteral("web1.example.test"));
        QCOMPARE(t->sshPort, std::optional<quint16>(2222));
        QCOMPARE(t->sshUser, QStringLiteral("deploy"));
        QCOMPARE(t->reloadCommand, QStringLiteral("systemctl reload nginx"));
        QVERIFY(!t->local);
    }
    // A target that says only its files: no host, no port.
    DeployTarget paths;
    paths.keyPath = QStringLiteral("/etc/nginx/tls/a.key");
    paths.fullchainPath = QStringLiteral("/etc/nginx/tls/a.pem");
    auto added = (*store)->endpoints().addDeployTarget(paths);
    QVERIFY2(added.has_value(), qPrintable(added ? QString() : added.error().toString()));
    QVERIFY(!(*store)->endpoints().deployTarget(added->id)->sshPort.has_value());
    Endpoint e;
    e.host = QStringLiteral("api.example.test");
    QVERIFY((*store)->endpoints().add(e).has_value());
    QCOMPARE((*store)->activity().auditLog()->size(),
             (version >= 1 ? 3 : 2) + (version >= 4 ? 1 : 0));
    QVERIFY(!runRaw(path, {QStringLiteral("UPDATE audit_log SET actor = 'mallory'")}).isEmpty());
    QVERIFY(!runRaw(path, {QStringLiteral("DELETE FROM audit_log")}).isEmpty());
    QCOMPARE(*(*store)->integrityCheck(), QStringLiteral("ok"));
}

void TestStoreMigrations::failedStepKeepsTheOldVersionAndData()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("clash.sqlite"));
    // A v1 store where someone created a table that version 2 needs.
    QCOMPARE(runRaw(path, kV1 + QStringList{QStringLiteral("INSERT INTO audit_log (at_utc, actor, "
                                                           "action, result) VALUES "
                                                           "('2025-06-01T10:00:00Z', 'carol', "
                                                           "'x', 'ok')"),
                                            QStringLiteral("CREATE TABLE endpoints (x TEXT)")}),
             QString());
    auto store = Store::openSqlite(path);
    QVERIFY(!store.has_value());
    QCOMPARE(store.error().code, ErrorCode::Database);
    QVERIFY2(store.error().message.contains(QLatin1String("Schema migration 1 -> 2 failed")),
             qPrintable(store.error().toString()));
    QVERIFY2(store.error().detail.contains(QLatin1String("endpoints")),
             qPrintable(store.error().detail));
    // Nothing of step 2 is left behind, and the old data is there.
    QStringList rows;
    QCOMPARE(runRaw(path,
                    {QStringLiteral("PRAGMA user_version"),
                     QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'keys'"),
                     QStringLiteral("SELECT actor FROM audit_log")},
                    &rows),
             QString());
    QCOMPARE(rows,
             (QStringList{QStringLiteral("1"), QStringLiteral("0"), QStringLiteral("carol")}));
}

void TestStoreMigrations::reopeningDoesNotMigrateTwice()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("twice.sqlite"));
    for (int i = 0; i < 3; ++i) {
        auto store = Store::openSqlite(path);
        QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
        Endpoint e;
        e.host = QStringLiteral("h%1.example.test").arg(i);
        QVERIFY((*store)->endpoints().add(e).has_value());
        QCOMPARE((*store)->endpoints().list()->size(), i + 1);
    }
}

QTEST_GUILESS_MAIN(TestStoreMigrations)
#include "test_store_migrations.moc"
