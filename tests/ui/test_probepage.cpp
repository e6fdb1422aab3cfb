// SPDX-License-Identifier: GPL-3.0-or-later
// The Probe page offscreen against a real nginx: the matrix shows exactly
// the suites nginx was configured with, per protocol, coloured by strength;
// refused protocols say why; groups are listed; an unreachable endpoint and
// a silent one (cancelled) are told in words; "Inspect served chain" opens
// the chain inspector on the same endpoint; Fleet's "Probe" lands here.
#include "CertificatesPage.h"
#include "FleetPage.h"
#include "HostileTlsServer.h"
#include "MainWindow.h"
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "ProbePage.h"
#include "TestPki.h"
#include "inventory/Store.h"

#include <QLabel>
#include <QLineEdit>
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

private:
    static QSet<QString> column(const QTableWidget* t, const QString& header);
    probe::ProbeTarget nginxTarget() const;
    FixtureDir m_pkiDir;
    TestPki m_pki;
    NginxFixture m_nginx;
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

void TestProbePage::initTestCase()
{
    QVERIFY2(m_pki.create(m_pkiDir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    QVERIFY2(m_nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                          "ssl_protocols TLSv1.2 TLSv1.3;\n"
                                          "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-"
                                          "CHACHA20-POLY1305:ECDHE-ECDSA-AES256-SHA;\n"
                                          "ssl_prefer_server_ciphers on;\n"
                                          "ssl_ecdh_curve X25519:prime256v1;\n")
                               .arg(m_pki.good.fullchain, m_pki.good.key)),
             qPrintable(m_nginx.errorString()));
}

void TestProbePage::matrixShowsWhatNginxServes()
{
    ProbePage page;
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
    QVERIFY2(page.groupsText().contains(QLatin1String("x25519")) &&
                 page.groupsText().contains(QLatin1String("secp256r1")) &&
                 !page.groupsText().contains(QLatin1String("secp384r1")),
             qPrintable(page.groupsText()));
}

void TestProbePage::unreachableIsToldInWords()
{
    ProbePage page;
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
        QVERIFY((*store)->addEndpoint(e).has_value());
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

QTEST_MAIN(TestProbePage)
#include "test_probepage.moc"
