// SPDX-License-Identifier: GPL-3.0-or-later
// FleetView's words and counts, which the console's Fleet page, `certdeckctl
// fleet list|show|export` and the CSV all use: status (revocation first),
// days left (toward minus infinity) and the name sent as SNI.
#include "inventory/FleetView.h"

#include <QTest>

using namespace certdeck::inventory;

class TestFleetView : public QObject
{
    Q_OBJECT
private slots:
    void statusOfEachCase_data();
    void statusOfEachCase();
    void daysLeftRoundsTowardMinusInfinity_data();
    void daysLeftRoundsTowardMinusInfinity();
    void sniSentIsTheSniNameElseTheHost();
};

namespace {

const QDateTime kNotAfter(QDate(2030, 6, 1), QTime(12, 0), Qt::UTC);

CertificateRecord certificate(bool revoked)
{
    CertificateRecord c;
    c.id = 7;
    c.notAfterUtc = kNotAfter;
    if (revoked) {
        c.revocation = CertificateRevocation{
            kNotAfter.addDays(-100), QStringLiteral("keyCompromise"), QStringLiteral("ocsp")};
    }
    return c;
}

} // namespace

void TestFleetView::statusOfEachCase_data()
{
    QTest::addColumn<bool>("hasCertificate");
    QTest::addColumn<bool>("revoked");
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<QString>("word");
    QTest::newRow("none") << false << false << kNotAfter << "NO CERTIFICATE";
    QTest::newRow("ok") << true << false << kNotAfter.addDays(-31) << "OK";
    QTest::newRow("expiring") << true << false << kNotAfter.addDays(-29) << "EXPIRING";
    QTest::newRow("expired at notAfter") << true << false << kNotAfter << "EXPIRED";
    QTest::newRow("revoked, long to go") << true << true << kNotAfter.addDays(-200) << "REVOKED";
    QTest::newRow("revoked and expired") << true << true << kNotAfter.addDays(5) << "REVOKED";
}

void TestFleetView::statusOfEachCase()
{
    QFETCH(bool, hasCertificate);
    QFETCH(bool, revoked);
    QFETCH(QDateTime, now);
    QFETCH(QString, word);
    FleetRow row;
    if (hasCertificate) {
        row.certificate = certificate(revoked);
    }
    QCOMPARE(expiryStateWord(expiryState(row, now, DefaultWarnDays)), word);
    QCOMPARE(expiryState(row.certificate, now, DefaultWarnDays),
             expiryState(row, now, DefaultWarnDays));
}

void TestFleetView::daysLeftRoundsTowardMinusInfinity_data()
{
    QTest::addColumn<qint64>("secondsBeforeEnd");
    QTest::addColumn<qint64>("days");
    QTest::newRow("a day and a second") << qint64(86401) << qint64(1);
    QTest::newRow("a day") << qint64(86400) << qint64(1);
    QTest::newRow("a second") << qint64(1) << qint64(0);
    QTest::newRow("at the end") << qint64(0) << qint64(0);
    QTest::newRow("a second past") << qint64(-1) << qint64(-1);
    QTest::newRow("a day past") << qint64(-86400) << qint64(-1);
    QTest::newRow("a day and a second past") << qint64(-86401) << qint64(-2);
}

void TestFleetView::daysLeftRoundsTowardMinusInfinity()
{
    QFETCH(qint64, secondsBeforeEnd);
    QFETCH(qint64, days);
    FleetRow row;
    QVERIFY(!daysLeft(row, kNotAfter).has_value());
    row.certificate = certificate(false);
    QCOMPARE(daysLeft(row, kNotAfter.addSecs(-secondsBeforeEnd)), std::optional<qint64>(days));
}

void TestFleetView::sniSentIsTheSniNameElseTheHost()
{
    Endpoint e;
    e.host = QStringLiteral("lb.example.test");
    QCOMPARE(sniSent(e), QStringLiteral("lb.example.test"));
    QVERIFY(!sniIsSet(e));
    e.sniName = QStringLiteral("app.example.test");
    QCOMPARE(sniSent(e), QStringLiteral("app.example.test"));
    QVERIFY(sniIsSet(e));
    // The same name as the host is none of its own (the store keeps it so).
    e.sniName = QStringLiteral("LB.example.test");
    QVERIFY(!sniIsSet(e));
}

QTEST_GUILESS_MAIN(TestFleetView)
#include "test_fleetview.moc"
