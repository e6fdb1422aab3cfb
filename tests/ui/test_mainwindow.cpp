// SPDX-License-Identifier: GPL-3.0-or-later
// Drives the real console widgets offscreen, as an admin would use them.
#include "common/CpuFeatures.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/OpenedStore.h"
#include "inventory/Store.h"
#include "ui/acme/AcmePage.h"
#include "ui/fleet/FleetPage.h"
#include "ui/settings/SettingsPage.h"
#include "ui/shell/AboutDialog.h"
#include "ui/shell/MainWindow.h"

#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <openssl/crypto.h>

using namespace certdeck;
using namespace certdeck::ui;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void opensStoreWithoutBlocking();
    void onlyWorkingPagesAreListed();
    void aboutShowsLibrariesAndCpu();
    void integrityCheckRunsFromSettings();
    void keyProtectionIsShownInSettings();
    void unusedKeysAreNamedInSettings();
    void damagedStoreIsReportedNotOverwritten();
    void consoleOpensTheStoreOnce();

private:
    QTemporaryDir m_tmp;
};

void TestMainWindow::opensStoreWithoutBlocking()
{
    MainWindow w(m_tmp.filePath(QStringLiteral("store.sqlite")));
    QSignalSpy opened(&w, &MainWindow::storeOpened);
    w.show();
    // The constructor returned before the store was opened (that runs on a
    // worker and is delivered through the event loop, which has not run yet):
    // the status bar does not name the store yet.
    auto* status = w.findChild<QLabel*>(QStringLiteral("storeStatus"));
    QVERIFY(status != nullptr);
    QCOMPARE(opened.count(), 0);
    QVERIFY2(!status->text().contains(QLatin1String("SQLite")), qPrintable(status->text()));
    QVERIFY(opened.wait(10000) || opened.count() == 1);
    QCOMPARE(opened.first().first().toBool(), true);
    QVERIFY2(status->text().contains(QLatin1String("SQLite")), qPrintable(status->text()));
    QVERIFY(status->text().contains(m_tmp.filePath(QStringLiteral("store.sqlite"))));
}

void TestMainWindow::onlyWorkingPagesAreListed()
{
    MainWindow w(m_tmp.filePath(QStringLiteral("store.sqlite")));
    w.show();
    // Pages appear as their features land; none is a placeholder.
    QCOMPARE(w.pageTitles(),
             (QStringList{QStringLiteral("Fleet"), QStringLiteral("Certificates & Keys"),
                          QStringLiteral("Probe"), QStringLiteral("ACME"), QStringLiteral("Proxy"),
                          QStringLiteral("Settings")}));
    // Fleet is home.
    QCOMPARE(w.currentPageTitle(), QStringLiteral("Fleet"));
    QVERIFY(!w.showPage(QStringLiteral("Deploy")));
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QTest::keyClick(&w, Qt::Key_6, Qt::ControlModifier);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("Settings"));
    QTest::keyClick(&w, Qt::Key_5, Qt::ControlModifier);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("Proxy"));
    QTest::keyClick(&w, Qt::Key_4, Qt::ControlModifier);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("ACME"));
    QTest::keyClick(&w, Qt::Key_3, Qt::ControlModifier);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("Probe"));
    QTest::keyClick(&w, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("Certificates & Keys"));
    QTest::keyClick(&w, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("Fleet"));
}

void TestMainWindow::aboutShowsLibrariesAndCpu()
{
    AboutDialog about;
    about.show();
    auto text = [&](const QString& name) {
        auto* l = about.findChild<QLabel*>(name);
        return l != nullptr ? l->text() : QStringLiteral("<missing %1>").arg(name);
    };
    QCOMPARE(text(QStringLiteral("opensslVersion")),
             QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION)));
    QVERIFY(text(QStringLiteral("qtVersion")).startsWith(QLatin1String(qVersion())));
    QVERIFY(text(QStringLiteral("libsshVersion")).startsWith(QLatin1String("0.")));
    // Every CPU flag is a word (not only a colour or icon), matching detection.
    for (const auto& f : CpuFeatures::detect().flags()) {
        QCOMPARE(text(QStringLiteral("cpu_") + f.name),
                 f.present ? QStringLiteral("available") : QStringLiteral("not available"));
    }
    QVERIFY(about.reportText().contains(QLatin1String("OpenSSL")));
    QVERIFY(about.reportText().contains(QLatin1String("AES-NI")));
}

void TestMainWindow::integrityCheckRunsFromSettings()
{
    MainWindow w(m_tmp.filePath(QStringLiteral("store.sqlite")));
    w.show();
    QSignalSpy opened(&w, &MainWindow::storeOpened);
    QVERIFY(opened.wait(10000));
    QVERIFY(w.showPage(QStringLiteral("Settings")));
    auto* button = w.findChild<QPushButton*>(QStringLiteral("checkIntegrityButton"));
    QVERIFY(button != nullptr);
    QTest::mouseClick(button, Qt::LeftButton);
    auto* result = w.findChild<QLabel*>(QStringLiteral("storeIntegrity"));
    QTRY_COMPARE_WITH_TIMEOUT(result->text(), QStringLiteral("OK: no problems found"), 10000);
    QVERIFY(button->isEnabled());
}

void TestMainWindow::keyProtectionIsShownInSettings()
{
    // A session bus address where nothing listens: no keyring, said plainly.
    qputenv("DBUS_SESSION_BUS_ADDRESS",
            QByteArray("unix:path=") + m_tmp.filePath(QStringLiteral("no-bus")).toUtf8());
    const QString path = m_tmp.filePath(QStringLiteral("keys.sqlite"));
    MainWindow w(path);
    w.show();
    QVERIFY(w.showPage(QStringLiteral("Settings")));
    auto* vault = w.findChild<QLabel*>(QStringLiteral("keyVault"));
    auto* keyring = w.findChild<QLabel*>(QStringLiteral("osKeyring"));
    QVERIFY(vault != nullptr && keyring != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(!keyring->text().startsWith(QLatin1String("checking")), 30000);
    QVERIFY2(keyring->text().startsWith(QLatin1String("Not available: No usable OS keyring")),
             qPrintable(keyring->text()));
    QTRY_VERIFY_WITH_TIMEOUT(!vault->text().isEmpty(), 30000);
    QVERIFY2(vault->text().startsWith(QLatin1String("No master passphrase yet")),
             qPrintable(vault->text()));

    // A passphrase set behind the page (a dialog, another process): shown
    // again, the page says so; it does not keep what it saw at start.
    {
        auto store = inventory::Store::openSqlite(path);
        QVERIFY(store.has_value());
        inventory::KeyVault kv(**store);
        inventory::ScryptCost cheap;
        cheap.n = 1024;
        QVERIFY(kv.init("correct horse", cheap).has_value());
    }
    QVERIFY(w.showPage(QStringLiteral("Fleet")));
    QVERIFY(w.showPage(QStringLiteral("Settings")));
    QTRY_VERIFY_WITH_TIMEOUT(vault->text().startsWith(QLatin1String(
                                 "Master passphrase set (scrypt, AES-256-GCM); 0 key(s)")),
                             30000);
    qunsetenv("DBUS_SESSION_BUS_ADDRESS");
}

void TestMainWindow::unusedKeysAreNamedInSettings()
{
    qputenv("DBUS_SESSION_BUS_ADDRESS",
            QByteArray("unix:path=") + m_tmp.filePath(QStringLiteral("no-bus")).toUtf8());
    const QString path = m_tmp.filePath(QStringLiteral("unused.sqlite"));
    qint64 orphan = 0;
    {
        // An account with its key, and a key an interrupted write left behind.
        auto store = inventory::Store::openSqlite(path);
        QVERIFY(store.has_value());
        inventory::KeyVault kv(**store);
        inventory::ScryptCost cheap;
        cheap.n = 1024;
        QVERIFY(kv.init("correct horse", cheap).has_value());
        auto accountKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
        auto leftKey = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
        QVERIFY(accountKey && leftKey);
        auto used = kv.storeKey(*accountKey, QStringLiteral("ACME account key (prod)"));
        QVERIFY(used);
        inventory::IssuerRecord account;
        account.name = QStringLiteral("prod");
        account.directoryUrl = QStringLiteral("https://127.0.0.1:14000/dir");
        account.accountKeyId = *used;
        QVERIFY((*store)->issuers().add(account));
        auto left = kv.storeKey(*leftKey, QStringLiteral("ACME account key (interrupted)"));
        QVERIFY(left);
        orphan = *left;
    }
    MainWindow w(path);
    w.show();
    QVERIFY(w.showPage(QStringLiteral("Settings")));
    auto* vault = w.findChild<QLabel*>(QStringLiteral("keyVault"));
    auto* unused = w.findChild<QLabel*>(QStringLiteral("unusedKeys"));
    QVERIFY(vault != nullptr && unused != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(!unused->text().startsWith(QLatin1String("checking")), 30000);
    QVERIFY2(vault->text().startsWith(
                 QLatin1String("Master passphrase set (scrypt, AES-256-GCM); 2 key(s)")),
             qPrintable(vault->text()));
    QVERIFY2(unused->text().startsWith(
                 QStringLiteral("1 key(s) nothing uses: #%1 “ACME account key (interrupted)”")
                     .arg(orphan)),
             qPrintable(unused->text()));
    QVERIFY2(!unused->text().contains(QLatin1String("(prod)")), qPrintable(unused->text()));

    // Pruned behind the page: shown again, the page says so.
    {
        auto store = inventory::Store::openSqlite(path);
        QVERIFY(store.has_value());
        QVERIFY((*store)->keys().removeUnused({orphan}).has_value());
    }
    QVERIFY(w.showPage(QStringLiteral("Fleet")));
    QVERIFY(w.showPage(QStringLiteral("Settings")));
    QTRY_VERIFY_WITH_TIMEOUT(unused->text().startsWith(QLatin1String("None")), 30000);
    QVERIFY2(vault->text().startsWith(
                 QLatin1String("Master passphrase set (scrypt, AES-256-GCM); 1 key(s)")),
             qPrintable(vault->text()));
    qunsetenv("DBUS_SESSION_BUS_ADDRESS");
}

void TestMainWindow::damagedStoreIsReportedNotOverwritten()
{
    const QString path = m_tmp.filePath(QStringLiteral("damaged.sqlite"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(4096, '\x01'));
    f.close();
    MainWindow w(path);
    QSignalSpy opened(&w, &MainWindow::storeOpened);
    w.show();
    QVERIFY(opened.wait(10000));
    QCOMPARE(opened.first().first().toBool(), false);
    auto* status = w.findChild<QLabel*>(QStringLiteral("storeStatus"));
    QVERIFY2(status->text().startsWith(QLatin1String("Store error:")), qPrintable(status->text()));
    QVERIFY(status->text().contains(QLatin1String("not an SQLite database")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray(4096, '\x01'));
}

void TestMainWindow::consoleOpensTheStoreOnce()
{
    // Every page's store work runs on one store thread: the store is checked
    // and migrated at the first task only, however many follow.
    const QString path = m_tmp.filePath(QStringLiteral("once.sqlite"));
    const int before = inventory::OpenedStore::fullOpenCount();
    MainWindow w(path);
    QSignalSpy opened(&w, &MainWindow::storeOpened);
    w.show();
    QVERIFY(opened.wait(10000));
    QCOMPARE(opened.first().first().toBool(), true);

    auto* fleet = w.findChild<FleetPage*>();
    auto* acme = w.findChild<AcmePage*>();
    QVERIFY(fleet != nullptr && acme != nullptr);
    QSignalSpy reloaded(fleet, &FleetPage::reloaded);
    QSignalSpy accounts(acme, &AcmePage::accountsLoaded);
    QVERIFY(w.showPage(QStringLiteral("Settings")));
    auto* button = w.findChild<QPushButton*>(QStringLiteral("checkIntegrityButton"));
    auto* result = w.findChild<QLabel*>(QStringLiteral("storeIntegrity"));
    QVERIFY(button != nullptr && result != nullptr);
    for (int i = 0; i < 3; ++i) {
        fleet->reload();
        acme->reload();
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(result->text(), QStringLiteral("checking…"));
        QTRY_COMPARE_WITH_TIMEOUT(result->text(), QStringLiteral("OK: no problems found"), 10000);
    }
    // The work was queued in order: the reloads asked for before each check
    // have ended by the time it has.
    QTRY_VERIFY(reloaded.count() >= 3 && accounts.count() >= 3);
    for (const auto& r : std::as_const(reloaded)) {
        QCOMPARE(r.first().toBool(), true);
    }
    for (const auto& a : std::as_const(accounts)) {
        QCOMPARE(a.first().toBool(), true);
    }
    QCOMPARE(inventory::OpenedStore::fullOpenCount(), before + 1);
}

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
