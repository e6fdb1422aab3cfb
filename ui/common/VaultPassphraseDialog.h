// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace certdeck::ui {

/// Asks for the key vault's master passphrase, or, for a store whose vault
/// has none yet, for a new one typed twice. The passphrase is read once with
/// takePassphrase() and the fields are cleared.
class VaultPassphraseDialog : public QDialog
{
    Q_OBJECT
public:
    /// `initialize`: the vault has no passphrase yet; set one.
    explicit VaultPassphraseDialog(bool initialize, QWidget* parent = nullptr);
    ~VaultPassphraseDialog() override;

    [[nodiscard]] bool initializes() const { return m_initialize; }
    /// The passphrase typed (UTF-8); clears the fields.
    [[nodiscard]] QByteArray takePassphrase();
    [[nodiscard]] QLineEdit* passphraseEdit() const { return m_pass; }
    [[nodiscard]] QLineEdit* repeatEdit() const { return m_repeat; }

private:
    void check();

    bool m_initialize = false;
    QLineEdit* m_pass = nullptr;
    QLineEdit* m_repeat = nullptr;
    QLabel* m_problem = nullptr;
    QPushButton* m_ok = nullptr;
};

} // namespace certdeck::ui
