// SPDX-License-Identifier: GPL-3.0-or-later
// The Probe page offscreen against a real nginx: the matrix shows exactly
// the suites nginx was configured with, per protocol, coloured by strength;
// refused protocols say why; groups are listed; an unreachable endpoint and
// a silent one (cancelled) are told in words; "Inspect served chain" opens
// the chain inspector on the same endpoint; Fleet's "Probe" lands here.
#include "HostileTlsServer.h"
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "inventory/Store.h"
#include "ui/certificates/CertificatesPage.h"
#include "ui/fleet/FleetPage.h"
#include "ui/probe/ProbePage.h"
#include "ui/shell/MainWindow.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;
using namespace certdeck::ui;

class TestProbePage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void matrixShowsWhatNginxServes();
    void unreachableIsToldInWords();
    void cancelStopsASilentServer();
    void servedChainOpensTheInspector();
    void fleetProbeLandsHere();
    void findingsAndGradeAreShown();
    void fleetScanFillsTheTableAndTheHistory();
    void fleetScanCancelsAndRecordsNothingHalfDone();

private:
    static QSet<QString> column(const QTableWidget* t, const QString& header);
    probe::ProbeTarget nginxTarget() const;
    /// The test PKI's root as the store's trust bundle "test-pki".
    std::optional<qint64> bundleIn(inventory::Store& store) const;
    FixtureDir m_pkiDir;
    services::TrustAnchors m_anchors;
    TestPki m_pki;
    NginxFixture m_nginx;
    NginxFixture m_legacy; ///< TLS 1.0-1.2 only, RSA key exchange allowed
};

QSet<QString> TestProbePage::column(const QTableWidget* t, const QString& header)
{
    int c = -1;
    for (int i = 0; i < t->columnCount(); ++i) {
        if (t->horizontalHeaderItem(i)->text() == header) {
            c = i;
        }
    }
    QSet<QString> out;
    if (c < 0) {
        return out;
    }
    for (int r = 0; r < t->rowCount(); ++r) {
        if (t->item(r, c) != nullptr && !t->item(r, c)->text().isEmpty()) {
            out.insert(t->item(r, 0)->text());
        }
    }
    return out;
}

probe::ProbeTarget TestProbePage::nginxTarget() const
{
    probe::ProbeTarget t;
    t.host = QStringLiteral("127.0.0.1");
    t.port = m_nginx.port();
    t.sni = QStringLiteral("localhost");
    return t;
}

std::optional<qint64> TestProbePage::bundleIn(inventory::Store& store) const
{
    if (auto b = store.trustBundles().get(QStringLiteral("test-pki"))) {
        return b->id;
    }
    auto added = store.trustBundles().add(QStringLiteral("test-pki"), m_anchors.pem);
    return added ? std::optional<qint64>(added->id) : std::nullopt;
}

void TestProbePage::initTestCase()
{
    QVERIFY2(m_pki.create(m_pkiDir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    // The fixtures serve the test PKI: its root is what the page trusts,
    // as an admin's internal CA would be.
    QFile root(m_pki.rootCert);
    QVERIFY(root.open(QIODevice::ReadOnly));
    m_anchors.pem = root.readAll();
    m_anchors.source = QStringLiteral("test PKI root");
    QVERIFY2(m_nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                          "ssl_protocols TLSv1.2 TLSv1.3;\n"
                                          "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-"
                                          "CHACHA20-POLY1305:ECDHE-ECDSA-AES256-SHA;\n"
                                          "ssl_prefer_server_ciphers on;\n"
                                          "ssl_ecdh_curve X25519:prime256v1;\n")
                               .arg(m_pki.good.fullchain, m_pki.good.key)),
             qPrintable(m_nginx.errorString()));
    TestPki::LeafSpec rsaSpec;
    rsaSpec.name = QStringLiteral("rsa");
    rsaSpec.keyType = TestPki::KeyType::Rsa2048;
    const TestPki::Leaf rsa = m_pki.issue(rsaSpec);
    QVERIFY2(!rsa.name.isEmpty(), qPrintable(m_pki.errorString()));
    QVERIFY2(m_legacy.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                           "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n"
                                           "ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:"
                                           "@SECLEVEL=0;\n")
                                .arg(rsa.fullchain, rsa.key)),
             qPrintable(m_legacy.errorString()));
}

void TestProbePage::matrixShowsWhatNginxServes()
{
    ProbePage page;
    page.setTrustAnchors(m_anchors);
    page.show();
    QSignalSpy probed(&page, &ProbePage::probed);
    page.probe(nginxTarget());
    QVERIFY(page.isRunning());
    QVERIFY(probed.wait(60000));
    QCOMPARE(probed.first().first().toBool(), true);
    QVERIFY2(page.summaryText().contains(QLatin1String("TLSv1.2, TLSv1.3 accepted; 6 cipher "
                                                       "suite(s)")),
             qPrintable(page.summaryText()));
    QCOMPARE(column(page.matrix(), QStringLiteral("TLSv1.2")),
             (QSet<QString>{QStringLiteral("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
                            QStringLiteral("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
                            QStringLiteral("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA")}));
    QCOMPARE(column(page.matrix(), QStringLiteral("TLSv1.3")),
             (QSet<QString>{QStringLiteral("TLS_AES_256_GCM_SHA384"),
                            QStringLiteral("TLS_CHACHA20_POLY1305_SHA256"),
                            QStringLiteral("TLS_AES_128_GCM_SHA256")}));
    QVERIFY(column(page.matrix(), QStringLiteral("TLSv1.0")).isEmpty()); // not a column at all
    // The CBC suite is the only MEDIUM one and sorts first (weakest on top).
    QCOMPARE(page.matrix()->item(0, 0)->text(),
             QStringLiteral("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"));
    QCOMPARE(page.matrix()->item(0, 3)->text(), QStringLiteral("MEDIUM"));
    QCOMPARE(page.matrix()->item(1, 3)->text(), QStringLiteral("STRONG"));
    QVERIFY(page.matrix()->item(0, 3)->background() != page.matrix()->item(1, 3)->background());

    // Protocols: TLS 1.0 refused with the server's reason; TLS 1.2 in server order.
    QTableWidget* p = page.protocols();
    QHash<QString, int> rowOf;
    for (int r = 0; r < p->rowCount(); ++r) {
        rowOf.insert(p->item(r, 0)->text(), r);
    }
    QVERIFY(rowOf.contains(QStringLiteral("TLSv1.0")) && rowOf.contains(QStringLiteral("TLSv1.2")));
    QVERIFY2(p->item(rowOf.value(QStringLiteral("TLSv1.0")), 1)
                 ->text()
                 .startsWith(QLatin1String("refused: ")),
             qPrintable(p->item(rowOf.value(QStringLiteral("TLSv1.0")), 1)->text()));
    QCOMPARE(p->item(rowOf.value(QStringLiteral("TLSv1.2")), 1)->text(),
             QStringLiteral("ACCEPTED"));
    QCOMPARE(p->item(rowOf.value(QStringLiteral("TLSv1.2")), 3)->text(), QStringLiteral("server"));
    // The inspection after the raw probe: a real handshake, the chain nginx
    // serves (leaf + intermediate), HTTP and no HSTS.
    QVERIFY2(page.inspectionText().contains(QLatin1String("Negotiated   TLSv1.3")),
             qPrintable(page.inspectionText()));
    QVERIFY2(page.inspectionText().contains(QLatin1String("2 certificate(s) served")),
             qPrintable(page.inspectionText()));
    QVERIFY2(page.inspectionText().contains(QLatin1String("HSTS         none")),
             qPrintable(page.inspectionText()));
    QVERIFY2(page.gradeText().startsWith(QLatin1String("Grade A")), qPrintable(page.gradeText()));
    QVERIFY2(page.groupsText().contains(QLatin1String("x25519")) &&
                 page.groupsText().contains(QLatin1String("secp256r1")) &&
                 !page.groupsText().contains(QLatin1String("secp384r1")),
             qPrintable(page.groupsText()));
}

void TestProbePage::unreachableIsToldInWords()
{
    ProbePage page;
    page.setTrustAnchors(m_anchors);
    QSignalSpy probed(&page, &ProbePage::probed);
    probe::ProbeTarget t;
    t.host = QStringLiteral("127.0.0.1");
    t.port = freeLoopbackPort(); // nothing listens there
    page.probe(t);
    QVERIFY(probed.wait(60000));
    QCOMPARE(probed.first().first().toBool(), false);
    QVERIFY2(page.summaryText().contains(QLatin1String("could not be probed: REFUSED")),
             qPrintable(page.summaryText()));
    QCOMPARE(page.matrix()->rowCount(), 0);
}

void TestProbePage::cancelStopsASilentServer()
{
    HostileTlsServer silent(HostileTlsServer::Mode::Silent);
    QVERIFY(silent.listen());
    ProbePage page;
    page.setTrustAnchors(m_anchors);
    probe::ProbeOptions slow;
    slow.firstByteTimeoutMs = 60000;
    slow.replyTimeoutMs = 60000;
    page.setOptions(slow);
    QSignalSpy probed(&page, &ProbePage::probed);
    probe::ProbeTarget t;
    t.host = QStringLiteral("127.0.0.1");
    t.port = silent.port();
    page.probe(t);
    QTRY_VERIFY_WITH_TIMEOUT(silent.connections() > 0, 10000);
    page.cancel();
    QVERIFY(probed.wait(10000)); // far sooner than the 60 s timeouts
    QCOMPARE(probed.first().first().toBool(), false);
    QVERIFY(!page.isRunning());
    auto* status = page.findChild<QLabel*>(QStringLiteral("probeStatus"));
    QVERIFY2(status->text().startsWith(QLatin1String("Cancelled")), qPrintable(status->text()));
}

void TestProbePage::servedChainOpensTheInspector()
{
    QTemporaryDir tmp;
    MainWindow w(tmp.filePath(QStringLiteral("store.sqlite")));
    w.show();
    QVERIFY(w.pageTitles().contains(QStringLiteral("Probe")));
    auto* page = w.findChild<ProbePage*>();
    QVERIFY(page != nullptr);
    QSignalSpy probed(page, &ProbePage::probed);
    QVERIFY(w.showPage(QStringLiteral("Probe")));
    page->probe(nginxTarget());
    QVERIFY(probed.wait(60000));
    auto* certificates = w.findChild<CertificatesPage*>();
    QSignalSpy loaded(certificates, &CertificatesPage::loaded);
    auto* chain = page->findChild<QPushButton*>(QStringLiteral("probeChain"));
    QVERIFY(chain->isEnabled());
    QTest::mouseClick(chain, Qt::LeftButton);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("Certificates & Keys"));
    QVERIFY(loaded.wait(30000));
    // The system store does not trust the test PKI: the inspector says so,
    // about the chain it fetched from this nginx.
    QVERIFY2(!loaded.first().at(1).toString().isEmpty(),
             qPrintable(loaded.first().at(1).toString()));
}

void TestProbePage::fleetProbeLandsHere()
{
    QTemporaryDir tmp;
    const QString db = tmp.filePath(QStringLiteral("store.sqlite"));
    {
        auto store = inventory::Store::openSqlite(db);
        QVERIFY(store.has_value());
        inventory::Endpoint e;
        e.host = QStringLiteral("127.0.0.1");
        e.port = m_nginx.port();
        e.sniName = QStringLiteral("localhost");
        QVERIFY((*store)->endpoints().add(e).has_value());
    }
    MainWindow w(db);
    w.show();
    auto* fleet = w.findChild<FleetPage*>();
    QSignalSpy reloaded(fleet, &FleetPage::reloaded);
    QVERIFY(reloaded.wait(30000));
    auto* page = w.findChild<ProbePage*>();
    QSignalSpy probed(page, &ProbePage::probed);
    fleet->table()->selectRow(0);
    fleet->table()->setFocus();
    QTest::keyClick(fleet->table(), Qt::Key_P, Qt::ControlModifier);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("Probe"));
    QCOMPARE(page->endpointEdit()->text(), QStringLiteral("127.0.0.1:%1").arg(m_nginx.port()));
    QVERIFY(probed.wait(60000));
    QCOMPARE(probed.first().first().toBool(), true);
}

// The Findings tab: the grade with the rules that capped it, and each
// finding with its evidence and what to do, most severe first.
void TestProbePage::findingsAndGradeAreShown()
{
    ProbePage page;
    page.setTrustAnchors(m_anchors);
    QSignalSpy probed(&page, &ProbePage::probed);
    probe::ProbeTarget t;
    t.host = QStringLiteral("127.0.0.1");
    t.port = m_legacy.port();
    page.probe(t);
    QVERIFY(probed.wait(60000));
    QVERIFY2(page.gradeText().startsWith(QLatin1String("Grade B")), qPrintable(page.gradeText()));
    QVERIFY2(page.gradeText().contains(QLatin1String("protocol.tls10")),
             qPrintable(page.gradeText()));
    QTableWidget* f = page.findings();
    QVERIFY(f->rowCount() >= 3);
    QStringList titles;
    for (int r = 0; r < f->rowCount(); ++r) {
        titles << f->item(r, 1)->text();
        QVERIFY2(!f->item(r, 3)->text().isEmpty(), qPrintable(f->item(r, 1)->text()));
    }
    const QString all = titles.join(u'|');
    QVERIFY2(all.contains(QLatin1String("TLSv1.0")) && all.contains(QLatin1String("TLSv1.1")),
             qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("TLS 1.3"), Qt::CaseInsensitive), qPrintable(all));
    // Warnings come before infos.
    QStringList severities;
    for (int r = 0; r < f->rowCount(); ++r) {
        severities << f->item(r, 0)->text();
    }
    QVERIFY2(severities.indexOf(QStringLiteral("INFO")) < 0 ||
                 severities.lastIndexOf(QStringLiteral("WARNING")) <
                     severities.indexOf(QStringLiteral("INFO")),
             qPrintable(severities.join(u',')));
}

// Several endpoints selected on the Fleet page are scanned here: a row per
// endpoint with its verdict and grade, a progress bar counting endpoints,
// the details of a row when it is selected, and every result in the probe
// history (the Fleet page's "last probe" reloads).
void TestProbePage::fleetScanFillsTheTableAndTheHistory()
{
    QTemporaryDir tmp;
    const QString db = tmp.filePath(QStringLiteral("store.sqlite"));
    const quint16 closed = freeLoopbackPort();
    {
        auto store = inventory::Store::openSqlite(db);
        QVERIFY(store.has_value());
        for (quint16 port : {m_nginx.port(), m_legacy.port(), closed}) {
            inventory::Endpoint e;
            e.host = QStringLiteral("127.0.0.1");
            e.port = port;
            e.trustBundleId = bundleIn(**store);
            QVERIFY((*store)->endpoints().add(e).has_value());
        }
    }
    MainWindow w(db);
    w.show();
    auto* fleet = w.findChild<FleetPage*>();
    QSignalSpy reloaded(fleet, &FleetPage::reloaded);
    QVERIFY(reloaded.wait(30000));
    auto* page = w.findChild<ProbePage*>();
    QSignalSpy finished(page, &ProbePage::scanFinished);
    QSignalSpy recorded(page, &ProbePage::probesRecorded);
    fleet->table()->selectAll();
    fleet->table()->setFocus();
    QTest::keyClick(fleet->table(), Qt::Key_P, Qt::ControlModifier);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("Probe"));
    QVERIFY(page->isRunning());
    QVERIFY(page->fleetTable()->isVisible());
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.first().at(0).toInt(), 3);
    QCOMPARE(finished.first().at(1).toBool(), false);
    auto* bar = page->findChild<QProgressBar*>(QStringLiteral("probeProgress"));
    QCOMPARE(bar->maximum(), 3);
    QCOMPARE(bar->value(), 3);
    QVERIFY2(page->statusText().startsWith(QLatin1String("Scanned 3 endpoint(s)")),
             qPrintable(page->statusText()));

    QTableWidget* t = page->fleetTable();
    QCOMPARE(t->rowCount(), 3);
    QHash<QString, int> rowOf;
    for (int r = 0; r < t->rowCount(); ++r) {
        rowOf.insert(t->item(r, 0)->text(), r);
    }
    const auto at = [&](quint16 port, int column) {
        return t->item(rowOf.value(QStringLiteral("127.0.0.1:%1").arg(port), -1), column)->text();
    };
    QCOMPARE(rowOf.size(), 3);
    QCOMPARE(at(m_nginx.port(), 2), QStringLiteral("OK"));
    QCOMPARE(at(m_legacy.port(), 2), QStringLiteral("WARNING"));
    QCOMPARE(at(m_legacy.port(), 3), QStringLiteral("B"));
    QCOMPARE(at(closed, 2), QStringLiteral("CRITICAL"));
    QCOMPARE(at(closed, 3), QStringLiteral("F"));
    QVERIFY2(at(closed, 5).contains(QLatin1String("refused"), Qt::CaseInsensitive),
             qPrintable(at(closed, 5)));

    // Selecting a row shows that endpoint's details and findings below.
    t->setCurrentCell(rowOf.value(QStringLiteral("127.0.0.1:%1").arg(m_legacy.port())), 0);
    QVERIFY2(page->summaryText().contains(QLatin1String("TLSv1.0, TLSv1.1, TLSv1.2 accepted")),
             qPrintable(page->summaryText()));
    QVERIFY2(page->gradeText().startsWith(QLatin1String("Grade B")), qPrintable(page->gradeText()));
    // The console's scan inspects too: the legacy server's TLS 1.2 handshake.
    QVERIFY2(page->inspectionText().contains(QLatin1String("Negotiated   TLSv1.2")),
             qPrintable(page->inspectionText()));

    // The history has each result with its verdict and grade.
    QVERIFY(recorded.count() > 0 || recorded.wait(30000));
    QCOMPARE(recorded.first().at(0).toBool(), true);
    QCOMPARE(recorded.first().at(1).toInt(), 3);
    auto store = inventory::Store::openSqlite(db);
    QVERIFY(store.has_value());
    auto latest = (*store)->probes().latest();
    QVERIFY(latest.has_value());
    QCOMPARE(latest->size(), 3);
    QStringList grades;
    for (const inventory::ProbeRecord& rec : std::as_const(*latest)) {
        grades << rec.status + u'/' + rec.grade;
    }
    grades.sort();
    // The modern nginx offers a CBC suite and no RSA: its grade is an A.
    QCOMPARE(grades.size(), 3);
    QCOMPARE(grades.at(0), QStringLiteral("critical/F"));
    QVERIFY2(grades.at(1).startsWith(QLatin1String("ok/A")), qPrintable(grades.at(1)));
    QCOMPARE(grades.at(2), QStringLiteral("warning/B"));
}

// Cancel stops a scan stuck on silent servers at once: the page shows it
// cancelled within 100 ms of the click on Cancel (the bound of the issue's
// acceptance), what was checked before the click stays recorded, and the
// endpoints cut short have no probe history row.
void TestProbePage::fleetScanCancelsAndRecordsNothingHalfDone()
{
    HostileTlsServer silent[3] = {HostileTlsServer(HostileTlsServer::Mode::Silent),
                                  HostileTlsServer(HostileTlsServer::Mode::Silent),
                                  HostileTlsServer(HostileTlsServer::Mode::Silent)};
    for (HostileTlsServer& server : silent) {
        QVERIFY(server.listen());
    }
    QTemporaryDir tmp;
    const QString db = tmp.filePath(QStringLiteral("store.sqlite"));
    QList<probe::ScanItem> items;
    qint64 healthyId = 0;
    QList<qint64> silentIds;
    {
        auto store = inventory::Store::openSqlite(db);
        QVERIFY(store.has_value());
        QList<quint16> ports = {m_nginx.port()};
        for (const HostileTlsServer& server : silent) {
            ports << server.port();
        }
        for (quint16 port : std::as_const(ports)) {
            inventory::Endpoint e;
            e.host = QStringLiteral("127.0.0.1");
            e.port = port;
            e.trustBundleId = bundleIn(**store);
            auto added = (*store)->endpoints().add(e);
            QVERIFY(added.has_value());
            if (port == m_nginx.port()) {
                healthyId = added->id;
            } else {
                silentIds << added->id;
            }
            probe::ScanItem item;
            item.endpointId = added->id;
            item.target.host = e.host;
            item.target.port = e.port;
            items << item;
        }
    }
    ProbePage page;
    page.setTrustAnchors(m_anchors);
    page.setStoreLocation(db);
    probe::ProbeOptions slow;
    slow.firstByteTimeoutMs = 60000;
    slow.replyTimeoutMs = 60000;
    page.setOptions(slow);
    // Every endpoint has its own connections to 127.0.0.1: the healthy one
    // is not kept waiting behind the silent ones.
    probe::ScanOptions bounds;
    bounds.perHost = 16;
    page.setScanOptions(bounds);
    page.show();
    QSignalSpy finished(&page, &ProbePage::scanFinished);
    QElapsedTimer sinceClick;
    qint64 shownAfterMs = -1;
    QString shown;
    connect(&page, &ProbePage::scanFinished, this, [&](int, bool) {
        // The page's finished state, at the moment it is reached.
        if (sinceClick.isValid()) {
            shownAfterMs = sinceClick.elapsed();
        }
        shown = page.statusText();
    });
    page.scan(items);
    // The healthy endpoint is checked, recorded and shown, while the silent
    // ones hold their connections open (their timeouts are a minute away).
    QTRY_VERIFY_WITH_TIMEOUT(page.fleetTable()->rowCount() == 1, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(silent[0].connections() > 0 && silent[1].connections() > 0 &&
                                 silent[2].connections() > 0,
                             10000);
    QVERIFY(page.isRunning());
    QVERIFY(finished.isEmpty());
    auto* cancel = page.findChild<QPushButton*>(QStringLiteral("probeCancel"));
    QVERIFY(cancel->isEnabled());
    sinceClick.start();
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(shownAfterMs >= 0, 10000);
    QVERIFY2(shownAfterMs < 100,
             qPrintable(QStringLiteral("the page showed the scan cancelled %1 ms after the click")
                            .arg(shownAfterMs)));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).toInt(), 1);
    QCOMPARE(finished.first().at(1).toBool(), true);
    QVERIFY2(shown.startsWith(QLatin1String("Scan cancelled after 1 endpoint(s)")),
             qPrintable(shown));
    QVERIFY(!page.isRunning());
    QVERIFY(!cancel->isEnabled());
    QCOMPARE(page.fleetTable()->rowCount(), 1);

    auto store = inventory::Store::openSqlite(db);
    QVERIFY(store.has_value());
    const auto kept = (*store)->probes().history(healthyId);
    QVERIFY(kept.has_value());
    QCOMPARE(kept->size(), 1);
    for (qint64 id : std::as_const(silentIds)) {
        const auto none = (*store)->probes().history(id);
        QVERIFY(none.has_value());
        QCOMPARE(none->size(), 0);
    }
}

QTEST_MAIN(TestProbePage)
#include "test_probepage.moc"
