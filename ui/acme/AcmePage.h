// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "services/AcmeAccountJob.h"

#include <QPointer>
#include <QWidget>
#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace certdeck::crypto {
class Certificate;
}

namespace certdeck::ui {

class AcmeAccountDialog;
class AcmeOrderDialog;
class VaultSession;

/// ACME: the accounts kept in the inventory (name, CA directory, status,
/// contact, key algorithm and thumbprint), New account…, Refresh, Roll over
/// key, Deactivate… (confirmed), Lock vault, and New order…, which opens the
/// live order dialog. Every account action is an AcmeAccountJob off the GUI
/// thread with progress and Cancel; the master passphrase is asked for once
/// per session (VaultSession).
class AcmePage : public QWidget
{
    Q_OBJECT
public:
    explicit AcmePage(QString storePath, QWidget* parent = nullptr);
    ~AcmePage() override;

    /// Re-reads the accounts from the inventory (off the GUI thread);
    /// `keepStatus` leaves the status line (an action's outcome) as it is.
    void reload(bool keepStatus = false);
    /// Opens "New ACME account" (window-modal); the page runs it when accepted.
    AcmeAccountDialog* openNewAccountDialog();
    /// Opens "New order" for the selected account, for endpoint
    /// `endpointId` (0: the admin may pick one in the dialog).
    AcmeOrderDialog* openOrderDialog(qint64 endpointId = 0);
    /// Account actions on the selected row.
    void refreshSelected();
    void rolloverSelected();
    void deactivateSelected();
    void cancel();

    [[nodiscard]] QTableWidget* accountsTable() const { return m_table; }
    [[nodiscard]] VaultSession* vaultSession() const { return m_vault; }
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] bool isRunning() const { return m_job != nullptr; }
    [[nodiscard]] const QList<inventory::IssuerRecord>& accounts() const { return m_accounts; }
    /// Selects the account row named `name`; false if there is none.
    bool selectAccount(const QString& name);
    /// Tests answer "Deactivate?" here instead of a message box.
    void setConfirm(std::function<bool(const QString& question)> confirm)
    {
        m_confirm = std::move(confirm);
    }

signals:
    /// The accounts were read (ok) or not.
    void accountsLoaded(bool ok);
    /// An account action ended: ok, or the error's message.
    void accountActionFinished(bool ok, const QString& message);
    /// An order stored certificate `certificateId`, attached to `endpointId`
    /// unless that is 0 (the Fleet re-reads).
    void certificateIssued(qint64 certificateId, qint64 endpointId);
    /// "Open in Certificates" in an order dialog.
    void openCertificateRequested(const certdeck::crypto::Certificate& leaf);

private:
    void runTask(acme::AcmeAccountTask task, const QString& what);
    void showAccounts(const QList<inventory::IssuerRecord>& accounts);
    void updateButtons();
    [[nodiscard]] const inventory::IssuerRecord* selected() const;
    void askToConfirm(const QString& question, std::function<void()> then);

    QString m_storePath;
    VaultSession* m_vault = nullptr;
    QTableWidget* m_table = nullptr;
    QPushButton* m_new = nullptr;
    QPushButton* m_order = nullptr;
    QPushButton* m_refresh = nullptr;
    QPushButton* m_rollover = nullptr;
    QPushButton* m_deactivate = nullptr;
    QPushButton* m_lock = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QList<inventory::IssuerRecord> m_accounts;
    QString m_selectAfterLoad; ///< the account an action just changed
    QPointer<acme::AcmeAccountJob> m_job;
    std::function<bool(const QString&)> m_confirm;
};

} // namespace certdeck::ui
