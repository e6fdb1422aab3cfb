// SPDX-License-Identifier: GPL-3.0-or-later
#include "VaultPassphraseDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <openssl/crypto.h>

namespace certdeck::ui {

VaultPassphraseDialog::VaultPassphraseDialog(bool initialize, QWidget* parent)
    : QDialog(parent)
    , m_initialize(initialize)
{
    setObjectName(QStringLiteral("vaultPassphraseDialog"));
    setWindowTitle(initialize ? tr("Set the master passphrase") : tr("Unlock the key vault"));
    setMinimumWidth(440);
    auto* v = new QVBoxLayout(this);
    auto* intro = new QLabel(
        initialize ? tr("Private keys in the inventory are encrypted under a master passphrase. "
                        "This store has none yet: choose one. It cannot be recovered if lost.")
                   : tr("The account keys are encrypted in the inventory's key vault. Enter the "
                        "master passphrase to use them."),
        this);
    intro->setWordWrap(true);
    v->addWidget(intro);
    auto* form = new QFormLayout;
    m_pass = new QLineEdit(this);
    m_pass->setObjectName(QStringLiteral("vaultPassphrase"));
    m_pass->setEchoMode(QLineEdit::Password);
    form->addRow(tr("Master &passphrase"), m_pass);
    if (initialize) {
        m_repeat = new QLineEdit(this);
        m_repeat->setObjectName(QStringLiteral("vaultPassphraseRepeat"));
        m_repeat->setEchoMode(QLineEdit::Password);
        form->addRow(tr("&Repeat"), m_repeat);
        connect(m_repeat, &QLineEdit::textChanged, this, &VaultPassphraseDialog::check);
    }
    v->addLayout(form);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("vaultPassphraseProblem"));
    v->addWidget(m_problem);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(initialize ? tr("Set passphrase") : tr("Unlock"));
    v->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_pass, &QLineEdit::textChanged, this, &VaultPassphraseDialog::check);
    check();
}

VaultPassphraseDialog::~VaultPassphraseDialog()
{
    m_pass->clear();
    if (m_repeat != nullptr) {
        m_repeat->clear();
    }
}

void VaultPassphraseDialog::check()
{
    QString problem;
    if (m_pass->text().isEmpty()) {
        problem = tr("Enter the passphrase.");
    } else if (m_repeat != nullptr && m_repeat->text() != m_pass->text()) {
        problem = tr("The two passphrases differ.");
    }
    m_problem->setText(problem);
    m_ok->setEnabled(problem.isEmpty());
}

QByteArray VaultPassphraseDialog::takePassphrase()
{
    QByteArray out = m_pass->text().toUtf8();
    m_pass->clear();
    if (m_repeat != nullptr) {
        m_repeat->clear();
    }
    return out;
}

} // namespace certdeck::ui
