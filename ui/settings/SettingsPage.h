// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/Store.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace certdeck::ui {

/// Settings: where the inventory store is and whether it is healthy, and
/// where private keys are kept: the vault and keyring, keys counted, unused
/// ones named.
class SettingsPage : public QWidget
{
    Q_OBJECT
public:
    explicit SettingsPage(QString storePath, QWidget* parent = nullptr);

    /// Shows what opening the store found (called when the background open ends).
    void setStoreInfo(const Result<inventory::StoreInfo>& info);

    /// Starts the integrity check off the GUI thread.
    void checkIntegrity();
    /// Looks (off the GUI thread) at where private keys can be kept: the
    /// passphrase vault of the store and the OS keyring.
    void checkKeyProtection();

signals:
    void integrityChecked(bool ok, const QString& report);
    void keyProtectionChecked();

protected:
    /// The vault and the keyring change behind the page (a passphrase set
    /// from a dialog, keys stored by an order, another process): shown again,
    /// the page looks again rather than show what it saw at start.
    void showEvent(QShowEvent* event) override;

private:
    /// The keys nothing uses, named (or why they could not be read).
    void showUnusedKeys(const QList<inventory::KeyRecord>& unused, const QString& error);

    QString m_storePath;
    bool m_shownOnce = false;
    QLabel* m_backend = nullptr;
    QLabel* m_location = nullptr;
    QLabel* m_schema = nullptr;
    QLabel* m_journal = nullptr;
    QLabel* m_integrity = nullptr;
    QPushButton* m_checkButton = nullptr;
    QLabel* m_vault = nullptr;
    QLabel* m_keyring = nullptr;
    QLabel* m_unusedKeys = nullptr;
};

} // namespace certdeck::ui
