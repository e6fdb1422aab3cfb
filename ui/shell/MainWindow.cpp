// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "AboutDialog.h"
#include "inventory/Store.h"
#include "ui/acme/AcmePage.h"
#include "ui/certificates/CertificatesPage.h"
#include "ui/common/Background.h"
#include "ui/common/StoreTask.h"
#include "ui/fleet/FleetPage.h"
#include "ui/probe/ProbePage.h"
#include "ui/proxy/ProxyPage.h"
#include "ui/settings/SettingsPage.h"

#include <QAction>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QVBoxLayout>

namespace certdeck::ui {

MainWindow::MainWindow(QString storePath, QWidget* parent)
    : QMainWindow(parent)
    , m_storePath(std::move(storePath))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("CertDeck"));
    resize(1280, 800);

    auto* central = new QWidget(this);
    auto* h = new QHBoxLayout(central);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(0);
    m_sidebar = new QListWidget(central);
    m_sidebar->setObjectName(QStringLiteral("navigationSidebar"));
    m_sidebar->setFixedWidth(190);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setAccessibleName(tr("Navigation"));
    m_sidebar->setIconSize(QSize(22, 22));
    QFont navFont = m_sidebar->font();
    navFont.setPointSizeF(navFont.pointSizeF() * 1.15);
    m_sidebar->setFont(navFont);
    m_pages = new QStackedWidget(central);
    m_pages->setObjectName(QStringLiteral("pages"));
    h->addWidget(m_sidebar);
    h->addWidget(m_pages, 1);
    setCentralWidget(central);
    connect(m_sidebar, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    QMenu* go = menuBar()->addMenu(tr("&Go"));
    go->setObjectName(QStringLiteral("goMenu"));
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About CertDeck"));
    about->setShortcut(QKeySequence(Qt::Key_F1));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);

    auto* fleet = new FleetPage(m_storePath, this);
    addPage(tr("Fleet"), fleet, style()->standardIcon(QStyle::SP_DriveNetIcon));
    m_certificates = new CertificatesPage(this);
    m_certificates->setStoreLocation(m_storePath);
    addPage(tr("Certificates & Keys"), m_certificates,
            style()->standardIcon(QStyle::SP_FileDialogContentsView));
    m_probe = new ProbePage(this);
    addPage(tr("Probe"), m_probe, style()->standardIcon(QStyle::SP_BrowserReload));
    connect(m_probe, &ProbePage::inspectChainRequested, this,
            [this](const QString& endpoint, const QString& host) {
                showPage(tr("Certificates & Keys"));
                m_certificates->setHost(host);
                m_certificates->openEndpoint(endpoint);
            });
    connect(fleet, &FleetPage::probeRequested, this, [this](const probe::ProbeTarget& target) {
        showPage(tr("Probe"));
        m_probe->probe(target);
    });
    m_probe->setStoreLocation(m_storePath);
    connect(fleet, &FleetPage::scanRequested, this, [this](const QList<probe::ScanItem>& items) {
        showPage(tr("Probe"));
        m_probe->scan(items);
    });
    connect(m_probe, &ProbePage::probesRecorded, fleet, [fleet](bool ok) {
        if (ok) {
            fleet->reload();
        }
    });
    auto* acmePage = new AcmePage(m_storePath, this);
    addPage(tr("ACME"), acmePage, style()->standardIcon(QStyle::SP_DialogApplyButton));
    // What an order stores shows in the Fleet at once (the row's expiry,
    // the detail), not at the next Reload.
    connect(acmePage, &AcmePage::certificateIssued, fleet, [fleet] { fleet->reload(); });
    connect(fleet, &FleetPage::orderRequested, this, [this, acmePage](qint64 endpointId) {
        showPage(tr("ACME"));
        acmePage->openOrderDialog(endpointId);
    });
    connect(fleet, &FleetPage::openCertificateRequested, this, [this](qint64 certificateId) {
        showPage(tr("Certificates & Keys"));
        m_certificates->openStoredCertificate(certificateId);
    });
    connect(acmePage, &AcmePage::openCertificateRequested, this,
            [this](const crypto::Certificate& leaf) {
                showPage(tr("Certificates & Keys"));
                m_certificates->showCertificate(leaf);
            });
    auto* proxyPage = new ProxyPage(this);
    // One passphrase prompt per session for the ACME and Proxy pages.
    proxyPage->setInventory(m_storePath, acmePage->vaultSession());
    addPage(tr("Proxy"), proxyPage, style()->standardIcon(QStyle::SP_ComputerIcon));
    m_settings = new SettingsPage(m_storePath, this);
    addPage(tr("Settings"), m_settings, style()->standardIcon(QStyle::SP_FileDialogDetailedView));

    m_storeStatus = new QLabel(tr("Opening the store…"), this);
    m_storeStatus->setObjectName(QStringLiteral("storeStatus"));
    statusBar()->addPermanentWidget(m_storeStatus);
    openStoreInBackground();
}

void MainWindow::addPage(const QString& title, QWidget* page, const QIcon& icon)
{
    // Each page sits under a heading with its name, so the admin always
    // knows where they are.
    auto* frame = new QWidget(m_pages);
    auto* v = new QVBoxLayout(frame);
    v->setContentsMargins(16, 12, 16, 12);
    auto* heading = new QLabel(title, frame);
    QFont f = heading->font();
    f.setPointSizeF(f.pointSizeF() * 1.5);
    f.setBold(true);
    heading->setFont(f);
    v->addWidget(heading);
    v->addWidget(page, 1);
    page->setParent(frame);
    m_pages->addWidget(frame);
    auto* item = new QListWidgetItem(icon, title, m_sidebar);
    item->setSizeHint(QSize(0, 36));
    const int index = m_sidebar->count() - 1;
    auto* menu = menuBar()->findChild<QMenu*>(QStringLiteral("goMenu"));
    QAction* go = menu->addAction(title);
    if (index < 9) {
        go->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + index)));
    }
    connect(go, &QAction::triggered, this, [this, index] { m_sidebar->setCurrentRow(index); });
    if (index == 0) {
        m_sidebar->setCurrentRow(0);
    }
}

QStringList MainWindow::pageTitles() const
{
    QStringList titles;
    for (int i = 0; i < m_sidebar->count(); ++i) {
        titles << m_sidebar->item(i)->text();
    }
    return titles;
}

bool MainWindow::showPage(const QString& title)
{
    const int i = pageTitles().indexOf(title);
    if (i < 0) {
        return false;
    }
    m_sidebar->setCurrentRow(i);
    return true;
}

QString MainWindow::currentPageTitle() const
{
    QListWidgetItem* item = m_sidebar->currentItem();
    return item != nullptr ? item->text() : QString();
}

void MainWindow::showAbout()
{
    auto* dialog = new AboutDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::openCertificateFiles(const QStringList& paths, const QString& host,
                                      const QString& trustBundle)
{
    showPage(tr("Certificates & Keys"));
    m_certificates->setTrustBundle(trustBundle);
    if (!host.isEmpty()) {
        m_certificates->setHost(host);
    }
    // One file at a time is shown; the last one wins, as in any viewer.
    for (const QString& p : paths) {
        m_certificates->openFile(p);
    }
}

void MainWindow::openStoreInBackground()
{
    using StoreResult = Result<inventory::StoreInfo>;
    runOnStore<inventory::StoreInfo>(
        this, m_storePath, [](inventory::Store& store) { return store.info(); },
        [this](const StoreResult& r) {
            m_settings->setStoreInfo(r);
            if (r) {
                m_storeStatus->setText(
                    tr("Store: %1 %2, %3").arg(r->backend, r->engineVersion, r->location));
            } else {
                m_storeStatus->setText(tr("Store error: %1").arg(r.error().message));
                m_storeStatus->setToolTip(r.error().detail);
            }
            emit storeOpened(r.has_value());
        });
}

} // namespace certdeck::ui
