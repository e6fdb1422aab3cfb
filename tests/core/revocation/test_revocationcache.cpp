// SPDX-License-Identifier: GPL-3.0-or-later
// RevocationCache: expiry at nextUpdate (or the default), clear, bounds, and
// use from many threads at once.
#include "revocation/RevocationCache.h"

#include <QTest>
#include <QtConcurrent>

using namespace certdeck;
using namespace certdeck::revocation;

namespace {

OcspAnswer answer(CertStatus status, const QDateTime& nextUpdate)
{
    OcspAnswer a;
    a.url = QUrl(QStringLiteral("http://ocsp.example.test/"));
    a.method = QStringLiteral("GET");
    a.response.status = status;
    a.response.nextUpdate = nextUpdate;
    return a;
}

} // namespace

class TestRevocationCache : public QObject
{
    Q_OBJECT
private slots:
    void init() { RevocationCache::instance().clear(); }
    void ocspUntilNextUpdate();
    void ocspDefaultLifetime();
    void pastNextUpdateIsNotStored();
    void clearForgets();
    void boundedOcsp();
    void crlWithoutCrlIsIgnored();
    void manyThreads();
};

void TestRevocationCache::ocspUntilNextUpdate()
{
    auto& cache = RevocationCache::instance();
    const QDateTime now(QDate(2026, 6, 1), QTime(12, 0), Qt::UTC);
    cache.putOcsp("id-1", answer(CertStatus::Revoked, now.addSecs(3600)), now);
    auto hit = cache.ocsp("id-1", now.addSecs(3599));
    QVERIFY(hit);
    QCOMPARE(*hit->response.status, CertStatus::Revoked);
    QVERIFY(!cache.ocsp("id-1", now.addSecs(3600)));
    QVERIFY(!cache.ocsp("id-2", now));
    QVERIFY(!cache.ocsp({}, now));
}

void TestRevocationCache::ocspDefaultLifetime()
{
    auto& cache = RevocationCache::instance();
    const QDateTime now(QDate(2026, 6, 1), QTime(12, 0), Qt::UTC);
    cache.putOcsp("no-next", answer(CertStatus::Good, {}), now);
    QVERIFY(cache.ocsp("no-next", now.addSecs(RevocationCache::kDefaultSeconds - 1)));
    QVERIFY(!cache.ocsp("no-next", now.addSecs(RevocationCache::kDefaultSeconds)));
}

void TestRevocationCache::pastNextUpdateIsNotStored()
{
    auto& cache = RevocationCache::instance();
    const QDateTime now(QDate(2026, 6, 1), QTime(12, 0), Qt::UTC);
    cache.putOcsp("old", answer(CertStatus::Good, now.addSecs(-1)), now);
    QCOMPARE(cache.ocspCount(), 0);
}

void TestRevocationCache::clearForgets()
{
    auto& cache = RevocationCache::instance();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    cache.putOcsp("a", answer(CertStatus::Good, now.addDays(1)), now);
    QCOMPARE(cache.ocspCount(), 1);
    cache.clear();
    QCOMPARE(cache.ocspCount(), 0);
    QVERIFY(!cache.ocsp("a", now));
}

void TestRevocationCache::boundedOcsp()
{
    auto& cache = RevocationCache::instance();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < RevocationCache::kMaxOcspEntries + 10; ++i) {
        cache.putOcsp(QByteArray::number(i), answer(CertStatus::Good, now.addDays(1)), now);
    }
    QCOMPARE(cache.ocspCount(), RevocationCache::kMaxOcspEntries);
    QVERIFY(!cache.ocsp("0", now)); // the oldest made room
    QVERIFY(cache.ocsp(QByteArray::number(RevocationCache::kMaxOcspEntries + 9), now));
}

void TestRevocationCache::crlWithoutCrlIsIgnored()
{
    auto& cache = RevocationCache::instance();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    cache.putCrl(QStringLiteral("http://crl.example.test/x.crl"), Crl(), now);
    QCOMPARE(cache.crlCount(), 0);
    QVERIFY(!cache.crl(QStringLiteral("http://crl.example.test/x.crl"), now));
}

void TestRevocationCache::manyThreads()
{
    auto& cache = RevocationCache::instance();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<int> workers{0, 1, 2, 3, 4, 5, 6, 7};
    QtConcurrent::blockingMap(workers, [&cache, now](int w) {
        for (int i = 0; i < 500; ++i) {
            const QByteArray id = QByteArray::number(w) + '-' + QByteArray::number(i % 50);
            cache.putOcsp(id, answer(CertStatus::Good, now.addDays(1)), now);
            (void)cache.ocsp(id, now);
            if (i % 100 == 0) {
                (void)cache.ocspCount();
            }
        }
    });
    QCOMPARE(cache.ocspCount(), 8 * 50);
}

QTEST_GUILESS_MAIN(TestRevocationCache)
#include "test_revocationcache.moc"
