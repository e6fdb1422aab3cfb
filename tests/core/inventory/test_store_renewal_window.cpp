// SPDX-License-Identifier: GPL-3.0-or-later
// The renewal window an ACME CA suggested (ARI) kept with a certificate in
// the SQLite store: found by SHA-256 fingerprint, replaced when fetched
// again, audited, refused (and nothing written) for bad input or a
// certificate the inventory does not hold. test_store_postgres runs the same
// calls on PostgreSQL.
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "inventory/Store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using certdeck::test::TestPki;

class TestStoreRenewalWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void keptReplacedAndReadBack();
    void unknownCertificateIsNotFound();
    void badWindowIsRefused();

private:
    QTemporaryDir m_dir;
    crypto::Certificate m_cert;
    QString m_sha256;
};

void TestStoreRenewalWindow::initTestCase()
{
    TestPki pki;
    QVERIFY2(pki.create(m_dir.path(), {}), qPrintable(pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("ari");
    const auto leaf = pki.issue(spec);
    QVERIFY(!leaf.name.isEmpty());
    m_cert = crypto::CertificateReader::readFile(leaf.cert)->certificates.first();
    m_sha256 = QString::fromLatin1(m_cert.fingerprint(QCryptographicHash::Sha256).toHex());
}

void TestStoreRenewalWindow::keptReplacedAndReadBack()
{
    auto store = Store::openSqlite(m_dir.filePath(QStringLiteral("kept.sqlite")));
    QVERIFY(store);
    auto certId = (*store)->certificates().upsert(m_cert);
    QVERIFY(certId);
    QCOMPARE((*store)->certificates().renewalWindow(m_sha256)->has_value(), false);

    RenewalWindow w;
    w.windowStartUtc = QDateTime(QDate(2026, 12, 1), QTime(0, 0), Qt::UTC);
    w.windowEndUtc = QDateTime(QDate(2026, 12, 3), QTime(12, 0), Qt::UTC);
    w.explanationUrl = QStringLiteral("https://ca.example.test/why");
    w.retryAfterUtc = QDateTime(QDate(2026, 11, 27), QTime(6, 0, 30), Qt::UTC);
    w.fetchedUtc = QDateTime(QDate(2026, 11, 26), QTime(6, 0, 30), Qt::UTC);
    // Upper-case hex finds the same certificate.
    auto kept = (*store)->certificates().setRenewalWindow(m_sha256.toUpper(), w);
    QVERIFY2(kept, qPrintable(kept ? QString() : kept.error().toString()));
    QCOMPARE(kept->certificateId, *certId);

    auto read = (*store)->certificates().renewalWindow(m_sha256);
    QVERIFY(read && read->has_value());
    const RenewalWindow& r = **read;
    QCOMPARE(r.certificateId, *certId);
    QCOMPARE(r.windowStartUtc, w.windowStartUtc);
    QCOMPARE(r.windowEndUtc, w.windowEndUtc);
    QCOMPARE(r.explanationUrl, w.explanationUrl);
    QCOMPARE(r.retryAfterUtc, w.retryAfterUtc);
    QCOMPARE(r.fetchedUtc, w.fetchedUtc);

    // Fetched again without Retry-After: the new window replaces the old.
    RenewalWindow again;
    again.windowStartUtc = QDateTime(QDate(2026, 11, 28), QTime(0, 0), Qt::UTC);
    again.windowEndUtc = again.windowStartUtc.addDays(1);
    QVERIFY((*store)->certificates().setRenewalWindow(m_sha256, again));
    auto second = (*store)->certificates().renewalWindow(m_sha256);
    QCOMPARE((*second)->windowStartUtc, again.windowStartUtc);
    QVERIFY(!(*second)->retryAfterUtc.isValid());
    QVERIFY((*second)->explanationUrl.isEmpty());
    QVERIFY((*second)->fetchedUtc.isValid());

    auto log = (*store)->activity().auditLog();
    QVERIFY(log);
    QCOMPARE(log->first().action, QStringLiteral("renewal-window.set"));
    QVERIFY(log->first().subject.contains(m_sha256));
    QCOMPARE(log->first().result, QStringLiteral("ok"));
}

void TestStoreRenewalWindow::unknownCertificateIsNotFound()
{
    auto store = Store::openSqlite(m_dir.filePath(QStringLiteral("empty.sqlite")));
    QVERIFY(store);
    RenewalWindow w;
    w.windowStartUtc = QDateTime::currentDateTimeUtc();
    w.windowEndUtc = w.windowStartUtc.addDays(2);
    auto kept = (*store)->certificates().setRenewalWindow(m_sha256, w);
    QVERIFY(!kept);
    QCOMPARE(kept.error().code, ErrorCode::NotFound);
    QVERIFY2(kept.error().message.contains(m_sha256), qPrintable(kept.error().message));
    QCOMPARE((*store)->certificates().renewalWindow(m_sha256)->has_value(), false);
}

void TestStoreRenewalWindow::badWindowIsRefused()
{
    auto store = Store::openSqlite(m_dir.filePath(QStringLiteral("bad.sqlite")));
    QVERIFY(store);
    QVERIFY((*store)->certificates().upsert(m_cert));
    RenewalWindow good;
    good.windowStartUtc = QDateTime(QDate(2026, 12, 1), QTime(0, 0), Qt::UTC);
    good.windowEndUtc = good.windowStartUtc.addDays(2);
    QVERIFY((*store)->certificates().setRenewalWindow(m_sha256, good));

    RenewalWindow backwards;
    backwards.windowStartUtc = good.windowEndUtc;
    backwards.windowEndUtc = good.windowStartUtc;
    auto refused = (*store)->certificates().setRenewalWindow(m_sha256, backwards);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidInput);
    QVERIFY(!(*store)->certificates().setRenewalWindow(m_sha256, RenewalWindow{}));
    // Nothing lost: the good window is still there.
    QCOMPARE((*(*store)->certificates().renewalWindow(m_sha256))->windowStartUtc,
             good.windowStartUtc);
}

QTEST_GUILESS_MAIN(TestStoreRenewalWindow)
#include "test_store_renewal_window.moc"
