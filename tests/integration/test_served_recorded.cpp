// SPDX-License-Identifier: GPL-3.0-or-later
// Served versus recorded, against a real nginx: a scan compares the leaf
// nginx serves with the endpoint's current certificate in the inventory.
// Nothing recorded: the served leaf becomes the endpoint's certificate,
// deployed (seen served). A newer certificate recorded while nginx still
// serves the old one: served.differs naming both serials, and the new one is
// not deployed. nginx restarted with the new one: deployed, audited.
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/Certificate.h"
#include "crypto/CertificateReader.h"
#include "inventory/Store.h"
#include "probe/assess/Findings.h"
#include "services/ScanService.h"
#include "services/ScanTargets.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHostAddress>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace certdeck;
using namespace certdeck::test;

namespace {

QString tls(const TestPki::Leaf& leaf)
{
    return QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                          "ssl_protocols TLSv1.2 TLSv1.3;\n")
        .arg(leaf.fullchain, leaf.key);
}

crypto::Certificate leafOf(const TestPki::Leaf& leaf)
{
    QFile f(leaf.cert);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    auto bundle = crypto::CertificateReader::readBytes(f.readAll(), leaf.cert);
    return bundle && !bundle->certificates.isEmpty() ? bundle->certificates.constFirst()
                                                     : crypto::Certificate{};
}

QString sha256(const crypto::Certificate& c)
{
    return QString::fromLatin1(c.fingerprint(QCryptographicHash::Sha256).toHex());
}

const probe::Finding* findingOf(const services::EndpointCheck& c, const QString& code)
{
    const auto& f = c.assessment.findings;
    const auto it =
        std::find_if(f.cbegin(), f.cend(), [&](const auto& x) { return x.code == code; });
    return it == f.cend() ? nullptr : &*it;
}

} // namespace

class TestServedRecorded : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void servedVersusRecorded();

private:
    services::EndpointCheck scan();
    inventory::CertificateVersion newestVersion();

    FixtureDir m_pkiDir;
    TestPki m_pki;
    TestPki::Leaf m_old, m_new;
    QTemporaryDir m_tmp;
    std::unique_ptr<inventory::Store> m_store;
    qint64 m_endpoint = 0;
};

void TestServedRecorded::initTestCase()
{
    QVERIFY2(m_pki.create(m_pkiDir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("old");
    m_old = m_pki.issue(spec);
    spec.name = QStringLiteral("new");
    m_new = m_pki.issue(spec);
    QVERIFY(!m_old.name.isEmpty() && !m_new.name.isEmpty());
    auto store = inventory::Store::openSqlite(m_tmp.filePath(QStringLiteral("inv.sqlite")));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    m_store = std::move(*store);
    QFile root(m_pki.rootCert);
    QVERIFY(root.open(QIODevice::ReadOnly));
    auto bundle = m_store->trustBundles().add(QStringLiteral("test-root"), root.readAll());
    QVERIFY(bundle);
}

services::EndpointCheck TestServedRecorded::scan()
{
    auto targets = services::scanTargets(*m_store);
    if (!targets || targets->size() != 1) {
        QTest::qFail("the endpoint is not a scan target", __FILE__, __LINE__);
        return {};
    }
    services::ScanServiceOptions options;
    options.revocation = false; // the test PKI's leaves name no responder
    services::ScanService service(*targets, options, m_store.get());
    QSignalSpy finished(&service, &Operation::finished);
    service.start();
    if (!finished.wait(60000) || service.results().size() != 1) {
        QTest::qFail("the scan did not finish with one check", __FILE__, __LINE__);
        return {};
    }
    if (!service.recordFailures().isEmpty()) {
        QTest::qFail(qPrintable(service.recordFailures().join(u'\n')), __FILE__, __LINE__);
    }
    return service.results().constFirst();
}

inventory::CertificateVersion TestServedRecorded::newestVersion()
{
    auto versions = m_store->certificates().versions(m_endpoint);
    if (!versions || versions->isEmpty()) {
        return {};
    }
    return versions->constLast(); // oldest first
}

void TestServedRecorded::servedVersusRecorded()
{
    NginxFixture nginx;
    QVERIFY2(nginx.start(tls(m_old)), qPrintable(nginx.errorString()));
    const quint16 port = nginx.port();
    auto bundle = m_store->trustBundles().get(QStringLiteral("test-root"));
    QVERIFY(bundle);
    inventory::Endpoint e;
    e.host = QStringLiteral("127.0.0.1");
    e.port = port;
    e.trustBundleId = bundle->id;
    auto added = m_store->endpoints().add(e);
    QVERIFY2(added, qPrintable(added ? QString() : added.error().message));
    m_endpoint = added->id;
    const crypto::Certificate oldLeaf = leafOf(m_old);
    const crypto::Certificate newLeaf = leafOf(m_new);
    QVERIFY(!oldLeaf.isNull() && !newLeaf.isNull());

    // 1. Nothing recorded: what nginx serves is the endpoint's certificate,
    //    deployed because it was seen served.
    services::EndpointCheck first = scan();
    QCOMPARE(probe::probeVerdictName(first.assessment.verdict), QStringLiteral("ok"));
    QVERIFY(findingOf(first, QStringLiteral("served.differs")) == nullptr);
    QCOMPARE(first.served.size(), 1);
    QCOMPARE(first.served.constFirst().serialHex, oldLeaf.serialHex());
    auto current = m_store->certificates().current();
    QVERIFY(current && current->contains(m_endpoint));
    QCOMPARE(current->value(m_endpoint).sha256Hex, sha256(oldLeaf));
    QCOMPARE(newestVersion().state, inventory::VersionState::Deployed);

    // 2. A renewal recorded, not yet deployed: nginx still serves the old one.
    auto newId = m_store->certificates().upsert(newLeaf);
    QVERIFY(newId);
    QVERIFY(
        m_store->certificates().addVersion(m_endpoint, *newId, inventory::VersionState::Issued));
    services::EndpointCheck second = scan();
    const probe::Finding* differs = findingOf(second, QStringLiteral("served.differs"));
    QVERIFY2(differs != nullptr, "served.differs is missing");
    QCOMPARE(differs->severity, probe::FindingSeverity::Warning);
    QVERIFY2(differs->evidence.contains(oldLeaf.serialHex()), qPrintable(differs->evidence));
    QVERIFY2(differs->evidence.contains(newLeaf.serialHex()), qPrintable(differs->evidence));
    QVERIFY2(differs->evidence.contains(QStringLiteral("127.0.0.1 serves")),
             qPrintable(differs->evidence));
    QCOMPARE(probe::probeVerdictName(second.assessment.verdict), QStringLiteral("warning"));
    QCOMPARE(second.assessment.grade.letter.left(1), first.assessment.grade.letter.left(1));
    QCOMPARE(newestVersion().certificateId, *newId);
    QCOMPARE(newestVersion().state, inventory::VersionState::Issued); // not seen served

    // An ad-hoc probe of the same endpoint (certdeckctl probe, the console's
    // single probe) is judged as the scan: same finding, same verdict.
    services::ScanTarget adHoc;
    adHoc.target.host = QStringLiteral("127.0.0.1");
    adHoc.target.port = port;
    QVERIFY(services::adoptInventory(*m_store, adHoc));
    QVERIFY(adHoc.recorded.has_value());
    QCOMPARE(adHoc.recorded->id, *newId);
    QVERIFY(!adHoc.anchors.isSystem()); // the endpoint's bundle
    services::ScanServiceOptions options;
    options.revocation = false;
    services::ScanService probe(QList<services::ScanTarget>{adHoc}, options, nullptr);
    QSignalSpy probed(&probe, &Operation::finished);
    probe.start();
    QVERIFY(probed.wait(60000));
    QCOMPARE(probe.results().size(), 1);
    const services::EndpointCheck& single = probe.results().constFirst();
    QVERIFY(findingOf(single, QStringLiteral("served.differs")) != nullptr);
    QCOMPARE(single.assessment.verdict, second.assessment.verdict);
    QCOMPARE(single.assessment.grade.letter, second.assessment.grade.letter);

    // 3. nginx restarted on the same port with the new certificate: deployed.
    nginx.stop();
    NginxFixture renewed;
    renewed.setListen({QHostAddress(QHostAddress::LocalHost)}, port);
    QVERIFY2(renewed.start(tls(m_new)), qPrintable(renewed.errorString()));
    services::EndpointCheck third = scan();
    QVERIFY(findingOf(third, QStringLiteral("served.differs")) == nullptr);
    QCOMPARE(probe::probeVerdictName(third.assessment.verdict), QStringLiteral("ok"));
    QCOMPARE(newestVersion().certificateId, *newId);
    QCOMPARE(newestVersion().state, inventory::VersionState::Deployed);
    // Seen again: no second "deployed" entry.
    const qint64 before = newestVersion().id;
    (void)scan();
    QCOMPARE(newestVersion().id, before);
    auto audit = m_store->activity().auditLog(50);
    QVERIFY(audit);
    const qsizetype deployedEntries =
        std::count_if(audit->cbegin(), audit->cend(), [](const inventory::AuditEntry& a) {
            return a.action == QLatin1String("certificate.deployed");
        });
    QCOMPARE(deployedEntries, qsizetype(2)); // the old one in 1., the new one in 3.
}

QTEST_GUILESS_MAIN(TestServedRecorded)
#include "test_served_recorded.moc"
