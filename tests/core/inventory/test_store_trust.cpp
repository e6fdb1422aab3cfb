// SPDX-License-Identifier: GPL-3.0-or-later
// Trust bundles in the SQLite store: a bundle must hold certificates that
// parse (garbage is refused and nothing written), names are unique, an
// endpoint's own bundle wins over its group's, which wins over the system
// store, and a bundle in use cannot be removed. Every change is audited.
#include "TestPki.h"
#include "inventory/Store.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using certdeck::test::TestPki;

class TestStoreTrust : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void badBundlesAreRefused();
    void endpointThenGroupThenSystem();
    void bundleInUseIsKept();

private:
    QTemporaryDir m_dir;
    QByteArray m_root;
    QByteArray m_intermediate;
    std::unique_ptr<Store> m_store;
    int m_n = 0;
};

void TestStoreTrust::initTestCase()
{
    TestPki pki;
    QVERIFY2(pki.create(m_dir.path(), {}), qPrintable(pki.errorString()));
    QFile root(pki.rootCert);
    QVERIFY(root.open(QIODevice::ReadOnly));
    m_root = root.readAll();
    QFile inter(pki.intermediateCert);
    QVERIFY(inter.open(QIODevice::ReadOnly));
    m_intermediate = inter.readAll();
}

void TestStoreTrust::init()
{
    auto s = Store::openSqlite(m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_n)));
    QVERIFY(s);
    m_store = std::move(*s);
}

void TestStoreTrust::badBundlesAreRefused()
{
    auto empty = m_store->trustBundles().add(QStringLiteral("empty"), QByteArray());
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, ErrorCode::InvalidInput);
    QByteArray broken = m_root;
    broken.chop(60); // the END line and part of the body
    auto truncated = m_store->trustBundles().add(QStringLiteral("cut"), broken);
    QVERIFY(!truncated);
    QCOMPARE(truncated.error().code, ErrorCode::InvalidInput);
    auto junk = m_store->trustBundles().add(QStringLiteral("junk"), "hello world\n");
    QVERIFY(!junk);
    QVERIFY(m_store->trustBundles().list()->isEmpty()); // nothing written

    auto ok = m_store->trustBundles().add(QStringLiteral("internal"), m_root + m_intermediate);
    QVERIFY2(ok, ok ? "" : qPrintable(ok.error().toString()));
    QCOMPARE(ok->certificates, 2);
    auto twice = m_store->trustBundles().add(QStringLiteral("internal"), m_root);
    QVERIFY(!twice);
    QCOMPARE(twice.error().code, ErrorCode::Conflict);
    // Replacing with garbage keeps what was there.
    QVERIFY(!m_store->trustBundles().replace(QStringLiteral("internal"), "junk"));
    QCOMPARE(m_store->trustBundles().get(QStringLiteral("internal"))->certificates, 2);
    QVERIFY(m_store->trustBundles().replace(QStringLiteral("internal"), m_root));
    QCOMPARE(m_store->trustBundles().get(QStringLiteral("internal"))->certificates, 1);
    QCOMPARE(m_store->trustBundles().get(QStringLiteral("nope")).error().code, ErrorCode::NotFound);
}

void TestStoreTrust::endpointThenGroupThenSystem()
{
    auto groupBundle = m_store->trustBundles().add(QStringLiteral("payments-ca"), m_root);
    auto ownBundle = m_store->trustBundles().add(QStringLiteral("partner-ca"), m_intermediate);
    QVERIFY(groupBundle && ownBundle);
    Endpoint a;
    a.host = QStringLiteral("pay.internal");
    a.group = QStringLiteral("payments");
    Endpoint b = a;
    b.host = QStringLiteral("partner.internal");
    b.trustBundleId = ownBundle->id;
    Endpoint c;
    c.host = QStringLiteral("www.example.test");
    auto ea = m_store->endpoints().add(a);
    auto eb = m_store->endpoints().add(b);
    auto ec = m_store->endpoints().add(c);
    QVERIFY(ea && eb && ec);
    QCOMPARE(eb->trustBundleId, std::optional<qint64>(ownBundle->id));

    QVERIFY(!m_store->trustBundles().effectiveFor(*ea)->has_value()); // no group bundle yet
    QVERIFY(m_store->trustBundles().setForGroup(QStringLiteral("payments"), groupBundle->id));
    QCOMPARE((*m_store->trustBundles().effectiveFor(*ea))->name, QStringLiteral("payments-ca"));
    QCOMPARE((*m_store->trustBundles().effectiveFor(*eb))->name, QStringLiteral("partner-ca"));
    QVERIFY(!m_store->trustBundles().effectiveFor(*ec)->has_value());
    QVERIFY(m_store->trustBundles().setForGroup(QStringLiteral("payments"), std::nullopt));
    QVERIFY(!m_store->trustBundles().effectiveFor(*ea)->has_value());

    // Clearing an endpoint's own bundle through an edit.
    Endpoint edited = *eb;
    edited.trustBundleId.reset();
    auto saved = m_store->endpoints().update(edited);
    QVERIFY(saved);
    QVERIFY(!saved->trustBundleId.has_value());

    QStringList actions;
    const auto log = m_store->activity().auditLog();
    QVERIFY(log);
    for (const AuditEntry& entry : *log) {
        actions << entry.action;
    }
    QVERIFY2(actions.contains(QStringLiteral("trust-bundle.add")), qPrintable(actions.join(u',')));
    QVERIFY(actions.contains(QStringLiteral("group.trust")));
}

void TestStoreTrust::bundleInUseIsKept()
{
    auto bundle = m_store->trustBundles().add(QStringLiteral("internal"), m_root);
    QVERIFY(bundle);
    Endpoint e;
    e.host = QStringLiteral("api.internal");
    e.port = 8443;
    e.trustBundleId = bundle->id;
    QVERIFY(m_store->endpoints().add(e));
    auto refused = m_store->trustBundles().remove(QStringLiteral("internal"));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Conflict);
    QVERIFY2(refused.error().message.contains(QLatin1String("api.internal:8443")),
             qPrintable(refused.error().message));
    QVERIFY(m_store->trustBundles().get(QStringLiteral("internal")));
    QVERIFY(m_store->trustBundles().setForGroup(QStringLiteral("edge"), bundle->id));
    auto unused = m_store->trustBundles().add(QStringLiteral("old"), m_root);
    QVERIFY(unused);
    QVERIFY(m_store->trustBundles().remove(QStringLiteral("old")));
    QCOMPARE(m_store->trustBundles().list()->size(), 1);
}

QTEST_GUILESS_MAIN(TestStoreTrust)
#include "test_store_trust.moc"
