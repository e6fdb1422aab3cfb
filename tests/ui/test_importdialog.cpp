// SPDX-License-Identifier: GPL-3.0-or-later
// The import dialog offscreen on a real SQLite store: the preview lists every
// endpoint as new or already known with its certificate and deploy target,
// shows the importer's warnings, goes stale when a field changes, imports
// exactly what was shown, and keeps nothing when the store refuses a part.
#include "PeerProcess.h"
#include "TestPki.h"
#include "inventory/FleetView.h"
#include "inventory/Store.h"
#include "inventory/import/InventoryJson.h"
#include "ui/fleet/FleetPage.h"
#include "ui/fleet/ImportDialog.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableWidget>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;
using namespace certdeck::ui;
using namespace certdeck::inventory;

class TestImportDialog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void hostListPreviewThenImport();
    void editingAFieldMakesThePreviewStale();
    void nginxDumpShowsCertificatesAndTargets();
    void unreadableSourceCannotBeImported();
    void malformedLinesAreRefused();
    void refusedPartKeepsNothing();
    void fleetPageReloadsAfterImport();

private:
    static QStringList column(const QTableWidget* t, int c);
    static bool previewOk(ImportDialog& d);
    qsizetype endpointCount() const;
    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_api;
    QString m_db;
    int m_counter = 0;
};

QStringList TestImportDialog::column(const QTableWidget* t, int c)
{
    QStringList out;
    for (int r = 0; r < t->rowCount(); ++r) {
        out << t->item(r, c)->text();
    }
    return out;
}

bool TestImportDialog::previewOk(ImportDialog& d)
{
    QSignalSpy ready(&d, &ImportDialog::previewReady);
    d.preview();
    if (!ready.wait(30000)) {
        return false;
    }
    return ready.first().first().toBool();
}

qsizetype TestImportDialog::endpointCount() const
{
    auto s = Store::openSqlite(m_db);
    return s ? (*s)->endpoints().list().value_or(QList<Endpoint>()).size() : -1;
}

void TestImportDialog::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.filePath(QStringLiteral("pki")), {}),
             qPrintable(m_pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("api");
    spec.commonName = QStringLiteral("api.example.test");
    spec.sans = {QStringLiteral("DNS:api.example.test")};
    m_api = m_pki.issue(spec);
    QVERIFY(!m_api.cert.isEmpty());
}

void TestImportDialog::init()
{
    // One fresh store per test, holding api.example.test:443.
    m_db = m_dir.filePath(QStringLiteral("store%1/certdeck.sqlite").arg(++m_counter));
    auto s = Store::openSqlite(m_db);
    QVERIFY2(s.has_value(), qPrintable(s ? QString() : s.error().toString()));
    Endpoint e;
    e.host = QStringLiteral("api.example.test");
    QVERIFY((*s)->endpoints().add(e).has_value());
}

void TestImportDialog::hostListPreviewThenImport()
{
    QVERIFY(m_dir.write(QStringLiteral("hosts.txt"), "api.example.test\n"
                                                     "new.example.test:8443\n"
                                                     "# staging\n"
                                                     "NEW.example.test:8443\n"));
    ImportDialog d(m_db);
    d.show();
    d.groupEdit()->setText(QStringLiteral("imported"));
    QSignalSpy ready(&d, &ImportDialog::previewReady);
    d.setSource(m_dir.filePath(QStringLiteral("hosts.txt")));
    QVERIFY(ready.wait(30000));
    QCOMPARE(ready.first().first().toBool(), true);
    QCOMPARE(column(d.table(), 1), (QStringList{QStringLiteral("api.example.test:443"),
                                                QStringLiteral("new.example.test:8443")}));
    QCOMPARE(column(d.table(), 0),
             (QStringList{QStringLiteral("Already in the inventory; kept as it is"),
                          QStringLiteral("New")}));
    QCOMPARE(column(d.table(), 3).last(), QStringLiteral("imported"));
    QVERIFY2(d.summaryText().contains(QLatin1String("Host list or CSV: 1 new endpoint(s), 1 "
                                                    "already in the inventory")),
             qPrintable(d.summaryText()));
    QCOMPARE(d.warningsText(), QStringLiteral("hosts.txt line 4: new.example.test:8443 duplicates "
                                              "hosts.txt line 2; merged"));
    QCOMPARE(endpointCount(), 1); // previewing wrote nothing

    QVERIFY(d.importButton()->isEnabled());
    QSignalSpy imported(&d, &ImportDialog::imported);
    QTest::mouseClick(d.importButton(), Qt::LeftButton);
    QVERIFY(imported.wait(30000));
    QCOMPARE(imported.first().at(0).toBool(), true);
    QVERIFY2(imported.first().at(1).toString().contains(
                 QLatin1String("Imported 1 new endpoint(s) (1 already known)")),
             qPrintable(imported.first().at(1).toString()));
    QCOMPARE(endpointCount(), 2);
    auto s = Store::openSqlite(m_db);
    auto at = (*s)->endpoints().at(QStringLiteral("new.example.test"), 8443);
    QCOMPARE(at->size(), 1);
    QCOMPARE(at->first().group, QStringLiteral("imported"));
    QCOMPARE((*s)->activity().auditLog(5)->first().actor, Store::osUserName());
}

void TestImportDialog::editingAFieldMakesThePreviewStale()
{
    QVERIFY(m_dir.write(QStringLiteral("stale.txt"), "one.example.test\n"));
    ImportDialog d(m_db);
    d.show();
    QSignalSpy ready(&d, &ImportDialog::previewReady);
    d.setSource(m_dir.filePath(QStringLiteral("stale.txt")));
    QVERIFY(ready.wait(30000));
    QVERIFY(d.importButton()->isEnabled());
    QCOMPARE(d.table()->rowCount(), 1);
    // Typing a group: what was previewed is no longer what would be imported.
    QTest::keyClicks(d.groupEdit(), QStringLiteral("ops"));
    QVERIFY(!d.importButton()->isEnabled());
    QCOMPARE(d.table()->rowCount(), 0);
    QVERIFY(previewOk(d));
    QCOMPARE(column(d.table(), 3), QStringList{QStringLiteral("ops")});
    QVERIFY(d.importButton()->isEnabled());
    // A source with nothing new: the preview says so and Import stays off.
    QVERIFY(m_dir.write(QStringLiteral("known.txt"), "api.example.test:443\n"));
    d.setSource(m_dir.filePath(QStringLiteral("known.txt")));
    QTRY_VERIFY(d.summaryText().contains(QLatin1String("Nothing new to import")));
    QVERIFY(!d.importButton()->isEnabled());
}

void TestImportDialog::nginxDumpShowsCertificatesAndTargets()
{
    const QByteArray dump =
        QStringLiteral("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                       "# configuration file /etc/nginx/nginx.conf:\n"
                       "events {}\n"
                       "http {\n"
                       "  server {\n"
                       "    listen 443 ssl;\n"
                       "    server_name api.example.test;\n"
                       "    ssl_certificate %1;\n"
                       "    ssl_certificate_key %2;\n"
                       "  }\n"
                       "  server {\n"
                       "    listen 8443 ssl;\n"
                       "    server_name pay.example.test;\n"
                       "    ssl_certificate %1;\n"
                       "    ssl_certificate_key %2;\n"
                       "  }\n"
                       "}\n")
            .arg(m_api.fullchain, m_api.key)
            .toUtf8();
    QVERIFY(m_dir.write(QStringLiteral("nginx-T.txt"), dump));
    ImportDialog d(m_db);
    d.show();
    d.sshHostEdit()->setText(QStringLiteral("lb1.example.test"));
    QSignalSpy ready(&d, &ImportDialog::previewReady);
    d.setSource(m_dir.filePath(QStringLiteral("nginx-T.txt")));
    QVERIFY(ready.wait(30000));
    QVERIFY2(ready.first().first().toBool(), qPrintable(d.summaryText()));
    QVERIFY2(d.summaryText().startsWith(QLatin1String("nginx -T output: 1 new endpoint(s), 1 "
                                                      "already")),
             qPrintable(d.summaryText()));
    const QString expires = QStringLiteral("api.example.test, expires ");
    const QStringList certs = column(d.table(), 4);
    QCOMPARE(certs.size(), 2);
    QVERIFY2(certs.at(0).startsWith(expires) && certs.at(1).startsWith(expires),
             qPrintable(certs.join(u'|')));
    QCOMPARE(column(d.table(), 5),
             QStringList(2, QStringLiteral("lb1.example.test:") + m_api.fullchain));
}

void TestImportDialog::unreadableSourceCannotBeImported()
{
    ImportDialog d(m_db);
    d.show();
    QSignalSpy ready(&d, &ImportDialog::previewReady);
    d.setSource(m_dir.filePath(QStringLiteral("missing/hosts.txt")));
    QVERIFY(ready.wait(30000));
    QCOMPARE(ready.first().first().toBool(), false);
    QVERIFY2(d.summaryText().startsWith(QLatin1String("Nothing can be imported:")) &&
                 d.summaryText().contains(QLatin1String("does not exist")),
             qPrintable(d.summaryText()));
    QVERIFY(!d.importButton()->isEnabled());

    // Forced to read a host list as nginx -T output: the importer's error.
    QVERIFY(m_dir.write(QStringLiteral("plain.txt"), "api.example.test\n"));
    d.formatBox()->setCurrentIndex(1); // nginx -T output
    d.setSource(m_dir.filePath(QStringLiteral("plain.txt")));
    QTRY_VERIFY(d.summaryText().contains(QLatin1String("configuration file")));
    QVERIFY(!d.importButton()->isEnabled());
    QCOMPARE(endpointCount(), 1);
}

void TestImportDialog::malformedLinesAreRefused()
{
    // One good line among bad ones: the preview refuses the whole list,
    // names every bad line, and Import stays off.
    QVERIFY(m_dir.write(QStringLiteral("bad-hosts.txt"), "new.example.test\n"
                                                         "this is : not : a host\n"
                                                         "other.example.test:99999\n"));
    ImportDialog d(m_db);
    d.show();
    QSignalSpy ready(&d, &ImportDialog::previewReady);
    d.setSource(m_dir.filePath(QStringLiteral("bad-hosts.txt")));
    QVERIFY(ready.wait(30000));
    QCOMPARE(ready.first().first().toBool(), false);
    QCOMPARE(d.summaryText(),
             QStringLiteral("Nothing can be imported: bad-hosts.txt line 2: \"this is : not : a "
                            "host\": a host and port hold no spaces (and 1 more problem(s))"));
    QCOMPARE(d.warningsText(),
             QStringLiteral("bad-hosts.txt line 2: \"this is : not : a host\": a host and port "
                            "hold no spaces\n"
                            "bad-hosts.txt line 3: \"other.example.test:99999\": port 99999 is out "
                            "of range (1-65535)"));
    QCOMPARE(d.table()->rowCount(), 0);
    QVERIFY(!d.importButton()->isEnabled());
    QCOMPARE(endpointCount(), 1);
}

void TestImportDialog::refusedPartKeepsNothing()
{
    // An export whose second deploy target has a world-readable key mode:
    // the store refuses it, so the whole import, endpoints included, would
    // be rolled back; the preview says so before anything is tried.
    DeployTarget good;
    good.id = 1;
    good.sshHost = QStringLiteral("lb1.example.test");
    good.sshPort = 22;
    good.keyPath = QStringLiteral("/etc/ssl/a.key");
    good.fullchainPath = QStringLiteral("/etc/ssl/a.pem");
    good.keyMode = 0600;
    DeployTarget bad = good;
    bad.id = 2;
    bad.keyPath = QStringLiteral("/etc/ssl/b.key");
    bad.keyMode = 0644;
    Endpoint a;
    a.id = 1;
    a.host = QStringLiteral("a.example.test");
    a.port = 443;
    a.deployTargetId = 1;
    Endpoint b = a;
    b.id = 2;
    b.host = QStringLiteral("b.example.test");
    b.deployTargetId = 2;
    QVERIFY(m_dir.write(
        QStringLiteral("export.json"),
        InventoryJson::write({a, b}, {good, bad}, {}, QDateTime::currentDateTimeUtc())));
    ImportDialog d(m_db);
    d.show();
    QSignalSpy ready(&d, &ImportDialog::previewReady);
    d.setSource(m_dir.filePath(QStringLiteral("export.json")));
    QVERIFY(ready.wait(30000));
    // The preview runs the import's own checks: it refuses what the import
    // would refuse, instead of promising it, and Import stays off.
    QCOMPARE(ready.first().first().toBool(), false);
    QVERIFY2(d.summaryText().startsWith(QLatin1String("Nothing can be imported:")) &&
                 d.summaryText().contains(QLatin1String("readable by others")),
             qPrintable(d.summaryText()));
    QVERIFY(!d.importButton()->isEnabled());
    QCOMPARE(d.table()->rowCount(), 0);
    QVERIFY(d.isVisible()); // stays open to show why
    QCOMPARE(endpointCount(), 1);
}

void TestImportDialog::fleetPageReloadsAfterImport()
{
    QVERIFY(m_dir.write(QStringLiteral("two.txt"), "x.example.test\ny.example.test:8443\n"));
    FleetPage page(m_db);
    QSignalSpy reloaded(&page, &FleetPage::reloaded);
    QVERIFY(reloaded.wait(30000));
    QCOMPARE(page.proxy()->rowCount(), 1);
    ImportDialog* d = page.importDialog();
    QVERIFY(d->isVisible());
    QSignalSpy ready(d, &ImportDialog::previewReady);
    d->setSource(m_dir.filePath(QStringLiteral("two.txt")));
    QVERIFY(ready.wait(30000));
    reloaded.clear();
    QTest::mouseClick(d->importButton(), Qt::LeftButton);
    QVERIFY(reloaded.wait(30000));
    QCOMPARE(page.proxy()->rowCount(), 3);
}

QTEST_MAIN(TestImportDialog)
#include "test_importdialog.moc"
