// SPDX-License-Identifier: GPL-3.0-or-later
// ImportApplier on a real SQLite store: applying a plan twice changes
// nothing, a new endpoint is linked to the stored target of the same place
// instead of a copy, targets without a host are never shared across
// imports, issuers and renewal policies are not added or reset again, and a
// dry run refuses with the very error the import gives.
#include "inventory/ImportApplier.h"
#include "inventory/Store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

class TestImportApplier : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void applyingTwiceChangesNothing();
    void newEndpointSharesTheStoredTargetOfTheSamePlace();
    void targetsWithoutHostAreNotSharedAcrossImports();
    void issuersAndPoliciesAreNotAddedOrResetAgain();
    void dryRunRefusesWithTheImportsError();

private:
    static Endpoint endpoint(const QString& host)
    {
        Endpoint e;
        e.host = host;
        e.port = 443;
        e.serverKind = ServerKind::Nginx;
        return e;
    }
    static DeployTarget target(const QString& host, const QString& stem)
    {
        DeployTarget t;
        t.sshHost = host;
        t.keyPath = QStringLiteral("/etc/nginx/tls/%1.key").arg(stem);
        t.fullchainPath = QStringLiteral("/etc/nginx/tls/%1.pem").arg(stem);
        return t;
    }
    int targetCount() const { return int(m_store->endpoints().deployTargets()->size()); }

    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
};

void TestImportApplier::init()
{
    auto store = Store::openSqlite(
        m_dir.filePath(QStringLiteral("%1.sqlite").arg(QTest::currentTestFunction())));
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    m_store = std::move(*store);
    m_store->setActor(QStringLiteral("alice"));
}

void TestImportApplier::cleanup()
{
    m_store.reset();
}

void TestImportApplier::applyingTwiceChangesNothing()
{
    ImportPlan plan;
    const int t = plan.addDeployTarget(target(QString(), QStringLiteral("api")));
    plan.addEndpoint(endpoint(QStringLiteral("api.example.test")), QStringLiteral("line 1"), t);
    plan.addEndpoint(endpoint(QStringLiteral("www.example.test")), QStringLiteral("line 2"), t);

    auto first = ImportApplier::apply(*m_store, plan);
    QVERIFY2(first.has_value(), qPrintable(first ? QString() : first.error().toString()));
    QCOMPARE(first->endpointsAdded, 2);
    QCOMPARE(first->deployTargets, 1);
    QVERIFY(first->changesAnything());
    const auto audit = m_store->activity().auditLog()->size();

    auto second = ImportApplier::apply(*m_store, plan);
    QVERIFY2(second.has_value(), qPrintable(second ? QString() : second.error().toString()));
    QCOMPARE(second->endpointsAdded, 0);
    QCOMPARE(second->endpointsExisting, 2);
    QCOMPARE(second->deployTargets, 0);
    QCOMPARE(second->alreadyKnown, (QList<bool>{true, true}));
    QVERIFY(!second->changesAnything());
    QCOMPARE(second->notes,
             (QStringList{QStringLiteral("api.example.test:443 is already in the inventory; kept "
                                         "as it is"),
                          QStringLiteral("www.example.test:443 is already in the inventory; kept "
                                         "as it is")}));
    QCOMPARE(targetCount(), 1);
    QCOMPARE(m_store->endpoints().list()->size(), 2);
    // One audit line says what the import did: nothing.
    const auto log = m_store->activity().auditLog();
    QCOMPARE(log->size(), audit + 1);
}

void TestImportApplier::newEndpointSharesTheStoredTargetOfTheSamePlace()
{
    ImportPlan first;
    const int t =
        first.addDeployTarget(target(QStringLiteral("web1.example.test"), QStringLiteral("api")));
    first.addEndpoint(endpoint(QStringLiteral("api.example.test")), QStringLiteral("a"), t);
    QVERIFY(ImportApplier::apply(*m_store, first).has_value());

    // The same dump later, with one more server on the same files; the
    // host's case differs, as typed by another admin.
    ImportPlan second;
    const int t2 =
        second.addDeployTarget(target(QStringLiteral("WEB1.example.test"), QStringLiteral("api")));
    second.addEndpoint(endpoint(QStringLiteral("api.example.test")), QStringLiteral("a"), t2);
    second.addEndpoint(endpoint(QStringLiteral("new.example.test")), QStringLiteral("b"), t2);
    auto s = ImportApplier::apply(*m_store, second);
    QVERIFY2(s.has_value(), qPrintable(s ? QString() : s.error().toString()));
    QCOMPARE(s->endpointsAdded, 1);
    QCOMPARE(s->deployTargets, 0);
    QCOMPARE(s->deployTargetsExisting, 1);
    QCOMPARE(targetCount(), 1);
    const auto api = m_store->endpoints().at(QStringLiteral("api.example.test"), 443);
    const auto added = m_store->endpoints().at(QStringLiteral("new.example.test"), 443);
    QCOMPARE(added->first().deployTargetId, api->first().deployTargetId);
}

void TestImportApplier::targetsWithoutHostAreNotSharedAcrossImports()
{
    // Two dumps imported without a host may come from two machines with
    // the same paths: filling in one target's host must not move the other.
    for (const QString& host :
         {QStringLiteral("a.example.test"), QStringLiteral("b.example.test")}) {
        ImportPlan plan;
        const int t = plan.addDeployTarget(target(QString(), QStringLiteral("site")));
        plan.addEndpoint(endpoint(host), host, t);
        auto s = ImportApplier::apply(*m_store, plan);
        QVERIFY2(s.has_value(), qPrintable(s ? QString() : s.error().toString()));
        QCOMPARE(s->deployTargets, 1);
    }
    QCOMPARE(targetCount(), 2);
}

void TestImportApplier::issuersAndPoliciesAreNotAddedOrResetAgain()
{
    ImportPlan plan;
    const int e =
        plan.addEndpoint(endpoint(QStringLiteral("api.example.test")), QStringLiteral("a"));
    IssuerRecord issuer;
    issuer.kind = IssuerRecord::Kind::AcmeAccount;
    issuer.name = QStringLiteral("acme.example.test (certbot account 1f2e)");
    issuer.directoryUrl = QStringLiteral("https://acme.example.test/directory");
    PlannedRenewal r;
    r.lineage = QStringLiteral("api.example.test");
    r.endpointIndexes = {e};
    r.issuerIndex = plan.addIssuer(issuer);
    r.policy.keyType = QStringLiteral("p384");
    r.policy.renewBeforeDays = 30;
    plan.renewals << r;

    auto first = ImportApplier::apply(*m_store, plan);
    QVERIFY2(first.has_value(), qPrintable(first ? QString() : first.error().toString()));
    QCOMPARE(first->issuers, 1);
    QCOMPARE(first->renewalPolicies, 1);
    // The admin changes the policy afterwards.
    const qint64 id = m_store->endpoints().at(QStringLiteral("api.example.test"), 443)->first().id;
    RenewalPolicy mine = **m_store->issuers().renewalPolicy(id);
    mine.renewBeforeDays = 10;
    QVERIFY(m_store->issuers().setRenewalPolicy(mine).has_value());

    // Importing the same folder again finds the issuer it stored (names are
    // unique, so adding it twice would refuse the import) and leaves the
    // admin's policy as it is.
    auto second = ImportApplier::apply(*m_store, plan);
    QVERIFY2(second.has_value(), qPrintable(second ? QString() : second.error().toString()));
    QCOMPARE(second->issuers, 0);
    QCOMPARE(second->issuersExisting, 1);
    QCOMPARE(second->renewalPolicies, 0);
    QVERIFY(!second->changesAnything());
    QCOMPARE(m_store->issuers().list()->size(), 1);
    QCOMPARE((*m_store->issuers().renewalPolicy(id))->renewBeforeDays, 10);
}

void TestImportApplier::dryRunRefusesWithTheImportsError()
{
    ImportPlan plan;
    const int good = plan.addDeployTarget(target(QStringLiteral("web1"), QStringLiteral("a")));
    DeployTarget bad = target(QStringLiteral("web2"), QStringLiteral("b"));
    bad.keyMode = 0644;
    const int refused = plan.addDeployTarget(bad);
    plan.addEndpoint(endpoint(QStringLiteral("a.example.test")), QStringLiteral("a"), good);
    plan.addEndpoint(endpoint(QStringLiteral("b.example.test")), QStringLiteral("b"), refused);

    auto dry = ImportApplier::dryRun(*m_store, plan);
    auto real = ImportApplier::apply(*m_store, plan);
    QVERIFY(!dry.has_value());
    QVERIFY(!real.has_value());
    QCOMPARE(dry.error().code, ErrorCode::InvalidInput);
    QCOMPARE(dry.error().code, real.error().code);
    QCOMPARE(dry.error().message, real.error().message);
    QCOMPARE(dry.error().detail, real.error().detail);
    QCOMPARE(real.error().message,
             QStringLiteral("Deploy target on web2 (/etc/nginx/tls/b.pem): A private key file "
                            "must not be readable by others (mode 0644)"));
    QCOMPARE(m_store->endpoints().list()->size(), 0);
    QCOMPARE(targetCount(), 0);
}

QTEST_GUILESS_MAIN(TestImportApplier)
#include "test_import_applier.moc"
