// SPDX-License-Identifier: GPL-3.0-or-later
// The store's API on SQLite: endpoints with revisions and conflicts, deploy
// targets, keys (ciphertext only), certificates and their history, the audit
// entry written with every change, and transactions that keep nothing when
// they fail half-way.
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "inventory/FleetView.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

namespace {

Endpoint makeEndpoint(const QString& host, quint16 port = 443)
{
    Endpoint e;
    e.host = host;
    e.port = port;
    e.group = QStringLiteral("payments-api");
    e.tags = {QStringLiteral("prod"), QStringLiteral("eu")};
    e.serverKind = ServerKind::Nginx;
    e.notes = QStringLiteral("behind the EU load balancer");
    return e;
}

// Counts rows with an independent connection, as another tool would see them.
int countRows(const QString& path, const QString& sql)
{
    int n = -1;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("cnt"));
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next()) {
                n = q.value(0).toInt();
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("cnt"));
    return n;
}

} // namespace

class TestStoreEndpoints : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void addGetListRemove();
    void addRejectsBadInput_data();
    void addRejectsBadInput();
    void duplicateEndpointIsAClearConflict();
    void sniDefaultsToHost();
    void listFiltersByGroupAndText();
    void concurrentEditIsAConflictNotALostUpdate();
    void editUnknownIdIsNotFound();
    void everyChangeIsAudited();
    void failedTransactionKeepsNothing();
    void nestedTransactionRollsBackAlone();
    void busyStoreIsAClearTimeout();
    void deployTargetsRoundTripAndConflict();
    void deployTargetRejectsUnsafeInput();
    void deployTargetHoldsOnlyWhatWasSaid();
    void keysMustBeCiphertext();
    void certificatesUpsertByFingerprint();
    void certificateHistoryPerEndpoint();
    void fleetViewShowsNewestRecords();

private:
    QTemporaryDir m_tmp;
    QString m_path;
    std::unique_ptr<Store> m_store;
};

void TestStoreEndpoints::init()
{
    m_path = m_tmp.filePath(QStringLiteral("%1.sqlite").arg(QTest::currentTestFunction()));
    auto s = Store::openSqlite(m_path);
    QVERIFY2(s.has_value(), qPrintable(s ? QString() : s.error().toString()));
    m_store = std::move(*s);
    m_store->setActor(QStringLiteral("alice"));
}

void TestStoreEndpoints::cleanup()
{
    m_store.reset();
}

void TestStoreEndpoints::addGetListRemove()
{
    Endpoint e = makeEndpoint(QStringLiteral("API.Example.test"), 8443);
    e.sniName = QStringLiteral("api-eu.example.test");
    e.addressOverride = QStringLiteral("10.1.2.3");
    auto added = m_store->endpoints().add(e);
    QVERIFY2(added.has_value(), qPrintable(added ? QString() : added.error().toString()));
    QVERIFY(added->id > 0);
    QCOMPARE(added->revision, 1);
    QCOMPARE(added->host, QStringLiteral("api.example.test")); // names are case-insensitive
    QCOMPARE(added->port, 8443);
    QCOMPARE(added->sniName, QStringLiteral("api-eu.example.test"));
    QCOMPARE(added->addressOverride, QStringLiteral("10.1.2.3"));
    QCOMPARE(added->tags, (QStringList{QStringLiteral("prod"), QStringLiteral("eu")}));
    QCOMPARE(added->serverKind, ServerKind::Nginx);
    QCOMPARE(added->notes, e.notes);
    QCOMPARE(added->updatedBy, QStringLiteral("alice"));
    QVERIFY(added->createdUtc.isValid());
    QVERIFY(qAbs(added->createdUtc.secsTo(QDateTime::currentDateTimeUtc())) < 60);

    auto got = m_store->endpoints().get(added->id);
    QVERIFY(got.has_value());
    QCOMPARE(got->host, added->host);
    auto at = m_store->endpoints().at(QStringLiteral("api.example.TEST"), 8443);
    QVERIFY(at.has_value());
    QCOMPARE(at->size(), 1);
    QCOMPARE(at->first().id, added->id);

    QVERIFY(m_store->endpoints().add(makeEndpoint(QStringLiteral("b.example.test"))).has_value());
    auto all = m_store->endpoints().list();
    QVERIFY(all.has_value());
    QCOMPARE(all->size(), 2);

    QVERIFY(m_store->endpoints().remove(added->id).has_value());
    auto gone = m_store->endpoints().get(added->id);
    QVERIFY(!gone.has_value());
    QCOMPARE(gone.error().code, ErrorCode::NotFound);
    QVERIFY(gone.error().message.contains(QString::number(added->id)));
    auto again = m_store->endpoints().remove(added->id);
    QVERIFY(!again.has_value());
    QCOMPARE(again.error().code, ErrorCode::NotFound);
}

void TestStoreEndpoints::addRejectsBadInput_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("tag");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty host") << QString() << 443 << QString() << "needs a host";
    QTest::newRow("blank host") << QStringLiteral("   ") << 443 << QString() << "needs a host";
    QTest::newRow("space in host") << QStringLiteral("api example") << 443 << QString() << "spaces";
    QTest::newRow("url as host") << QStringLiteral("https://api") << 443 << QString() << "slashes";
    QTest::newRow("port 0") << QStringLiteral("api") << 0 << QString() << "Port 0";
    QTest::newRow("comma tag") << QStringLiteral("api") << 443 << QStringLiteral("a,b") << "comma";
    QTest::newRow("empty tag") << QStringLiteral("api") << 443 << QStringLiteral("") << "empty";
}

void TestStoreEndpoints::addRejectsBadInput()
{
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, tag);
    QFETCH(QString, expected);
    Endpoint e = makeEndpoint(host, static_cast<quint16>(port));
    if (QTest::currentDataTag() == QLatin1String("comma tag") ||
        QTest::currentDataTag() == QLatin1String("empty tag")) {
        e.tags = {tag};
    }
    auto r = m_store->endpoints().add(e);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, ErrorCode::InvalidInput);
    QVERIFY2(r.error().message.contains(expected), qPrintable(r.error().toString()));
    QCOMPARE(m_store->endpoints().list()->size(), 0);
}

void TestStoreEndpoints::duplicateEndpointIsAClearConflict()
{
    QVERIFY(m_store->endpoints().add(makeEndpoint(QStringLiteral("api.example.test"))).has_value());
    auto dup = m_store->endpoints().add(makeEndpoint(QStringLiteral("API.example.test")));
    QVERIFY(!dup.has_value());
    QCOMPARE(dup.error().code, ErrorCode::Conflict);
    QVERIFY2(dup.error().message.contains(QLatin1String("api.example.test:443 is already in the "
                                                        "inventory")),
             qPrintable(dup.error().toString()));
    // Another port or another SNI name is another endpoint.
    QVERIFY(m_store->endpoints().add(makeEndpoint(QStringLiteral("api.example.test"), 8443)));
    Endpoint sni = makeEndpoint(QStringLiteral("api.example.test"));
    sni.sniName = QStringLiteral("admin.example.test");
    QVERIFY(m_store->endpoints().add(sni).has_value());
    QCOMPARE(m_store->endpoints().list()->size(), 3);
    // IPv6 literals are named with brackets.
    QVERIFY(m_store->endpoints().add(makeEndpoint(QStringLiteral("::1"))).has_value());
    auto v6 = m_store->endpoints().add(makeEndpoint(QStringLiteral("::1")));
    QVERIFY(!v6.has_value());
    QVERIFY2(v6.error().message.contains(QLatin1String("[::1]:443")),
             qPrintable(v6.error().message));
}

void TestStoreEndpoints::sniDefaultsToHost()
{
    QVERIFY(m_store->endpoints().add(makeEndpoint(QStringLiteral("api.example.test"))).has_value());
    Endpoint same = makeEndpoint(QStringLiteral("api.example.test"));
    same.sniName = QStringLiteral("API.example.test");
    auto r = m_store->endpoints().add(same);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, ErrorCode::Conflict);
}

void TestStoreEndpoints::listFiltersByGroupAndText()
{
    Endpoint a = makeEndpoint(QStringLiteral("pay.example.test"));
    Endpoint b = makeEndpoint(QStringLiteral("edge1.example.test"));
    b.group = QStringLiteral("edge-eu");
    b.tags = {QStringLiteral("canary")};
    Endpoint c = makeEndpoint(QStringLiteral("edge2.example.test"));
    c.group = QStringLiteral("edge-eu");
    c.notes = QStringLiteral("50% of traffic");
    for (const Endpoint& e : {a, b, c}) {
        QVERIFY(m_store->endpoints().add(e).has_value());
    }
    auto edge = m_store->endpoints().list({QStringLiteral("edge-eu"), {}});
    QVERIFY(edge.has_value());
    QCOMPARE(edge->size(), 2);
    QCOMPARE(edge->at(0).host, QStringLiteral("edge1.example.test"));
    auto canary = m_store->endpoints().list({{}, QStringLiteral("CANARY")});
    QCOMPARE(canary->size(), 1);
    QCOMPARE(canary->first().host, QStringLiteral("edge1.example.test"));
    // % and _ are literal characters, not wildcards.
    auto percent = m_store->endpoints().list({{}, QStringLiteral("50%")});
    QCOMPARE(percent->size(), 1);
    QCOMPARE(m_store->endpoints().list({{}, QStringLiteral("5_%")})->size(), 0);
    QCOMPARE(m_store->endpoints().list({QStringLiteral("edge-eu"), QStringLiteral("pay")})->size(),
             0);
    QCOMPARE(m_store->endpoints().list({QStringLiteral("nope"), {}})->size(), 0);
}

void TestStoreEndpoints::concurrentEditIsAConflictNotALostUpdate()
{
    auto added = m_store->endpoints().add(makeEndpoint(QStringLiteral("api.example.test")));
    QVERIFY(added.has_value());
    // A second admin with their own connection to the same store.
    auto other = Store::openSqlite(m_path);
    QVERIFY(other.has_value());
    (*other)->setActor(QStringLiteral("bob"));

    Endpoint aliceCopy = *added;
    Endpoint bobCopy = *(*other)->endpoints().get(added->id);
    bobCopy.group = QStringLiteral("edge-us");
    auto bobSaved = (*other)->endpoints().update(bobCopy);
    QVERIFY2(bobSaved.has_value(), qPrintable(bobSaved ? QString() : bobSaved.error().toString()));
    QCOMPARE(bobSaved->revision, 2);

    aliceCopy.notes = QStringLiteral("alice's note");
    auto aliceSaved = m_store->endpoints().update(aliceCopy);
    QVERIFY(!aliceSaved.has_value());
    QCOMPARE(aliceSaved.error().code, ErrorCode::Conflict);
    const QString msg = aliceSaved.error().message;
    QVERIFY2(msg.contains(QLatin1String("api.example.test:443 was changed by bob at ")),
             qPrintable(msg));
    QVERIFY2(msg.contains(QString::number(QDate::currentDate().year())), qPrintable(msg));
    QVERIFY(
        aliceSaved.error().detail.contains(QLatin1String("your revision 1, stored revision 2")));

    // Bob's change is intact; alice's was not written.
    auto now = m_store->endpoints().get(added->id);
    QCOMPARE(now->group, QStringLiteral("edge-us"));
    QCOMPARE(now->notes, added->notes);
    QCOMPARE(now->updatedBy, QStringLiteral("bob"));
    // Reloaded, alice's edit goes through.
    Endpoint reloaded = *now;
    reloaded.notes = QStringLiteral("alice's note");
    auto retry = m_store->endpoints().update(reloaded);
    QVERIFY(retry.has_value());
    QCOMPARE(retry->revision, 3);
    QCOMPARE(retry->group, QStringLiteral("edge-us"));
    QCOMPARE(retry->notes, QStringLiteral("alice's note"));
}

void TestStoreEndpoints::editUnknownIdIsNotFound()
{
    Endpoint e = makeEndpoint(QStringLiteral("ghost.example.test"));
    e.id = 4242;
    e.revision = 1;
    auto r = m_store->endpoints().update(e);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, ErrorCode::NotFound);
}

void TestStoreEndpoints::everyChangeIsAudited()
{
    auto a = m_store->endpoints().add(makeEndpoint(QStringLiteral("api.example.test")));
    QVERIFY(a.has_value());
    Endpoint e = *a;
    e.group = QStringLiteral("g2");
    QVERIFY(m_store->endpoints().update(e).has_value());
    QVERIFY(
        !m_store->endpoints().add(makeEndpoint(QStringLiteral("api.example.test"))).has_value());
    QVERIFY(m_store->endpoints().remove(a->id).has_value());
    auto log = m_store->activity().auditLog(10);
    QVERIFY(log.has_value());
    QCOMPARE(log->size(), 4);
    // Newest first.
    QCOMPARE(log->at(0).action, QStringLiteral("endpoint.remove"));
    QCOMPARE(log->at(1).action, QStringLiteral("endpoint.add"));
    QCOMPARE(log->at(1).result, QStringLiteral("conflict"));
    QVERIFY(log->at(1).detail.contains(QLatin1String("already in the inventory")));
    QCOMPARE(log->at(2).action, QStringLiteral("endpoint.edit"));
    QCOMPARE(log->at(3).action, QStringLiteral("endpoint.add"));
    for (const AuditEntry& entry : *log) {
        QCOMPARE(entry.actor, QStringLiteral("alice"));
        QCOMPARE(entry.subject, QStringLiteral("api.example.test:443"));
        QVERIFY(entry.atUtc.isValid());
    }
    QCOMPARE(log->at(0).result, QStringLiteral("ok"));
}

void TestStoreEndpoints::failedTransactionKeepsNothing()
{
    const int auditBefore = countRows(m_path, QStringLiteral("SELECT count(*) FROM audit_log"));
    const Status s = m_store->transaction([&]() -> Status {
        for (const char* host : {"one.example.test", "two.example.test", "three.example.test"}) {
            auto r = m_store->endpoints().add(makeEndpoint(QString::fromLatin1(host)));
            if (!r) {
                return tl::unexpected(r.error());
            }
        }
        // Half-way: the fourth is a duplicate of the first.
        auto dup = m_store->endpoints().add(makeEndpoint(QStringLiteral("one.example.test")));
        if (!dup) {
            return tl::unexpected(dup.error());
        }
        return {};
    });
    QVERIFY(!s.has_value());
    QCOMPARE(s.error().code, ErrorCode::Conflict);
    QCOMPARE(m_store->endpoints().list()->size(), 0);
    // Seen from another connection too, and not even the audit lines remain.
    QCOMPARE(countRows(m_path, QStringLiteral("SELECT count(*) FROM endpoints")), 0);
    QCOMPARE(countRows(m_path, QStringLiteral("SELECT count(*) FROM audit_log")), auditBefore);
    // The store is usable afterwards.
    QVERIFY(m_store->endpoints().add(makeEndpoint(QStringLiteral("one.example.test"))).has_value());
}

void TestStoreEndpoints::nestedTransactionRollsBackAlone()
{
    const Status s = m_store->transaction([&]() -> Status {
        if (auto r = m_store->endpoints().add(makeEndpoint(QStringLiteral("kept.example.test")));
            !r) {
            return tl::unexpected(r.error());
        }
        const Status inner = m_store->transaction([&]() -> Status {
            if (auto r =
                    m_store->endpoints().add(makeEndpoint(QStringLiteral("dropped.example.test")));
                !r) {
                return tl::unexpected(r.error());
            }
            return fail(ErrorCode::Cancelled, QStringLiteral("changed my mind"));
        });
        return inner ? Status(fail(ErrorCode::Internal, QStringLiteral("inner should fail")))
                     : Status();
    });
    QVERIFY2(s.has_value(), qPrintable(s ? QString() : s.error().toString()));
    auto all = m_store->endpoints().list();
    QCOMPARE(all->size(), 1);
    QCOMPARE(all->first().host, QStringLiteral("kept.example.test"));
}

void TestStoreEndpoints::busyStoreIsAClearTimeout()
{
    // The console holds the write lock (a long import) while the CLI writes.
    auto cli = Store::openSqlite(m_path);
    QVERIFY(cli.has_value());
    Result<Endpoint> blocked = fail(ErrorCode::Internal, QStringLiteral("not run"));
    Result<std::unique_ptr<Store>> opened = fail(ErrorCode::Internal, QStringLiteral("not run"));
    int readMeanwhile = -1;
    const Status s = m_store->transaction([&]() -> Status {
        if (auto r = m_store->endpoints().add(makeEndpoint(QStringLiteral("console.example.test")));
            !r) {
            return tl::unexpected(r.error());
        }
        blocked = (*cli)->endpoints().add(makeEndpoint(QStringLiteral("cli.example.test")));
        // Opening the store meanwhile works: no lock is needed for that.
        opened = Store::openSqlite(m_path);
        if (opened) {
            readMeanwhile =
                static_cast<int>((*opened)->endpoints().list().value_or(QList<Endpoint>()).size());
        }
        return {};
    });
    QVERIFY(s.has_value());
    QVERIFY(!blocked.has_value());
    QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().toString()));
    QCOMPARE(readMeanwhile, 0); // reads did not wait, and saw nothing uncommitted
    QCOMPARE(blocked.error().code, ErrorCode::Timeout);
    QVERIFY2(blocked.error().message.contains(QLatin1String("another CertDeck program is writing")),
             qPrintable(blocked.error().toString()));
    // Once the console is done, the CLI's write goes through.
    QVERIFY((*cli)->endpoints().add(makeEndpoint(QStringLiteral("cli.example.test"))).has_value());
    QCOMPARE(m_store->endpoints().list()->size(), 2);
}

void TestStoreEndpoints::deployTargetsRoundTripAndConflict()
{
    DeployTarget t;
    t.sshHost = QStringLiteral("web1.example.test");
    t.sshPort = 2222;
    t.sshUser = QStringLiteral("deploy");
    t.keyPath = QStringLiteral("/etc/nginx/tls/api.key");
    t.fullchainPath = QStringLiteral("/etc/nginx/tls/api.fullchain.pem");
    t.owner = QStringLiteral("root");
    t.group = QStringLiteral("nginx");
    t.keyMode = 0640;
    t.validateCommand = QStringLiteral("nginx -t");
    t.reloadCommand = QStringLiteral("systemctl reload nginx");
    auto added = m_store->endpoints().addDeployTarget(t);
    QVERIFY2(added.has_value(), qPrintable(added ? QString() : added.error().toString()));
    QCOMPARE(added->sshPort, std::optional<quint16>(2222));
    QCOMPARE(added->keyMode, 0640);
    QCOMPARE(added->certMode, 0644);
    QCOMPARE(added->group, QStringLiteral("nginx"));
    QCOMPARE(added->reloadCommand, t.reloadCommand);
    QCOMPARE(added->revision, 1);

    // An endpoint points at it; removing the endpoint keeps the target.
    Endpoint e = makeEndpoint(QStringLiteral("api.example.test"));
    e.deployTargetId = added->id;
    auto ep = m_store->endpoints().add(e);
    QVERIFY(ep.has_value());
    QCOMPARE(ep->deployTargetId, std::optional<qint64>(added->id));

    DeployTarget first = *added;
    DeployTarget second = *added;
    first.reloadCommand = QStringLiteral("nginx -s reload");
    QVERIFY(m_store->endpoints().updateDeployTarget(first).has_value());
    second.sshUser = QStringLiteral("root");
    auto conflict = m_store->endpoints().updateDeployTarget(second);
    QVERIFY(!conflict.has_value());
    QCOMPARE(conflict.error().code, ErrorCode::Conflict);
    QVERIFY2(conflict.error().message.contains(QLatin1String("changed by alice")),
             qPrintable(conflict.error().message));
    QCOMPARE(m_store->endpoints().deployTarget(added->id)->sshUser, QStringLiteral("deploy"));

    // A target that does not exist yet cannot be referenced.
    Endpoint dangling = makeEndpoint(QStringLiteral("dangling.example.test"));
    dangling.deployTargetId = 999;
    auto d = m_store->endpoints().add(dangling);
    QVERIFY(!d.has_value());
    QCOMPARE(d.error().code, ErrorCode::Database);
    QVERIFY2(d.error().detail.contains(QLatin1String("FOREIGN KEY")),
             qPrintable(d.error().toString()));
}

void TestStoreEndpoints::deployTargetRejectsUnsafeInput()
{
    DeployTarget t;
    t.sshHost = QStringLiteral("web1");
    t.keyPath = QStringLiteral("/etc/ssl/k.pem");
    t.certPath = QStringLiteral("/etc/ssl/c.pem");
    t.keyMode = 0644;
    auto worldReadable = m_store->endpoints().addDeployTarget(t);
    QVERIFY(!worldReadable.has_value());
    QVERIFY2(
        worldReadable.error().message.contains(QLatin1String("readable by others (mode 0644)")),
        qPrintable(worldReadable.error().message));
    t.keyMode = 0600;
    t.certPath = QStringLiteral("relative/c.pem");
    auto relative = m_store->endpoints().addDeployTarget(t);
    QVERIFY(!relative.has_value());
    QVERIFY(relative.error().message.contains(QLatin1String("absolute")));
    t.certPath.clear();
    auto noCert = m_store->endpoints().addDeployTarget(t);
    QVERIFY(!noCert.has_value());
    QVERIFY(noCert.error().message.contains(QLatin1String("cert, fullchain or combined")));
    t.combinedPemPath = QStringLiteral("/etc/haproxy/certs/api.pem");
    t.keyPath.clear();
    QVERIFY(m_store->endpoints().addDeployTarget(t).has_value());
}

void TestStoreEndpoints::deployTargetHoldsOnlyWhatWasSaid()
{
    // Paths only: no host yet, no port, no commands; read back as unset,
    // not as 22 or a made-up reload command.
    DeployTarget unknownHost;
    unknownHost.keyPath = QStringLiteral("/etc/nginx/tls/a.key");
    unknownHost.fullchainPath = QStringLiteral("/etc/nginx/tls/a.pem");
    auto added = m_store->endpoints().addDeployTarget(unknownHost);
    QVERIFY2(added.has_value(), qPrintable(added ? QString() : added.error().toString()));
    auto read = m_store->endpoints().deployTarget(added->id);
    QVERIFY(read.has_value());
    QVERIFY(read->sshHost.isEmpty());
    QVERIFY(!read->sshPort.has_value());
    QVERIFY(!read->local);
    QVERIFY(read->reloadCommand.isEmpty() && read->validateCommand.isEmpty());
    QCOMPARE(deployTargetWhere(*read), QStringLiteral("SSH host not set"));

    // Files on this machine: no SSH at all.
    DeployTarget local = unknownHost;
    local.local = true;
    auto l = m_store->endpoints().addDeployTarget(local);
    QVERIFY2(l.has_value(), qPrintable(l ? QString() : l.error().toString()));
    QVERIFY(m_store->endpoints().deployTarget(l->id)->local);
    QCOMPARE(deployTargetWhere(*l), QStringLiteral("this machine"));
    local.sshHost = QStringLiteral("web1");
    auto both = m_store->endpoints().addDeployTarget(local);
    QVERIFY(!both.has_value());
    QCOMPARE(both.error().code, ErrorCode::InvalidInput);
    QVERIFY2(both.error().message.contains(QLatin1String("on this machine has no SSH host")),
             qPrintable(both.error().toString()));
    local.sshHost.clear();
    local.sshPort = 22;
    QVERIFY(!m_store->endpoints().addDeployTarget(local).has_value());

    // The host filled in later, with a port only when one is given.
    DeployTarget filled = *read;
    filled.sshHost = QStringLiteral("web1.example.test");
    filled.sshUser = QStringLiteral("deploy");
    auto updated = m_store->endpoints().updateDeployTarget(filled);
    QVERIFY2(updated.has_value(), qPrintable(updated ? QString() : updated.error().toString()));
    QCOMPARE(deployTargetWhere(*updated), QStringLiteral("deploy@web1.example.test"));
    filled = *updated;
    filled.sshPort = 2222;
    updated = m_store->endpoints().updateDeployTarget(filled);
    QVERIFY(updated.has_value());
    QCOMPARE(deployTargetWhere(*updated), QStringLiteral("deploy@web1.example.test:2222"));
}

void TestStoreEndpoints::keysMustBeCiphertext()
{
    KeyRecord none;
    none.description = QStringLiteral("ECDSA P-256");
    auto r = m_store->keys().add(none);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, ErrorCode::InvalidInput);
    QVERIFY(r.error().message.contains(QLatin1String("never holds plain keys")));

    KeyRecord plain = none;
    plain.encrypted = QByteArrayLiteral("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n"
                                        "-----END PRIVATE KEY-----\n");
    auto p = m_store->keys().add(plain);
    QVERIFY(!p.has_value());
    QVERIFY(p.error().message.contains(QLatin1String("unencrypted")));

    KeyRecord legacy = none;
    legacy.encrypted = QByteArrayLiteral("-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                                         "DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n"
                                         "\nc2VhbGVk\n-----END EC PRIVATE KEY-----\n");
    QVERIFY(m_store->keys().add(legacy).has_value());
    KeyRecord rsa = none;
    rsa.encrypted = QByteArrayLiteral("-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n"
                                      "-----END RSA PRIVATE KEY-----\n");
    QVERIFY(!m_store->keys().add(rsa).has_value());

    KeyRecord sealed = none;
    sealed.encrypted = QByteArray("\x01\x02\x03 ciphertext", 14);
    sealed.spkiSha256 = QByteArray(32, '\xab');
    auto id = m_store->keys().add(sealed);
    QVERIFY2(id.has_value(), qPrintable(id ? QString() : id.error().toString()));
    auto back = m_store->keys().get(*id);
    QVERIFY(back.has_value());
    QCOMPARE(back->encrypted, sealed.encrypted);
    QCOMPARE(back->spkiSha256, sealed.spkiSha256);
    QCOMPARE(back->protection, KeyProtection::MasterPassphrase);

    KeyRecord keyring = none;
    keyring.protection = KeyProtection::OsKeyring;
    keyring.keyringId = QStringLiteral("certdeck/key/7");
    auto kid = m_store->keys().add(keyring);
    QVERIFY(kid.has_value());
    QCOMPARE(m_store->keys().get(*kid)->protection, KeyProtection::OsKeyring);

    // The CHECK constraint stands behind the API for other writers.
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
    db.setDatabaseName(m_path);
    QVERIFY(db.open());
    {
        QSqlQuery q(db);
        QVERIFY(!q.exec(QStringLiteral("INSERT INTO keys (protection, created_utc) VALUES "
                                       "('master-passphrase', '2026-01-01T00:00:00Z')")));
    }
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
}

void TestStoreEndpoints::certificatesUpsertByFingerprint()
{
    QTemporaryDir dir;
    test::TestPki pki;
    QVERIFY2(pki.create(dir.path(), {}), qPrintable(pki.errorString()));
    test::TestPki::LeafSpec spec;
    spec.name = QStringLiteral("api");
    spec.commonName = QStringLiteral("api.example.test");
    spec.sans = {QStringLiteral("DNS:api.example.test"), QStringLiteral("DNS:www.example.test"),
                 QStringLiteral("IP:192.0.2.7")};
    const auto leaf = pki.issue(spec);
    QVERIFY2(!leaf.name.isEmpty(), qPrintable(pki.errorString()));
    auto bundle = crypto::CertificateReader::readFile(leaf.cert);
    QVERIFY(bundle.has_value());
    const crypto::Certificate cert = bundle->certificates.first();

    auto id = m_store->certificates().upsert(cert);
    QVERIFY2(id.has_value(), qPrintable(id ? QString() : id.error().toString()));
    auto again = m_store->certificates().upsert(cert);
    QVERIFY(again.has_value());
    QCOMPARE(*again, *id);
    QCOMPARE(countRows(m_path, QStringLiteral("SELECT count(*) FROM certificates")), 1);

    auto rec = m_store->certificates().get(*id);
    QVERIFY(rec.has_value());
    QCOMPARE(rec->der, cert.toDer());
    QCOMPARE(rec->subject, cert.subject());
    QCOMPARE(rec->issuer, cert.issuer());
    QCOMPARE(rec->serialHex, cert.serialHex());
    QCOMPARE(rec->notAfterUtc, cert.notAfter().toUTC());
    QCOMPARE(rec->sans,
             (QStringList{QStringLiteral("api.example.test"), QStringLiteral("www.example.test"),
                          QStringLiteral("192.0.2.7")}));
    // The fingerprint column matches the openssl CLI's, colons or not.
    QByteArray out;
    QCOMPARE(test::runTool(QStringLiteral("openssl"),
                           {QStringLiteral("x509"), QStringLiteral("-in"), leaf.cert,
                            QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                            QStringLiteral("-sha256")},
                           &out),
             0);
    const QString opensslFp = QString::fromLatin1(out.trimmed()).section(u'=', 1);
    QCOMPARE(rec->sha256Hex, opensslFp.toLower().remove(u':'));
    auto byFp = m_store->certificates().bySha256(opensslFp);
    QVERIFY(byFp.has_value() && byFp->has_value());
    QCOMPARE((*byFp)->id, *id);
    auto unknown = m_store->certificates().bySha256(QString(64, u'0'));
    QVERIFY(unknown.has_value() && !unknown->has_value());

    // The not-after column answers "what expires first" without parsing DER.
    QCOMPARE(countRows(m_path, QStringLiteral(
                                   "SELECT count(*) FROM certificates WHERE not_after_utc < '%1'")
                                   .arg(cert.notAfter().addDays(1).toUTC().toString(Qt::ISODate))),
             1);
    QVERIFY(!m_store->certificates().upsert(crypto::Certificate()).has_value());
}

void TestStoreEndpoints::certificateHistoryPerEndpoint()
{
    QTemporaryDir dir;
    test::TestPki pki;
    QVERIFY2(pki.create(dir.path(), {}), qPrintable(pki.errorString()));
    test::TestPki::LeafSpec spec;
    spec.name = QStringLiteral("v1");
    const auto v1 = pki.issue(spec);
    spec.name = QStringLiteral("v2");
    const auto v2 = pki.issue(spec);
    auto c1 = m_store->certificates().upsert(
        crypto::CertificateReader::readFile(v1.cert)->certificates.first());
    auto c2 = m_store->certificates().upsert(
        crypto::CertificateReader::readFile(v2.cert)->certificates.first());
    QVERIFY(c1.has_value() && c2.has_value());
    QVERIFY(*c1 != *c2);
    auto ep = m_store->endpoints().add(makeEndpoint(QStringLiteral("api.example.test")));
    QVERIFY(ep.has_value());
    QVERIFY(m_store->certificates().addVersion(ep->id, *c1, VersionState::Deployed).has_value());
    QVERIFY(m_store->certificates().addVersion(ep->id, *c2, VersionState::Issued).has_value());
    QVERIFY(m_store->certificates().addVersion(ep->id, *c1, VersionState::Replaced).has_value());
    QVERIFY(m_store->certificates().addVersion(ep->id, *c2, VersionState::Deployed).has_value());
    auto history = m_store->certificates().versions(ep->id);
    QVERIFY(history.has_value());
    QCOMPARE(history->size(), 4);
    QCOMPARE(history->at(0).state, VersionState::Deployed);
    QCOMPARE(history->at(0).certificateId, *c1);
    QCOMPARE(history->at(3).state, VersionState::Deployed);
    QCOMPARE(history->at(3).certificateId, *c2);

    auto noCert = m_store->certificates().addVersion(ep->id, 999, VersionState::Issued);
    QVERIFY(!noCert.has_value());
    QVERIFY2(noCert.error().message.contains(QLatin1String("certificate 999")),
             qPrintable(noCert.error().toString()));
    auto noEp = m_store->certificates().addVersion(999, *c1, VersionState::Issued);
    QVERIFY(!noEp.has_value());
    QCOMPARE(noEp.error().code, ErrorCode::NotFound);

    // Removing the endpoint removes its history, not the certificates.
    QVERIFY(m_store->endpoints().remove(ep->id).has_value());
    QCOMPARE(countRows(m_path, QStringLiteral("SELECT count(*) FROM certificate_versions")), 0);
    QCOMPARE(countRows(m_path, QStringLiteral("SELECT count(*) FROM certificates")), 2);
}

// The fleet table's rows: each endpoint with the certificate of its newest
// version (ties in time go to the later version), its newest probe and its
// deploy target; endpoints without them have none.
void TestStoreEndpoints::fleetViewShowsNewestRecords()
{
    QTemporaryDir dir;
    test::TestPki pki;
    QVERIFY2(pki.create(dir.path(), {}), qPrintable(pki.errorString()));
    test::TestPki::LeafSpec spec;
    spec.name = QStringLiteral("old");
    spec.commonName = QStringLiteral("old.example.test");
    const auto oldLeaf = pki.issue(spec);
    spec.name = QStringLiteral("new");
    spec.commonName = QStringLiteral("new.example.test");
    const auto newLeaf = pki.issue(spec);
    auto cOld = m_store->certificates().upsert(
        crypto::CertificateReader::readFile(oldLeaf.cert)->certificates.first());
    auto cNew = m_store->certificates().upsert(
        crypto::CertificateReader::readFile(newLeaf.cert)->certificates.first());
    QVERIFY(cOld.has_value() && cNew.has_value());

    DeployTarget t;
    t.sshHost = QStringLiteral("lb1.example.test");
    t.sshUser = QStringLiteral("deploy");
    t.fullchainPath = QStringLiteral("/etc/nginx/tls/api.pem");
    t.keyPath = QStringLiteral("/etc/nginx/tls/api.key");
    auto target = m_store->endpoints().addDeployTarget(t);
    QVERIFY2(target.has_value(), qPrintable(target ? QString() : target.error().toString()));

    Endpoint withAll = makeEndpoint(QStringLiteral("api.example.test"));
    withAll.deployTargetId = target->id;
    auto a = m_store->endpoints().add(withAll);
    auto b = m_store->endpoints().add(makeEndpoint(QStringLiteral("bare.example.test")));
    auto c = m_store->endpoints().add(makeEndpoint(QStringLiteral("probed.example.test")));
    QVERIFY(a.has_value() && b.has_value() && c.has_value());
    // Same second for all four: the order they were recorded decides.
    QVERIFY(m_store->certificates().addVersion(a->id, *cNew, VersionState::Issued).has_value());
    QVERIFY(m_store->certificates().addVersion(a->id, *cOld, VersionState::Deployed).has_value());
    QVERIFY(m_store->certificates().addVersion(a->id, *cOld, VersionState::Replaced).has_value());
    QVERIFY(m_store->certificates().addVersion(a->id, *cNew, VersionState::Deployed).has_value());
    QVERIFY(m_store->certificates().addVersion(c->id, *cOld, VersionState::Deployed).has_value());
    const QDateTime t0(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);
    for (int i = 0; i < 3; ++i) {
        for (qint64 id : {a->id, c->id}) {
            ProbeRecord p;
            p.endpointId = id;
            p.atUtc = t0.addSecs((id == a->id ? 2 - i : i) * 60);
            p.status = i == 1 ? QStringLiteral("critical") : QStringLiteral("ok");
            p.grade = QStringLiteral("grade-%1").arg(i);
            p.reportJson = "{}";
            QVERIFY(m_store->probes().add(p).has_value());
        }
    }

    auto rows = inventory::loadFleet(*m_store);
    QVERIFY2(rows.has_value(), qPrintable(rows ? QString() : rows.error().toString()));
    QCOMPARE(rows->size(), 3);
    QHash<QString, FleetRow> byHost;
    for (const FleetRow& r : std::as_const(*rows)) {
        byHost.insert(r.endpoint.host, r);
    }
    const FleetRow ra = byHost.value(QStringLiteral("api.example.test"));
    QVERIFY(ra.certificate.has_value());
    QCOMPARE(ra.certificate->id, *cNew);
    QVERIFY(ra.certificate->subject.contains(QLatin1String("new.example.test")));
    QVERIFY(ra.lastProbe.has_value());
    QCOMPARE(ra.lastProbe->atUtc, t0.addSecs(120)); // inserted first, yet the newest
    QCOMPARE(ra.lastProbe->grade, QStringLiteral("grade-0"));
    QVERIFY(ra.deployTarget.has_value());
    QCOMPARE(ra.deployTarget->fullchainPath, QStringLiteral("/etc/nginx/tls/api.pem"));

    const FleetRow rb = byHost.value(QStringLiteral("bare.example.test"));
    QVERIFY(!rb.certificate && !rb.lastProbe && !rb.deployTarget);
    QCOMPARE(expiryState(rb, QDateTime::currentDateTimeUtc(), 30), ExpiryState::NoCertificate);

    const FleetRow rc = byHost.value(QStringLiteral("probed.example.test"));
    QCOMPARE(rc.certificate->id, *cOld);
    QCOMPARE(rc.lastProbe->grade, QStringLiteral("grade-2"));
    QCOMPARE(rc.lastProbe->atUtc, t0.addSecs(120));
    QVERIFY(!rc.deployTarget);
    const QDateTime notAfter = rc.certificate->notAfterUtc;
    QCOMPARE(expiryState(rc, notAfter.addDays(-40), 30), ExpiryState::Ok);
    QCOMPARE(expiryState(rc, notAfter.addDays(-10), 30), ExpiryState::Expiring);
    QCOMPARE(expiryState(rc, notAfter, 30), ExpiryState::Expired);
}

QTEST_GUILESS_MAIN(TestStoreEndpoints)
#include "test_store_endpoints.moc"
