// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/CsrSpec.h"
#include "crypto/PrivateKey.h"

#include <QWizard>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace certdeck::ui {

/// "New key and CSR": key type and passphrase, the request's names and
/// usages, then generation off the GUI thread with progress and cancel. The
/// key is written encrypted (PKCS#8, scrypt + AES-256), 0600 in a 0700
/// folder; nothing is overwritten.
class KeyCsrWizard : public QWizard
{
    Q_OBJECT
public:
    explicit KeyCsrWizard(QWidget* parent = nullptr);

    /// Where the files went once generation succeeded.
    [[nodiscard]] QString keyPath() const { return m_keyPath; }
    [[nodiscard]] QString csrPath() const { return m_csrPath; }

    /// The spec the Request page describes (also for tests); the error says
    /// which field is wrong.
    [[nodiscard]] Result<crypto::CsrSpec> spec() const;
    [[nodiscard]] crypto::KeyType keyType() const;

signals:
    /// Generation ended; `ok` false carries the reason shown to the user.
    void generated(bool ok, const QString& message);

private:
    class KeyPage;
    class RequestPage;
    class GeneratePage;
    friend class KeyPage;
    friend class RequestPage;
    friend class GeneratePage;

    void startGeneration();
    void finishGeneration(const Result<crypto::PrivateKey>& key);

    QComboBox* m_keyType = nullptr;
    QLineEdit* m_passphrase = nullptr;
    QLineEdit* m_confirm = nullptr;
    QCheckBox* m_unencrypted = nullptr;
    QLineEdit* m_folder = nullptr;
    QLineEdit* m_cn = nullptr;
    QPlainTextEdit* m_sans = nullptr;
    QLineEdit* m_org = nullptr;
    QCheckBox* m_serverAuth = nullptr;
    QCheckBox* m_clientAuth = nullptr;
    QCheckBox* m_mustStaple = nullptr;
    QComboBox* m_digest = nullptr;
    QLabel* m_requestError = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_cancel = nullptr;
    QPlainTextEdit* m_csrView = nullptr;
    QObject* m_job = nullptr;
    bool m_done = false;
    QString m_keyPath;
    QString m_csrPath;
};

} // namespace certdeck::ui
