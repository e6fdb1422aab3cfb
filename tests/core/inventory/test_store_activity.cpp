// SPDX-License-Identifier: GPL-3.0-or-later
// The store's issuers, renewal policies, probe history and alerts on SQLite.
#include "inventory/Store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

class TestStoreActivity : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void issuersHaveUniqueNames();
    void renewalPolicyIsOnePerEndpoint();
    void renewalPolicyRejectsBadValues_data();
    void renewalPolicyRejectsBadValues();
    void probeHistoryNewestFirst();
    void alertsOpenAndResolve();
    void removingAnEndpointRemovesItsActivity();
    void auditLogForOneEndpoint();

private:
    QTemporaryDir m_tmp;
    std::unique_ptr<Store> m_store;
    Endpoint m_endpoint;
    int m_counter = 0;
};

void TestStoreActivity::init()
{
    // One fresh store per test and per data row.
    auto s = Store::openSqlite(m_tmp.filePath(QStringLiteral("%1.sqlite").arg(++m_counter)));
    QVERIFY2(s.has_value(), qPrintable(s ? QString() : s.error().toString()));
    m_store = std::move(*s);
    Endpoint e;
    e.host = QStringLiteral("api.example.test");
    auto added = m_store->endpoints().add(e);
    QVERIFY(added.has_value());
    m_endpoint = *added;
}

void TestStoreActivity::cleanup()
{
    m_store.reset();
}

void TestStoreActivity::issuersHaveUniqueNames()
{
    IssuerRecord le;
    le.name = QStringLiteral("letsencrypt-prod");
    le.directoryUrl = QStringLiteral("https://acme-v02.api.letsencrypt.org/directory");
    IssuerRecord ca;
    ca.kind = IssuerRecord::Kind::LocalCa;
    ca.name = QStringLiteral("east-west CA");
    ca.directoryUrl = QStringLiteral("/home/alice/.local/share/certdeck/ca");
    QVERIFY(m_store->issuers().add(le).has_value());
    QVERIFY(m_store->issuers().add(ca).has_value());
    auto dup = m_store->issuers().add(le);
    QVERIFY(!dup.has_value());
    QCOMPARE(dup.error().code, ErrorCode::Conflict);
    QVERIFY(dup.error().message.contains(QLatin1String("'letsencrypt-prod' already exists")));
    IssuerRecord unnamed;
    QCOMPARE(m_store->issuers().add(unnamed).error().code, ErrorCode::InvalidInput);
    auto all = m_store->issuers().list();
    QVERIFY(all.has_value());
    QCOMPARE(all->size(), 2);
    QCOMPARE(all->at(0).name, QStringLiteral("east-west CA"));
    QCOMPARE(all->at(0).kind, IssuerRecord::Kind::LocalCa);
    QCOMPARE(all->at(1).directoryUrl, le.directoryUrl);
}

void TestStoreActivity::renewalPolicyIsOnePerEndpoint()
{
    QCOMPARE(m_store->issuers().renewalPolicy(m_endpoint.id)->has_value(), false);
    IssuerRecord le;
    le.name = QStringLiteral("le");
    auto issuerId = m_store->issuers().add(le);
    RenewalPolicy p;
    p.endpointId = m_endpoint.id;
    p.keyType = QStringLiteral("p384");
    p.renewBeforeDays = 21;
    p.challenge = QStringLiteral("dns-01");
    p.issuerId = *issuerId;
    auto set = m_store->issuers().setRenewalPolicy(p);
    QVERIFY2(set.has_value(), qPrintable(set ? QString() : set.error().toString()));
    QCOMPARE(set->keyType, QStringLiteral("p384"));
    QCOMPARE(set->issuerId, std::optional<qint64>(*issuerId));
    p.renewBeforeDays = 14;
    QVERIFY(m_store->issuers().setRenewalPolicy(p).has_value());
    auto now = m_store->issuers().renewalPolicy(m_endpoint.id);
    QVERIFY(now.has_value() && now->has_value());
    QCOMPARE((*now)->renewBeforeDays, 14);
    RenewalPolicy orphan = p;
    orphan.endpointId = 999;
    QCOMPARE(m_store->issuers().setRenewalPolicy(orphan).error().code, ErrorCode::NotFound);
}

void TestStoreActivity::renewalPolicyRejectsBadValues_data()
{
    QTest::addColumn<QString>("keyType");
    QTest::addColumn<int>("days");
    QTest::addColumn<QString>("challenge");
    QTest::addColumn<QString>("expected");
    QTest::newRow("key type") << "dsa1024" << 30 << "http-01"
                              << "Unknown key type 'dsa1024'";
    QTest::newRow("challenge") << "p256" << 30 << "email"
                               << "Unknown challenge 'email'";
    QTest::newRow("zero days") << "p256" << 0 << "http-01"
                               << "1 to 365";
    QTest::newRow("too many days") << "p256" << 400 << "http-01"
                                   << "1 to 365";
}

void TestStoreActivity::renewalPolicyRejectsBadValues()
{
    QFETCH(QString, keyType);
    QFETCH(int, days);
    QFETCH(QString, challenge);
    QFETCH(QString, expected);
    RenewalPolicy p;
    p.endpointId = m_endpoint.id;
    p.keyType = keyType;
    p.renewBeforeDays = days;
    p.challenge = challenge;
    auto r = m_store->issuers().setRenewalPolicy(p);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, ErrorCode::InvalidInput);
    QVERIFY2(r.error().message.contains(expected), qPrintable(r.error().message));
}

void TestStoreActivity::probeHistoryNewestFirst()
{
    const QDateTime t0(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);
    for (int i = 0; i < 5; ++i) {
        ProbeRecord p;
        p.endpointId = m_endpoint.id;
        p.atUtc = t0.addSecs(i * 3600);
        p.status = i == 4 ? QStringLiteral("critical") : QStringLiteral("ok");
        p.grade = QStringLiteral("A");
        p.reportJson = QByteArrayLiteral("{\"probe\":") + QByteArray::number(i) + '}';
        QVERIFY(m_store->probes().add(p).has_value());
    }
    auto last3 = m_store->probes().history(m_endpoint.id, 3);
    QVERIFY(last3.has_value());
    QCOMPARE(last3->size(), 3);
    QCOMPARE(last3->at(0).status, QStringLiteral("critical"));
    QCOMPARE(last3->at(0).atUtc, t0.addSecs(4 * 3600));
    QCOMPARE(last3->at(2).reportJson, QByteArray("{\"probe\":2}"));
    ProbeRecord bad;
    bad.endpointId = m_endpoint.id;
    bad.status = QStringLiteral("fine");
    QCOMPARE(m_store->probes().add(bad).error().code, ErrorCode::InvalidInput);
}

void TestStoreActivity::alertsOpenAndResolve()
{
    AlertRecord a;
    a.endpointId = m_endpoint.id;
    a.code = QStringLiteral("expiring");
    a.severity = QStringLiteral("warning");
    a.message = QStringLiteral("expires in 12 days");
    auto id1 = m_store->activity().raiseAlert(a);
    QVERIFY(id1.has_value());
    AlertRecord global;
    global.code = QStringLiteral("store-backup-missing");
    global.severity = QStringLiteral("critical");
    auto id2 = m_store->activity().raiseAlert(global);
    QVERIFY(id2.has_value());
    QCOMPARE(m_store->activity().openAlerts()->size(), 2);
    QVERIFY(m_store->activity().resolveAlert(*id1).has_value());
    auto open = m_store->activity().openAlerts();
    QCOMPARE(open->size(), 1);
    QCOMPARE(open->first().code, QStringLiteral("store-backup-missing"));
    QVERIFY(!open->first().endpointId.has_value());
    auto again = m_store->activity().resolveAlert(*id1);
    QVERIFY(!again.has_value());
    QCOMPARE(again.error().code, ErrorCode::NotFound);
    AlertRecord bad = a;
    bad.severity = QStringLiteral("meh");
    QCOMPARE(m_store->activity().raiseAlert(bad).error().code, ErrorCode::InvalidInput);
    auto log = m_store->activity().auditLog(3);
    QCOMPARE(log->at(0).action, QStringLiteral("alert.resolve"));
    QCOMPARE(log->at(0).result, QStringLiteral("not-found"));
}

void TestStoreActivity::removingAnEndpointRemovesItsActivity()
{
    ProbeRecord p;
    p.endpointId = m_endpoint.id;
    p.status = QStringLiteral("ok");
    QVERIFY(m_store->probes().add(p).has_value());
    AlertRecord a;
    a.endpointId = m_endpoint.id;
    a.code = QStringLiteral("expired");
    a.severity = QStringLiteral("critical");
    QVERIFY(m_store->activity().raiseAlert(a).has_value());
    RenewalPolicy rp;
    rp.endpointId = m_endpoint.id;
    QVERIFY(m_store->issuers().setRenewalPolicy(rp).has_value());
    QVERIFY(m_store->endpoints().remove(m_endpoint.id).has_value());
    QCOMPARE(m_store->probes().history(m_endpoint.id)->size(), 0);
    QCOMPARE(m_store->activity().openAlerts()->size(), 0);
    QVERIFY(!m_store->issuers().renewalPolicy(m_endpoint.id)->has_value());
    QCOMPARE(*m_store->integrityCheck(), QStringLiteral("ok"));
}

void TestStoreActivity::auditLogForOneEndpoint()
{
    // Neighbours whose subjects contain this endpoint's address as text: a
    // longer name, a longer port, another SNI name at the same address.
    const auto add = [this](const QString& host, quint16 port, const QString& sni) {
        Endpoint e;
        e.host = host;
        e.port = port;
        e.sniName = sni;
        auto added = m_store->endpoints().add(e);
        return added ? added->id : qint64(0);
    };
    const qint64 longer = add(QStringLiteral("www.api.example.test"), 443, {});
    const qint64 port = add(QStringLiteral("api.example.test"), 4430, {});
    const qint64 sni = add(QStringLiteral("api.example.test"), 443, QStringLiteral("b.test"));
    QVERIFY(longer != 0 && port != 0 && sni != 0);
    for (qint64 id : {m_endpoint.id, longer, port, sni}) {
        ProbeRecord p;
        p.endpointId = id;
        p.status = QStringLiteral("ok");
        QVERIFY(m_store->probes().add(p).has_value());
    }
    auto& log = m_store->activity();
    const QString mine = QStringLiteral("endpoint #%1").arg(m_endpoint.id);
    QVERIFY(log.audit(QStringLiteral("alice"), QStringLiteral("certificate.deployed"), mine,
                      QStringLiteral("ok"))
                .has_value());
    // "endpoint #1" is not "endpoint #17"; "api%example" is no address of it.
    QVERIFY(log.audit(QStringLiteral("alice"), QStringLiteral("certificate.deployed"),
                      mine + QStringLiteral("7"), QStringLiteral("ok"))
                .has_value());
    QVERIFY(log.audit(QStringLiteral("alice"), QStringLiteral("note"),
                      QStringLiteral("api%example.test:443"), QStringLiteral("ok"))
                .has_value());
    QVERIFY(log.audit(QStringLiteral("bob"), QStringLiteral("certificate.issued"),
                      QStringLiteral("certificate x for API.example.test:443"),
                      QStringLiteral("ok"))
                .has_value());

    auto entries = log.auditLogFor(m_endpoint);
    QVERIFY2(entries.has_value(), qPrintable(entries ? QString() : entries.error().toString()));
    QStringList seen;
    for (const AuditEntry& e : *entries) {
        seen << e.action + u' ' + e.subject;
    }
    QCOMPARE(seen, (QStringList{
                       QStringLiteral("certificate.issued certificate x for API.example.test:443"),
                       QStringLiteral("certificate.deployed ") + mine,
                       // probe.add names the address only: the b.test
                       // endpoint's probe is there too.
                       QStringLiteral("probe.add api.example.test:443"),
                       QStringLiteral("probe.add api.example.test:443"),
                       QStringLiteral("endpoint.add api.example.test:443"),
                   }));
    // The endpoint with SNI b.test at the same address sees its own add.
    Endpoint other = *m_store->endpoints().get(sni);
    auto theirs = log.auditLogFor(other);
    QVERIFY(theirs.has_value());
    QVERIFY(std::any_of(theirs->cbegin(), theirs->cend(), [](const AuditEntry& e) {
        return e.subject == QLatin1String("api.example.test:443 (SNI b.test)");
    }));
    QCOMPARE(log.auditLogFor(m_endpoint, 2)->size(), 2);
}

QTEST_GUILESS_MAIN(TestStoreActivity)
#include "test_store_activity.moc"
