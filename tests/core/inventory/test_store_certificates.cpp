// SPDX-License-Identifier: GPL-3.0-or-later
// What the inventory keeps of a certificate besides its DER: the chain it
// was delivered with, its key, its issuer record, where it came from and
// its revocation. What is known is never overwritten or invented; a
// conflicting key writes nothing; every change is audited.
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "inventory/Store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using certdeck::test::TestPki;

namespace {

QList<crypto::Certificate> readChain(const QString& path)
{
    auto bundle = crypto::CertificateReader::readFile(path);
    return bundle ? bundle->certificates : QList<crypto::Certificate>{};
}

int auditCount(Store& store, const QString& action)
{
    auto log = store.activity().auditLog(1000);
    int n = 0;
    for (const AuditEntry& e : log.value_or(QList<AuditEntry>{})) {
        n += e.action == action && e.result == QLatin1String("ok") ? 1 : 0;
    }
    return n;
}

} // namespace

class TestStoreCertificates : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void recordsTheChainAsDelivered();
    void knownFactsAreKept();
    void otherKeyIsAConflict();
    void revocationIsKeptOnce();
    void listsLatestExpiryFirst();

private:
    QTemporaryDir m_dir;
    TestPki m_pki;
    QList<crypto::Certificate> m_fullchain; // leaf, intermediate
    QList<crypto::Certificate> m_root;
    QList<crypto::Certificate> m_short;
    std::unique_ptr<Store> m_store;
    int m_n = 0;
};

void TestStoreCertificates::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("api");
    spec.commonName = QStringLiteral("api.example.test");
    spec.sans = {QStringLiteral("DNS:api.example.test")};
    const TestPki::Leaf leaf = m_pki.issue(spec);
    QVERIFY(!leaf.name.isEmpty());
    m_fullchain = readChain(leaf.fullchain);
    QCOMPARE(m_fullchain.size(), 2);
    m_root = readChain(m_pki.rootCert);
    QCOMPARE(m_root.size(), 1);
    spec.name = QStringLiteral("short");
    spec.notAfter = QDateTime::currentDateTimeUtc().addDays(5);
    m_short = readChain(m_pki.issue(spec).fullchain);
    QCOMPARE(m_short.size(), 2);
}

void TestStoreCertificates::init()
{
    auto s = Store::openSqlite(m_dir.filePath(QStringLiteral("c%1.sqlite").arg(++m_n)));
    QVERIFY(s);
    m_store = std::move(*s);
}

void TestStoreCertificates::recordsTheChainAsDelivered()
{
    CertificateOrigin origin;
    origin.source = CertificateSource::Acme;
    auto id = m_store->certificates().record(m_fullchain + m_root, origin);
    QVERIFY2(id, qPrintable(id ? QString() : id.error().toString()));
    auto chain = m_store->certificates().chain(*id);
    QVERIFY(chain);
    QCOMPARE(chain->size(), 3);
    QCOMPARE(chain->at(0).subject, m_fullchain.at(0).subject());
    QCOMPARE(chain->at(1).subject, m_fullchain.at(1).subject());
    QCOMPARE(chain->at(2).subject, m_root.at(0).subject());
    // The self-signed root is not linked to itself; every link took the source.
    QVERIFY(!chain->at(2).issuedById.has_value());
    for (const CertificateRecord& c : *chain) {
        QCOMPARE(c.source, CertificateSource::Acme);
    }
    // The intermediate asked for on its own: its chain goes on to the root.
    auto fromIntermediate = m_store->certificates().chain(chain->at(1).id);
    QVERIFY(fromIntermediate && fromIntermediate->size() == 2);
    QCOMPARE(auditCount(*m_store, QStringLiteral("certificate.record")), 1);
    // Recording the same again adds no row.
    auto again = m_store->certificates().record(m_fullchain, origin);
    QCOMPARE(*again, *id);
    QCOMPARE(m_store->certificates().list()->size(), 3);
}

void TestStoreCertificates::knownFactsAreKept()
{
    // First seen served: no key, no issuer.
    CertificateOrigin served;
    served.source = CertificateSource::Served;
    auto id = m_store->certificates().record({m_fullchain.at(0)}, served);
    QVERIFY(id);
    auto seen = m_store->certificates().get(*id);
    QCOMPARE(seen->source, CertificateSource::Served);
    QVERIFY(!seen->keyId && !seen->issuerId && !seen->issuedById);
    // Then imported with its key and chain: the key and the link are added,
    // the source it was first known by stays.
    auto keyId = m_store->keys().add(KeyRecord{0,
                                               QStringLiteral("ECDSA P-256"),
                                               QByteArray(32, 'k'),
                                               KeyProtection::MasterPassphrase,
                                               QByteArray("sealed"),
                                               QString(),
                                               {}});
    QVERIFY2(keyId, qPrintable(keyId ? QString() : keyId.error().toString()));
    CertificateOrigin imported;
    imported.source = CertificateSource::Imported;
    imported.keyId = *keyId;
    QCOMPARE(*m_store->certificates().record(m_fullchain, imported), *id);
    auto after = m_store->certificates().get(*id);
    QCOMPARE(after->source, CertificateSource::Served);
    QCOMPARE(after->keyId, std::optional<qint64>(*keyId));
    QVERIFY(after->issuedById.has_value());
    // Nothing more to learn: recorded again without a key, the key stays.
    QVERIFY(m_store->certificates().record({m_fullchain.at(0)}, served));
    QCOMPARE(m_store->certificates().get(*id)->keyId, std::optional<qint64>(*keyId));
}

void TestStoreCertificates::otherKeyIsAConflict()
{
    auto k1 = m_store->keys().add(KeyRecord{0,
                                            QStringLiteral("one"),
                                            QByteArray(32, '1'),
                                            KeyProtection::MasterPassphrase,
                                            QByteArray("a"),
                                            QString(),
                                            {}});
    auto k2 = m_store->keys().add(KeyRecord{0,
                                            QStringLiteral("two"),
                                            QByteArray(32, '2'),
                                            KeyProtection::MasterPassphrase,
                                            QByteArray("b"),
                                            QString(),
                                            {}});
    QVERIFY(k1 && k2);
    CertificateOrigin first;
    first.source = CertificateSource::Acme;
    first.keyId = *k1;
    auto id = m_store->certificates().record({m_fullchain.at(0)}, first);
    QVERIFY(id);
    CertificateOrigin other = first;
    other.keyId = *k2;
    auto refused = m_store->certificates().record(m_fullchain, other);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Conflict);
    QVERIFY2(refused.error().message.contains(QStringLiteral("key #%1").arg(*k1)),
             qPrintable(refused.error().message));
    // Nothing written: the intermediate of the refused chain is not there.
    QCOMPARE(m_store->certificates().list()->size(), 1);
    QCOMPARE(m_store->certificates().get(*id)->keyId, std::optional<qint64>(*k1));
}

void TestStoreCertificates::revocationIsKeptOnce()
{
    auto id = m_store->certificates().record(m_fullchain, {});
    QVERIFY(id);
    QCOMPARE(m_store->certificates().get(*id)->source, CertificateSource::Unknown);
    const QDateTime at(QDate(2026, 11, 2), QTime(9, 30), Qt::UTC);
    QVERIFY(m_store->certificates().markRevoked(
        *id, CertificateRevocation{at, QStringLiteral("keyCompromise"), QStringLiteral("ocsp")}));
    QVERIFY(m_store->certificates().markRevoked(
        *id,
        CertificateRevocation{at.addDays(1), QStringLiteral("superseded"), QStringLiteral("crl")}));
    auto c = m_store->certificates().get(*id);
    QVERIFY(c->revocation.has_value());
    QCOMPARE(c->revocation->atUtc, at);
    QCOMPARE(c->revocation->reason, QStringLiteral("keyCompromise"));
    QCOMPARE(c->revocation->foundBy, QStringLiteral("ocsp"));
    QCOMPARE(auditCount(*m_store, QStringLiteral("certificate.revoked")), 1);
    auto missing = m_store->certificates().markRevoked(*id + 100, {});
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
}

void TestStoreCertificates::listsLatestExpiryFirst()
{
    QVERIFY(m_store->certificates().record(m_short, {}));
    QVERIFY(m_store->certificates().record(m_fullchain, {}));
    auto all = m_store->certificates().list();
    QVERIFY(all);
    QCOMPARE(all->size(), 3); // two leaves, one shared intermediate
    for (qsizetype i = 1; i < all->size(); ++i) {
        QVERIFY(all->at(i - 1).notAfterUtc >= all->at(i).notAfterUtc);
    }
}

QTEST_GUILESS_MAIN(TestStoreCertificates)
#include "test_store_certificates.moc"
