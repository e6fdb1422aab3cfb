// SPDX-License-Identifier: GPL-3.0-or-later
// The console gives the same answers as certdeckctl (test_verdict_everywhere
// runs the same table): for each kind of endpoint, the Probe page's single
// probe and its fleet scan (started from the Fleet page's selection, as an
// admin does) show the verdict, a grade within the cap, the finding, and the
// fleet scan writes that verdict to the probe history.
#include "VerdictFixture.h"
#include "inventory/Store.h"
#include "ui/fleet/FleetPage.h"
#include "ui/probe/ProbePage.h"
#include "ui/shell/MainWindow.h"

#include <QDir>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;
using namespace certdeck::ui;

class TestVerdictConsole : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void singleProbe_data();
    void singleProbe();
    void fleetScanAndHistory();

private:
    VerdictFixture m_fixture;
    QString m_db;
    QHash<quint16, qint64> m_ids;
};

void TestVerdictConsole::initTestCase()
{
    QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
    m_db = QDir(m_fixture.dir()).filePath(QStringLiteral("console.sqlite"));
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store);
    auto bundle = (*store)->trustBundles().add(QStringLiteral("test-pki"), m_fixture.rootsPem());
    QVERIFY(bundle);
    for (const VerdictCase& c : m_fixture.cases()) {
        inventory::Endpoint e;
        e.host = QStringLiteral("127.0.0.1");
        e.port = c.port;
        if (c.bundle) {
            e.trustBundleId = bundle->id;
        }
        auto added = (*store)->endpoints().add(e);
        QVERIFY(added);
        m_ids.insert(c.port, added->id);
    }
}

void TestVerdictConsole::singleProbe_data()
{
    QTest::addColumn<int>("index");
    for (qsizetype i = 0; i < m_fixture.cases().size(); ++i) {
        QTest::newRow(qPrintable(m_fixture.cases().at(i).name)) << int(i);
    }
}

void TestVerdictConsole::singleProbe()
{
    // An endpoint the inventory knows gets its trust bundle from there.
    QFETCH(int, index);
    const VerdictCase& c = m_fixture.cases().at(index);
    ProbePage page;
    page.setStoreLocation(m_db);
    page.show();
    QSignalSpy probed(&page, &ProbePage::probed);
    probe::ProbeTarget t;
    t.host = QStringLiteral("127.0.0.1");
    t.port = c.port;
    page.probe(t);
    QVERIFY(probed.wait(60000));
    QVERIFY2(page.summaryText().startsWith(c.verdict.toUpper() + QStringLiteral(" — grade ") +
                                           c.gradeCap),
             qPrintable(page.summaryText()));
    QVERIFY2(page.gradeText().startsWith(QStringLiteral("Grade ") + c.gradeCap),
             qPrintable(page.gradeText()));
    if (!c.finding.isEmpty()) {
        bool seen = false;
        for (int r = 0; r < page.findings()->rowCount(); ++r) {
            seen = seen || page.findings()->item(r, 1)->toolTip() == c.finding;
        }
        QVERIFY2(seen, qPrintable(c.finding));
    }
}

void TestVerdictConsole::fleetScanAndHistory()
{
    MainWindow w(m_db);
    w.show();
    auto* fleet = w.findChild<FleetPage*>();
    QSignalSpy reloaded(fleet, &FleetPage::reloaded);
    QVERIFY(reloaded.wait(30000));
    auto* page = w.findChild<ProbePage*>();
    QSignalSpy finished(page, &ProbePage::scanFinished);
    fleet->table()->selectAll();
    fleet->table()->setFocus();
    QTest::keyClick(fleet->table(), Qt::Key_P, Qt::ControlModifier);
    QVERIFY(finished.wait(120000));
    QTableWidget* t = page->fleetTable();
    QCOMPARE(t->rowCount(), m_fixture.cases().size());
    // For a look as an admin would have (run under Xvfb with this set).
    if (const QString dir = qEnvironmentVariable("CERTDECK_SCREENSHOT_DIR"); !dir.isEmpty()) {
        w.resize(1400, 900);
        t->selectRow(2);
        QTest::qWait(200);
        w.grab().save(QDir(dir).filePath(QStringLiteral("verdict-fleet-scan.png")));
    }
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store);
    for (const VerdictCase& c : m_fixture.cases()) {
        const QString where = QStringLiteral("127.0.0.1:%1").arg(c.port);
        int row = -1;
        for (int r = 0; r < t->rowCount(); ++r) {
            if (t->item(r, 0)->text() == where) {
                row = r;
            }
        }
        QVERIFY2(row >= 0, qPrintable(c.name));
        QCOMPARE(t->item(row, 2)->text(), c.verdict.toUpper());
        QVERIFY2(t->item(row, 3)->text().startsWith(c.gradeCap), qPrintable(c.name));
        auto history = (*store)->probes().history(m_ids.value(c.port), 1);
        QVERIFY(history && !history->isEmpty());
        QCOMPARE(history->first().status, c.verdict);
        QCOMPARE(history->first().grade, t->item(row, 3)->text());
    }
}

QTEST_MAIN(TestVerdictConsole)
#include "test_verdict_console.moc"
