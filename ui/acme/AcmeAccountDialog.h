// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/AcmeAccountJob.h"

#include <QDialog>
#include <QPointer>
#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;

namespace certdeck::acme {
class AcmeClient;
}

namespace certdeck::ui {

/// "New ACME account": the CA's directory URL and the roots trusted for its
/// TLS, a name, the contact, the CA's terms of service (read from its
/// directory and linked) to agree to, and optional external account binding
/// (key ID + MAC key). Reading the directory is asynchronous; nothing here
/// blocks the GUI thread.
class AcmeAccountDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AcmeAccountDialog(QWidget* parent = nullptr);
    ~AcmeAccountDialog() override;

    /// The Create task the fields describe (store location and passphrase
    /// left for the caller); the EAB MAC key is decoded from base64url.
    [[nodiscard]] Result<acme::AcmeAccountTask> task() const;

    [[nodiscard]] QLineEdit* directoryEdit() const { return m_directory; }
    [[nodiscard]] QLineEdit* trustFileEdit() const { return m_trustFile; }
    [[nodiscard]] QLineEdit* nameEdit() const { return m_name; }
    [[nodiscard]] QLineEdit* contactEdit() const { return m_contact; }
    [[nodiscard]] QCheckBox* agreeBox() const { return m_agree; }
    [[nodiscard]] QLineEdit* eabKidEdit() const { return m_eabKid; }
    [[nodiscard]] QLineEdit* eabMacEdit() const { return m_eabMac; }
    [[nodiscard]] QPushButton* createButton() const { return m_create; }
    /// The terms line ("Terms of service: <link>", or why it is unknown).
    [[nodiscard]] QString termsText() const;
    /// Reads the directory now (as typing does after a pause).
    void readDirectory();

signals:
    /// The directory was read (ok) or could not be (the reason is shown).
    void directoryRead(bool ok);

private:
    void check();
    void chooseTrustFile();

    QLineEdit* m_directory = nullptr;
    QLineEdit* m_trustFile = nullptr;
    QLineEdit* m_name = nullptr;
    QLineEdit* m_contact = nullptr;
    QLabel* m_terms = nullptr;
    QCheckBox* m_agree = nullptr;
    QLineEdit* m_eabKid = nullptr;
    QLineEdit* m_eabMac = nullptr;
    QLabel* m_problem = nullptr;
    QPushButton* m_create = nullptr;
    QTimer* m_readDelay = nullptr;
    std::unique_ptr<acme::AcmeClient> m_client;
    bool m_eabRequired = false;
    int m_generation = 0;
};

} // namespace certdeck::ui
