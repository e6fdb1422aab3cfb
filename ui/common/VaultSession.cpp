// SPDX-License-Identifier: GPL-3.0-or-later
#include "VaultSession.h"

#include "Background.h"
#include "StoreTask.h"
#include "VaultPassphraseDialog.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "ui/shell/UiLog.h"

#include <QMessageBox>
#include <openssl/crypto.h>

namespace certdeck::ui {

VaultSession::VaultSession(QString storePath, QWidget* dialogParent, QObject* parent)
    : QObject(parent)
    , m_storePath(std::move(storePath))
    , m_dialogParent(dialogParent)
{}

VaultSession::~VaultSession()
{
    forget();
}

void VaultSession::forget()
{
    if (!m_passphrase.isEmpty()) {
        qCDebug(lcUi) << "vault session: passphrase forgotten";
        OPENSSL_cleanse(m_passphrase.data(), static_cast<size_t>(m_passphrase.size()));
    }
    m_passphrase.clear();
    m_pendingInit = false;
}

void VaultSession::withPassphrase(QObject* context, Then then)
{
    QPointer<QObject> guard(context);
    if (!m_passphrase.isEmpty()) {
        // A passphrase set up in this session is only written by the first
        // job that uses it.
        then(m_passphrase, m_pendingInit);
        return;
    }
    // Dropped with this session; `guard` says whether the asker still cares.
    runOnStore<bool>(
        this, m_storePath,
        [](inventory::Store& store) { return inventory::KeyVault(store).isInitialized(); },
        [this, guard, then = std::move(then)](const Result<bool>& initialized) {
            if (!guard) {
                return;
            }
            if (!initialized) {
                QMessageBox::warning(
                    m_dialogParent, tr("Key vault"),
                    tr("Cannot read the key vault: %1").arg(initialized.error().message));
                return;
            }
            ask(!*initialized, guard, then);
        });
}

void VaultSession::ask(bool initialize, QPointer<QObject> context, Then then)
{
    qCDebug(lcUi) << "vault session: asking for the passphrase; new vault:" << initialize;
    auto answer = [this, initialize, context, then](const QByteArray& passphrase) {
        if (passphrase.isEmpty() || !context) {
            return;
        }
        forget();
        m_passphrase = passphrase;
        m_pendingInit = initialize;
        then(m_passphrase, initialize);
    };
    if (m_prompt) {
        m_prompt(initialize, answer);
        return;
    }
    auto* dialog = new VaultPassphraseDialog(initialize, m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &QDialog::accepted, this, [dialog, answer] {
        QByteArray p = dialog->takePassphrase();
        answer(p);
        if (!p.isEmpty()) {
            OPENSSL_cleanse(p.data(), static_cast<size_t>(p.size()));
        }
    });
    dialog->open();
}

} // namespace certdeck::ui
