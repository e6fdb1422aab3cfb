// SPDX-License-Identifier: GPL-3.0-or-later
// services::proxyCertificatesFor and the proxy's in-memory sources: how a
// --cert spec is told a file or an endpoint; a root recorded at the end of
// a chain is not served; a not yet valid certificate is refused unless
// forced (and then named in a warning); an address with several endpoints
// asks for one by id; a locked vault is refused; the endpoint picker lists
// only endpoints with a current certificate and says which have no key;
// TlsContextSet refuses an in-memory key that is not the leaf's, naming
// the source.
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "proxy/TlsContextSet.h"
#include "services/ProxyCertificates.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;
using services::ProxyCertificateKind;

namespace {

const QByteArray kPassphrase = "services vault";

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QList<crypto::Certificate> chainOf(const QString& path)
{
    auto bundle = crypto::CertificateReader::readFile(path);
    return bundle ? bundle->certificates : QList<crypto::Certificate>();
}

} // namespace

class TestProxyCertificates : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void specKind_data();
    void specKind();
    void rootAtTheEndIsNotServed();
    void notYetValidRefusedUnlessForced();
    void sharedAddressAsksForAnId();
    void lockedVaultIsRefused();
    void pickerListsEndpointsWithACertificate();
    void foreignKeyInMemoryIsRefused();

private:
    qint64 addEndpoint(const QString& host, const QString& sni = {});
    qint64 record(const QList<crypto::Certificate>& chain, const QString& keyPath,
                  qint64 endpointId);

    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_good, m_future;
    std::unique_ptr<inventory::Store> m_store;
    std::unique_ptr<inventory::KeyVault> m_vault;
};

void TestProxyCertificates::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec s;
    s.name = QStringLiteral("good");
    m_good = m_pki.issue(s);
    s.name = QStringLiteral("future");
    s.sans = {QStringLiteral("DNS:future.test")};
    s.notBefore = QDateTime::currentDateTimeUtc().addDays(10);
    s.notAfter = QDateTime::currentDateTimeUtc().addDays(100);
    m_future = m_pki.issue(s);
    QVERIFY2(!m_good.name.isEmpty() && !m_future.name.isEmpty(), qPrintable(m_pki.errorString()));
    auto store = inventory::Store::openSqlite(m_dir.filePath(QStringLiteral("inv.sqlite")));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    m_store = std::move(*store);
    m_vault = std::make_unique<inventory::KeyVault>(*m_store);
    inventory::ScryptCost cheap;
    cheap.n = std::uint64_t{1} << 12;
    QVERIFY(m_vault->init(kPassphrase, cheap));
}

qint64 TestProxyCertificates::addEndpoint(const QString& host, const QString& sni)
{
    inventory::Endpoint e;
    e.host = host;
    e.sniName = sni;
    auto added = m_store->endpoints().add(e);
    return added ? added->id : 0;
}

qint64 TestProxyCertificates::record(const QList<crypto::Certificate>& chain,
                                     const QString& keyPath, qint64 endpointId)
{
    auto key = crypto::PrivateKey::fromPem(readAll(keyPath));
    if (!key) {
        return 0;
    }
    auto keyId = m_vault->storeKey(*key);
    if (!keyId) {
        return 0;
    }
    inventory::CertificateOrigin origin;
    origin.keyId = *keyId;
    auto id = m_store->certificates().record(chain, origin);
    if (!id ||
        !m_store->certificates().addVersion(endpointId, *id, inventory::VersionState::Deployed)) {
        return 0;
    }
    return *id;
}

void TestProxyCertificates::specKind_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<bool>("isFile");
    QTest::addColumn<QString>("ref");
    QTest::newRow("pair") << "site.pem,site.key" << true << "site.pem,site.key";
    QTest::newRow("relative path") << "./site.pem" << true << "./site.pem";
    QTest::newRow("absolute path") << "/etc/ssl/site.pem" << true << "/etc/ssl/site.pem";
    QTest::newRow("existing file") << "existing.example" << true << "existing.example";
    QTest::newRow("missing .pem") << "missing.pem" << true << "missing.pem";
    QTest::newRow("missing .KEY") << "missing.KEY" << true << "missing.KEY";
    QTest::newRow("prefix beats a file")
        << "endpoint:existing.example" << false << "existing.example";
    QTest::newRow("host") << "www.example.com" << false << "www.example.com";
    QTest::newRow("host and port") << "www.example.com:8443" << false << "www.example.com:8443";
    QTest::newRow("id") << "12" << false << "12";
}

void TestProxyCertificates::specKind()
{
    QFETCH(QString, spec);
    QFETCH(bool, isFile);
    QFETCH(QString, ref);
    const QString before = QDir::currentPath();
    QVERIFY(QDir::setCurrent(m_dir.path()));
    QFile existing(QStringLiteral("existing.example"));
    QVERIFY(existing.open(QIODevice::WriteOnly));
    existing.close();
    QString got;
    const bool file = services::classifyProxyCertificate(spec, &got) == ProxyCertificateKind::File;
    QVERIFY(QDir::setCurrent(before));
    QCOMPARE(file, isFile);
    QCOMPARE(got, ref);
}

void TestProxyCertificates::rootAtTheEndIsNotServed()
{
    QList<crypto::Certificate> chain = chainOf(m_good.fullchain);
    chain << chainOf(m_pki.rootCert);
    QCOMPARE(chain.size(), 3);
    const qint64 endpoint = addEndpoint(QStringLiteral("good.test"));
    const qint64 leafId = record(chain, m_good.key, endpoint);
    QVERIFY(leafId > 0);
    QCOMPARE(m_store->certificates().chain(leafId)->size(), 3); // the root is recorded
    auto resolved =
        services::proxyCertificatesFor(*m_store, *m_vault, {QStringLiteral("good.test")});
    QVERIFY2(resolved, qPrintable(resolved ? QString() : resolved.error().toString()));
    QVERIFY(resolved->needsVault);
    QCOMPARE(resolved->sources.size(), 1);
    const proxy::CertificateSource& s = resolved->sources.first();
    QVERIFY(!s.isFile());
    QCOMPARE(s.chain.size(), 2);
    QVERIFY(s.chain.at(0) == chain.at(0));
    QVERIFY(s.chain.at(1) == chain.at(1));
    QVERIFY(!s.key.isNull());
    QVERIFY(s.key.matchesCertificate(chain.at(0)));
    QVERIFY2(
        s.label.startsWith(QStringLiteral("endpoint %1 good.test:443, certificate ").arg(endpoint)),
        qPrintable(s.label));
    // A file spec beside it stays a file, in the order given.
    resolved = services::proxyCertificatesFor(
        *m_store, *m_vault, {m_good.fullchain + u',' + m_good.key, QStringLiteral("good.test")});
    QVERIFY(resolved);
    QCOMPARE(resolved->sources.size(), 2);
    QVERIFY(resolved->sources.at(0).isFile());
    QVERIFY(!resolved->sources.at(1).isFile());
}

void TestProxyCertificates::notYetValidRefusedUnlessForced()
{
    const qint64 endpoint = addEndpoint(QStringLiteral("future.test"));
    QVERIFY(record(chainOf(m_future.fullchain), m_future.key, endpoint) > 0);
    auto refused =
        services::proxyCertificatesFor(*m_store, *m_vault, {QStringLiteral("future.test")});
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("is not valid before")),
             qPrintable(refused.error().message));
    QVERIFY2(refused.error().message.startsWith(QLatin1String("--cert future.test: ")),
             qPrintable(refused.error().message));
    services::ProxyCertificateOptions force;
    force.force = true;
    auto forced =
        services::proxyCertificatesFor(*m_store, *m_vault, {QStringLiteral("future.test")}, force);
    QVERIFY(forced);
    QCOMPARE(forced->warnings.size(), 1);
    QVERIFY2(forced->warnings.first().contains(QLatin1String("(served because of --force)")),
             qPrintable(forced->warnings.first()));
    // The clock is the caller's: in ten days it is simply valid.
    services::ProxyCertificateOptions later;
    later.now = QDateTime::currentDateTimeUtc().addDays(11);
    auto valid =
        services::proxyCertificatesFor(*m_store, *m_vault, {QStringLiteral("future.test")}, later);
    QVERIFY(valid);
    QVERIFY(valid->warnings.isEmpty());
}

void TestProxyCertificates::sharedAddressAsksForAnId()
{
    const qint64 a = addEndpoint(QStringLiteral("shared.test"), QStringLiteral("a.shared.test"));
    const qint64 b = addEndpoint(QStringLiteral("shared.test"), QStringLiteral("b.shared.test"));
    QVERIFY(a > 0 && b > 0);
    auto refused =
        services::proxyCertificatesFor(*m_store, *m_vault, {QStringLiteral("shared.test:443")});
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidInput);
    QVERIFY2(refused.error().message.contains(QLatin1String("has 2 endpoints")),
             qPrintable(refused.error().message));
    QVERIFY2(refused.error().detail.contains(QString::number(a)) &&
                 refused.error().detail.contains(QString::number(b)),
             qPrintable(refused.error().detail));
    // Named by id, the endpoint is found (and has no certificate yet).
    auto byId =
        services::proxyCertificatesFor(*m_store, *m_vault, {QStringLiteral("endpoint:%1").arg(a)});
    QVERIFY(!byId);
    QVERIFY2(byId.error().message.contains(QLatin1String("has no current certificate")),
             qPrintable(byId.error().message));
    // An empty reference is named too.
    auto empty = services::proxyCertificatesFor(*m_store, *m_vault, {QStringLiteral("endpoint:")});
    QVERIFY(!empty);
    QVERIFY2(empty.error().message.contains(QLatin1String("no endpoint named")),
             qPrintable(empty.error().message));
}

void TestProxyCertificates::lockedVaultIsRefused()
{
    inventory::KeyVault locked(*m_store);
    auto refused = services::proxyCertificatesFor(*m_store, locked, {QStringLiteral("good.test")});
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("key vault is locked")),
             qPrintable(refused.error().message));
}

void TestProxyCertificates::pickerListsEndpointsWithACertificate()
{
    const qint64 bare = addEndpoint(QStringLiteral("bare.test"));
    auto choices = services::proxyEndpointChoices(*m_store);
    QVERIFY2(choices, qPrintable(choices ? QString() : choices.error().toString()));
    QVERIFY(!choices->isEmpty());
    bool sawGood = false;
    for (const auto& c : *choices) {
        QVERIFY(c.endpointId != bare);
        QVERIFY(c.hasKey);
        QVERIFY(c.notAfter.isValid());
        if (c.address == QLatin1String("good.test:443")) {
            sawGood = true;
            QCOMPARE(c.subject, QStringLiteral("localhost, 127.0.0.1"));
        }
    }
    QVERIFY(sawGood);
}

void TestProxyCertificates::foreignKeyInMemoryIsRefused()
{
    auto foreign = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    QVERIFY(foreign);
    const auto source = proxy::CertificateSource::fromMemory(
        QStringLiteral("endpoint 7 x.test:443"), chainOf(m_good.fullchain), *foreign);
    auto set = proxy::TlsContextSet::build(QList<proxy::CertificateSource>{source}, {});
    QVERIFY(!set);
    QCOMPARE(set.error().message,
             QStringLiteral("endpoint 7 x.test:443: the private key does not belong to the "
                            "certificate"));
    auto noChain = proxy::TlsContextSet::build(
        QList<proxy::CertificateSource>{
            proxy::CertificateSource::fromMemory(QStringLiteral("empty"), {}, *foreign)},
        {});
    QVERIFY(!noChain);
    QCOMPARE(noChain.error().message, QStringLiteral("empty: no certificate"));
    // The matching key is served, named by the label.
    auto key = crypto::PrivateKey::fromPem(readAll(m_good.key));
    QVERIFY(key);
    auto good = proxy::TlsContextSet::build(
        QList<proxy::CertificateSource>{proxy::CertificateSource::fromMemory(
            QStringLiteral("endpoint 8"), chainOf(m_good.fullchain), *key)},
        {});
    QVERIFY2(good, qPrintable(good ? QString() : good.error().toString()));
    QCOMPARE((*good)->served().size(), size_t{1});
    QCOMPARE((*good)->served().front().file, QStringLiteral("endpoint 8"));
    QVERIFY((*good)->served().front().issuer != nullptr);
}

QTEST_GUILESS_MAIN(TestProxyCertificates)
#include "test_proxycertificates.moc"
