// SPDX-License-Identifier: GPL-3.0-or-later
// The Fleet page offscreen on a real SQLite store seeded with certificates
// from the test PKI: counts, filter, group filter, add, conflict, remove.
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "inventory/Store.h"
#include "ui/fleet/EndpointDialog.h"
#include "ui/fleet/FleetModel.h"
#include "ui/fleet/FleetPage.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;
using namespace certdeck::ui;
using namespace certdeck::inventory;

class TestFleetPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void countsAndStatusWords();
    void filterAndGroup();
    void addShowsNewRow();
    void endpointDialogUsesTheSharedParser();
    void editConflictIsExplained();
    void removeAsksFirst();

private:
    qint64 seed(Store& s, const QString& host, const QString& group, const QString& certFile);
    FixtureDir m_dir;
    TestPki m_pki;
    QString m_db;
    QList<qint64> m_ids;
};

qint64 TestFleetPage::seed(Store& s, const QString& host, const QString& group,
                           const QString& certFile)
{
    Endpoint e;
    e.host = host;
    e.group = group;
    auto added = s.endpoints().add(e);
    if (!added) {
        qWarning() << added.error().toString();
        return 0;
    }
    if (!certFile.isEmpty()) {
        auto bundle = crypto::CertificateReader::readFile(certFile);
        auto certId = s.certificates().upsert(bundle->certificates.first());
        auto v = s.certificates().addVersion(added->id, *certId, VersionState::Deployed);
        if (!v) {
            qWarning() << v.error().toString();
            return 0;
        }
    }
    return added->id;
}

void TestFleetPage::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec soon;
    soon.name = QStringLiteral("soon");
    soon.notAfter = QDateTime::currentDateTimeUtc().addDays(10);
    const TestPki::Leaf expiring = m_pki.issue(soon);
    QVERIFY(!expiring.name.isEmpty());
    m_db = m_dir.filePath(QStringLiteral("fleet.sqlite"));
    auto store = Store::openUrl(m_db);
    QVERIFY2(store.has_value(), qPrintable(store ? QString() : store.error().toString()));
    m_ids << seed(**store, QStringLiteral("ok.example.com"), QStringLiteral("payments"),
                  m_pki.good.cert)
          << seed(**store, QStringLiteral("soon.example.com"), QStringLiteral("payments"),
                  expiring.cert)
          << seed(**store, QStringLiteral("old.example.com"), QStringLiteral("edge"),
                  m_pki.expired.cert)
          << seed(**store, QStringLiteral("new.example.com"), QStringLiteral("edge"), {});
    QVERIFY(!m_ids.contains(0));
}

void TestFleetPage::countsAndStatusWords()
{
    FleetPage page(m_db);
    QSignalSpy loaded(&page, &FleetPage::reloaded);
    QVERIFY(loaded.wait(20000));
    QVERIFY(loaded.first().first().toBool());
    QCOMPARE(page.model()->rowCount(), 4);
    QVERIFY2(page.countsText().startsWith(QStringLiteral("1 OK · 1 EXPIRING")),
             qPrintable(page.countsText()));
    QVERIFY(page.countsText().contains(QStringLiteral("1 EXPIRED · 1 NO CERTIFICATE")));
    // Sorted by expiry, soonest first: the expired one leads, with its word.
    const QModelIndex first = page.proxy()->index(0, FleetModel::Status);
    QCOMPARE(first.data().toString(), QStringLiteral("EXPIRED"));
    QVERIFY(page.proxy()
                ->index(0, FleetModel::Endpoint)
                .data()
                .toString()
                .startsWith(QLatin1String("old.example.com:443")));
    QVERIFY(page.proxy()
                ->index(0, FleetModel::Expires)
                .data()
                .toString()
                .contains(QLatin1String("ago")));
}

void TestFleetPage::filterAndGroup()
{
    FleetPage page(m_db);
    QSignalSpy loaded(&page, &FleetPage::reloaded);
    QVERIFY(loaded.wait(20000));
    page.filterEdit()->setText(QStringLiteral("SOON"));
    QCOMPARE(page.proxy()->rowCount(), 1);
    page.filterEdit()->clear();
    QCOMPARE(page.proxy()->rowCount(), 4);
    const int edge = page.groupBox()->findText(QStringLiteral("edge"));
    QVERIFY(edge > 0);
    page.groupBox()->setCurrentIndex(edge);
    QCOMPARE(page.proxy()->rowCount(), 2);
    QVERIFY2(page.countsText().startsWith(QLatin1String("0 OK")), qPrintable(page.countsText()));
    page.filterEdit()->setText(QStringLiteral("EXPIRED"));
    QCOMPARE(page.proxy()->rowCount(), 1);
}

void TestFleetPage::addShowsNewRow()
{
    FleetPage page(m_db);
    QSignalSpy loaded(&page, &FleetPage::reloaded);
    QVERIFY(loaded.wait(20000));
    QSignalSpy saved(&page, &FleetPage::saved);
    Endpoint e;
    e.host = QStringLiteral("added.example.com");
    e.port = 8443;
    e.group = QStringLiteral("edge");
    page.save(e);
    QVERIFY(saved.wait(20000));
    QVERIFY2(saved.first().first().toBool(), qPrintable(saved.first().at(1).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 5, 20000);
    // A duplicate is refused with a message, and nothing changes.
    QStringList told;
    page.setNotify([&](const QString& m) { told << m; });
    saved.clear();
    page.save(e);
    QVERIFY(saved.wait(20000));
    QCOMPARE(saved.first().first().toBool(), false);
    QCOMPARE(told.size(), 1);
    QVERIFY2(told.first().contains(QLatin1String("added.example.com")), qPrintable(told.first()));
}

void TestFleetPage::endpointDialogUsesTheSharedParser()
{
    EndpointDialog d(Endpoint{});
    auto* host = d.findChild<QLineEdit*>(QStringLiteral("host"));
    auto* sni = d.findChild<QLineEdit*>(QStringLiteral("sni"));
    auto* error = d.findChild<QLabel*>(QStringLiteral("endpointError"));
    QVERIFY(host && sni && error);
    host->setText(QStringLiteral("this is : not : a host"));
    d.accept();
    QCOMPARE(d.result(), int(QDialog::Rejected));
    QCOMPARE(error->text(),
             QStringLiteral("ERROR: host \"this is : not : a host\": a host and port "
                            "hold no spaces"));
    host->setText(QStringLiteral("api.example.com:"));
    d.accept();
    QCOMPARE(error->text(),
             QStringLiteral("ERROR: host \"api.example.com:\": the port after ':' is empty"));
    host->setText(QStringLiteral(" Bücher.example "));
    sni->setText(QStringLiteral("*.example"));
    d.accept();
    QCOMPARE(error->text(), QStringLiteral("ERROR: SNI name \"*.example\": \"*.example\" is a "
                                           "wildcard, not a host"));
    sni->clear();
    d.accept();
    QCOMPARE(d.result(), int(QDialog::Accepted));
    QCOMPARE(d.endpoint().host, QStringLiteral("xn--bcher-kva.example"));
    // A port typed with the host moves to the port box, as `fleet add` reads it.
    EndpointDialog withPort(Endpoint{});
    withPort.findChild<QLineEdit*>(QStringLiteral("host"))->setText(QStringLiteral("[::1]:8443"));
    withPort.accept();
    QCOMPARE(withPort.result(), int(QDialog::Accepted));
    QCOMPARE(withPort.endpoint().host, QStringLiteral("::1"));
    QCOMPARE(withPort.endpoint().port, quint16(8443));
    QCOMPARE(withPort.findChild<QSpinBox*>(QStringLiteral("port"))->value(), 8443);
}

void TestFleetPage::editConflictIsExplained()
{
    FleetPage page(m_db);
    QSignalSpy loaded(&page, &FleetPage::reloaded);
    QVERIFY(loaded.wait(20000));
    Endpoint mine;
    for (const FleetRow& r : page.model()->rows()) {
        if (r.endpoint.host == QLatin1String("new.example.com")) {
            mine = r.endpoint;
        }
    }
    QVERIFY(mine.id != 0);
    // Another admin saves first.
    {
        auto other = Store::openUrl(m_db);
        QVERIFY(other.has_value());
        (*other)->setActor(QStringLiteral("bob"));
        Endpoint theirs = mine;
        theirs.notes = QStringLiteral("bob was here");
        QVERIFY((*other)->endpoints().update(theirs).has_value());
    }
    QStringList told;
    page.setNotify([&](const QString& m) { told << m; });
    QSignalSpy saved(&page, &FleetPage::saved);
    mine.group = QStringLiteral("payments");
    page.save(mine);
    QVERIFY(saved.wait(20000));
    QCOMPARE(saved.first().first().toBool(), false);
    QCOMPARE(told.size(), 1);
    QVERIFY2(told.first().contains(QLatin1String("bob")), qPrintable(told.first()));
    QVERIFY(told.first().contains(QLatin1String("reloaded")));
    // Bob's change survived.
    auto check = Store::openUrl(m_db);
    QCOMPARE((*check)->endpoints().get(mine.id)->notes, QStringLiteral("bob was here"));
    QCOMPARE((*check)->endpoints().get(mine.id)->group, QStringLiteral("edge"));
}

void TestFleetPage::removeAsksFirst()
{
    FleetPage page(m_db);
    QSignalSpy loaded(&page, &FleetPage::reloaded);
    QVERIFY(loaded.wait(20000));
    const int before = page.model()->rowCount();
    int asked = 0;
    page.setConfirm([&](const QString&) {
        ++asked;
        return asked > 1; // no the first time, yes the second
    });
    page.removeEndpoints({m_ids.at(3)});
    QCOMPARE(asked, 1);
    QSignalSpy saved(&page, &FleetPage::saved);
    page.removeEndpoints({m_ids.at(3)});
    QVERIFY(saved.wait(20000));
    QVERIFY(saved.first().first().toBool());
    QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), before - 1, 20000);
}

QTEST_MAIN(TestFleetPage)
#include "test_fleetpage.moc"
