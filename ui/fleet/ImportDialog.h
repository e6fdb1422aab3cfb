// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QString>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace certdeck::inventory {
struct ImportPlan;
}

namespace certdeck::ui {

/// Import into the fleet: pick nginx -T output, a host list or CSV, a certbot
/// folder, a PEM folder or a CertDeck export; see every endpoint it would add
/// (new or already in the inventory), its certificate and deploy target, and
/// the importer's warnings; then add all of it in one transaction. Reading,
/// previewing and importing run off the GUI thread; changing any field
/// invalidates the preview, so what is imported is what was shown.
class ImportDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ImportDialog(QString storeLocation, QWidget* parent = nullptr);

    /// Sets the file or folder to import (as Browse does) and previews it.
    void setSource(const QString& path);
    /// Reads the source and compares it with the store; previewReady() tells.
    void preview();
    /// Adds the previewed plan; imported() tells.
    void import();

    [[nodiscard]] QComboBox* formatBox() const { return m_format; }
    [[nodiscard]] QLineEdit* groupEdit() const { return m_group; }
    [[nodiscard]] QLineEdit* sshHostEdit() const { return m_sshHost; }
    [[nodiscard]] QTableWidget* table() const { return m_table; }
    [[nodiscard]] QPushButton* importButton() const { return m_import; }
    [[nodiscard]] QString summaryText() const;
    [[nodiscard]] QString warningsText() const;

signals:
    void previewReady(bool ok);
    /// `ok` false: nothing was kept; `message` says what happened either way.
    void imported(bool ok, const QString& message);

private:
    struct Preview;
    void invalidate();
    void showPreview(const Preview& p);
    void setBusy(bool busy, const QString& what);

    QString m_location;
    QLineEdit* m_source = nullptr;
    QComboBox* m_format = nullptr;
    QLineEdit* m_group = nullptr;
    QLineEdit* m_sshHost = nullptr;
    QLineEdit* m_sshUser = nullptr;
    QPushButton* m_previewButton = nullptr;
    QLabel* m_summary = nullptr;
    QTableWidget* m_table = nullptr;
    QPlainTextEdit* m_warnings = nullptr;
    QPushButton* m_import = nullptr;
    /// Bumped by every change and request: late results of an older preview
    /// are dropped.
    int m_generation = 0;
    /// The plan the table shows; only it is ever imported.
    std::shared_ptr<const inventory::ImportPlan> m_plan;
};

} // namespace certdeck::ui
