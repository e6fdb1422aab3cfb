// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>

class QIcon;
class QLabel;
class QListWidget;
class QStackedWidget;

namespace certdeck::ui {

class CertificatesPage;
class ProbePage;
class SettingsPage;

/// The console: a navigation sidebar on the left, the current page on the
/// right, the store's state in the status bar. A page is added only once
/// its feature works; there are no placeholders.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QString storePath, QWidget* parent = nullptr);

    /// Titles of the sidebar's pages, in order.
    [[nodiscard]] QStringList pageTitles() const;
    /// Switches to the page titled `title`; false if there is none.
    bool showPage(const QString& title);
    [[nodiscard]] QString currentPageTitle() const;

    void showAbout();

    /// Opens certificate files in the Certificates & Keys page (from the
    /// command line or a file manager), verified for `host` against
    /// `trustBundle` (empty: the system store).
    void openCertificateFiles(const QStringList& paths, const QString& host = {},
                              const QString& trustBundle = {});

signals:
    /// The background open of the store ended (ok or not); for tests and the status bar.
    void storeOpened(bool ok);

private:
    void addPage(const QString& title, QWidget* page, const QIcon& icon);
    void openStoreInBackground();

    QString m_storePath;
    QListWidget* m_sidebar = nullptr;
    QStackedWidget* m_pages = nullptr;
    QLabel* m_storeStatus = nullptr;
    SettingsPage* m_settings = nullptr;
    CertificatesPage* m_certificates = nullptr;
    ProbePage* m_probe = nullptr;
};

} // namespace certdeck::ui
