// SPDX-License-Identifier: GPL-3.0-or-later
#include "AcmePage.h"

#include "AcmeAccountDialog.h"
#include "AcmeOrderDialog.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "services/AcmeAccountStore.h"
#include "ui/common/Background.h"
#include "ui/common/OperationProgress.h"
#include "ui/common/StatusColours.h"
#include "ui/common/StoreTask.h"
#include "ui/common/VaultSession.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace certdeck::ui {

using namespace certdeck::acme;
using inventory::IssuerRecord;

namespace {

enum Column
{
    ColName,
    ColDirectory,
    ColStatus,
    ColContact,
    ColKey,
    ColumnCount
};

} // namespace

AcmePage::AcmePage(QString storePath, QWidget* parent)
    : QWidget(parent)
    , m_storePath(std::move(storePath))
{
    setObjectName(QStringLiteral("acmePage"));
    m_vault = new VaultSession(m_storePath, this, this);
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    auto* buttons = new QHBoxLayout;
    auto button = [&](const QString& text, const QString& name) {
        auto* b = new QPushButton(text, this);
        b->setObjectName(name);
        buttons->addWidget(b);
        return b;
    };
    m_new = button(tr("&New account…"), QStringLiteral("acmeNewAccount"));
    m_order = button(tr("New &order…"), QStringLiteral("acmeNewOrder"));
    m_refresh = button(tr("&Refresh from CA"), QStringLiteral("acmeRefresh"));
    m_rollover = button(tr("Roll over &key"), QStringLiteral("acmeRollover"));
    m_deactivate = button(tr("&Deactivate…"), QStringLiteral("acmeDeactivate"));
    buttons->addStretch(1);
    m_lock = button(tr("&Lock vault"), QStringLiteral("acmeLockVault"));
    m_lock->setToolTip(tr("Forget the master passphrase held for this session"));
    v->addLayout(buttons);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("acmeAccounts"));
    m_table->setHorizontalHeaderLabels(
        {tr("Name"), tr("CA directory"), tr("Status"), tr("Contact"), tr("Account key")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("ACME accounts"));
    v->addWidget(m_table, 1);

    auto* statusRow = new QHBoxLayout;
    m_status = new QLabel(tr("Reading the accounts…"), this);
    m_status->setObjectName(QStringLiteral("acmeStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusRow->addWidget(m_status, 1);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("acmeProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->setVisible(false);
    statusRow->addWidget(m_progress);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("acmeCancel"));
    m_cancel->setVisible(false);
    statusRow->addWidget(m_cancel);
    v->addLayout(statusRow);

    connect(m_new, &QPushButton::clicked, this, [this] { openNewAccountDialog(); });
    connect(m_order, &QPushButton::clicked, this, [this] { openOrderDialog(); });
    connect(m_refresh, &QPushButton::clicked, this, &AcmePage::refreshSelected);
    connect(m_rollover, &QPushButton::clicked, this, &AcmePage::rolloverSelected);
    connect(m_deactivate, &QPushButton::clicked, this, &AcmePage::deactivateSelected);
    connect(m_cancel, &QPushButton::clicked, this, &AcmePage::cancel);
    connect(m_lock, &QPushButton::clicked, this, [this] {
        m_vault->forget();
        m_status->setText(tr("Vault locked: the master passphrase will be asked for again."));
        updateButtons();
    });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &AcmePage::updateButtons);
    connect(m_table, &QTableWidget::itemActivated, this, [this] { openOrderDialog(); });
    updateButtons();
    reload();
}

AcmePage::~AcmePage()
{
    if (m_job) {
        m_job->cancel();
    }
}

QString AcmePage::statusText() const
{
    return m_status->text();
}

void AcmePage::reload(bool keepStatus)
{
    using Listed = Result<QList<IssuerRecord>>;
    runOnStore<QList<IssuerRecord>>(
        this, m_storePath,
        [](inventory::Store& store) -> Listed {
            inventory::KeyVault vault(store);
            return AcmeAccountStore(store, vault).list();
        },
        [this, keepStatus](const Listed& r) {
            if (!r) {
                m_status->setText(tr("Error: cannot read the accounts: %1").arg(r.error().message));
                emit accountsLoaded(false);
                return;
            }
            showAccounts(*r);
            if (!m_job && !keepStatus) {
                m_status->setText(r->isEmpty() ? tr("No ACME account yet: New account… makes one.")
                                               : tr("%n account(s)", nullptr, int(r->size())));
            }
            emit accountsLoaded(true);
        });
}

void AcmePage::showAccounts(const QList<IssuerRecord>& accounts)
{
    const QString keep = !m_selectAfterLoad.isEmpty() ? std::exchange(m_selectAfterLoad, {})
                         : selected() != nullptr      ? selected()->name
                                                      : QString();
    m_accounts = accounts;
    m_table->setRowCount(0);
    for (const IssuerRecord& a : accounts) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        m_table->setItem(row, ColName, new QTableWidgetItem(a.name));
        m_table->setItem(row, ColDirectory, new QTableWidgetItem(a.directoryUrl));
        auto* status = new QTableWidgetItem(a.status.isEmpty() ? tr("unknown") : a.status);
        if (a.status == QLatin1String("valid")) {
            status->setForeground(toneText(Tone::Good, palette()));
        } else if (!a.status.isEmpty()) {
            status->setForeground(toneText(Tone::Bad, palette()));
        }
        m_table->setItem(row, ColStatus, status);
        QStringList contact;
        for (const QString& c : a.contact) {
            contact << (c.startsWith(QLatin1String("mailto:")) ? c.mid(7) : c);
        }
        m_table->setItem(
            row, ColContact,
            new QTableWidgetItem(contact.isEmpty() ? tr("none") : contact.join(tr(", "))));
        auto* key =
            new QTableWidgetItem(QStringLiteral("%1 · %2").arg(a.keyAlgorithm, a.keyThumbprint));
        key->setToolTip(tr("JWS algorithm and RFC 7638 thumbprint of the account key; the key "
                           "itself is sealed in the key vault"));
        m_table->setItem(row, ColKey, key);
        m_table->item(row, ColDirectory)->setToolTip(a.accountUrl);
    }
    m_table->resizeColumnsToContents();
    if (!selectAccount(keep) && !accounts.isEmpty()) {
        m_table->selectRow(0);
    }
    updateButtons();
}

bool AcmePage::selectAccount(const QString& name)
{
    for (int row = 0; row < m_table->rowCount(); ++row) {
        if (m_table->item(row, ColName)->text() == name) {
            m_table->selectRow(row);
            return true;
        }
    }
    return false;
}

const IssuerRecord* AcmePage::selected() const
{
    const QList<QTableWidgetItem*> items = m_table->selectedItems();
    if (items.isEmpty()) {
        return nullptr;
    }
    const int row = items.constFirst()->row();
    return row >= 0 && row < m_accounts.size() ? &m_accounts.at(row) : nullptr;
}

void AcmePage::updateButtons()
{
    const IssuerRecord* a = selected();
    const bool idle = !m_job;
    const bool usable = a != nullptr && a->status != QLatin1String("deactivated") &&
                        a->status != QLatin1String("revoked");
    m_new->setEnabled(idle);
    m_order->setEnabled(idle && usable);
    m_refresh->setEnabled(idle && a != nullptr);
    m_rollover->setEnabled(idle && usable);
    m_deactivate->setEnabled(idle && usable);
    m_lock->setEnabled(m_vault->isHeld());
}

AcmeAccountDialog* AcmePage::openNewAccountDialog()
{
    auto* dialog = new AcmeAccountDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        auto task = dialog->task();
        if (!task) {
            m_status->setText(tr("Error: %1").arg(task.error().message));
            return;
        }
        runTask(*task, tr("Creating the account"));
    });
    dialog->open();
    return dialog;
}

AcmeOrderDialog* AcmePage::openOrderDialog(qint64 endpointId)
{
    const IssuerRecord* a = selected();
    auto* dialog =
        new AcmeOrderDialog(m_storePath, m_vault, m_accounts, a != nullptr ? a->id : 0, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setEndpoint(endpointId);
    connect(dialog, &AcmeOrderDialog::openCertificateRequested, this,
            &AcmePage::openCertificateRequested);
    connect(dialog, &AcmeOrderDialog::certificateStored, this, &AcmePage::certificateIssued);
    dialog->show();
    return dialog;
}

void AcmePage::refreshSelected()
{
    if (const IssuerRecord* a = selected()) {
        AcmeAccountTask t;
        t.action = AcmeAccountTask::Action::Refresh;
        t.accountId = a->id;
        runTask(t, tr("Refreshing %1").arg(a->name));
    }
}

void AcmePage::rolloverSelected()
{
    if (const IssuerRecord* a = selected()) {
        AcmeAccountTask t;
        t.action = AcmeAccountTask::Action::Rollover;
        t.accountId = a->id;
        runTask(t, tr("Rolling over the key of %1").arg(a->name));
    }
}

void AcmePage::deactivateSelected()
{
    const IssuerRecord* a = selected();
    if (a == nullptr) {
        return;
    }
    const qint64 id = a->id;
    const QString name = a->name;
    askToConfirm(tr("Deactivate the ACME account '%1'? The CA will refuse every further "
                    "request from it; this cannot be undone.")
                     .arg(name),
                 [this, id, name] {
                     AcmeAccountTask t;
                     t.action = AcmeAccountTask::Action::Deactivate;
                     t.accountId = id;
                     runTask(t, tr("Deactivating %1").arg(name));
                 });
}

void AcmePage::askToConfirm(const QString& question, std::function<void()> then)
{
    if (m_confirm) {
        if (m_confirm(question)) {
            then();
        }
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Deactivate account"), question,
                                QMessageBox::Cancel, this);
    QPushButton* yes = box->addButton(tr("Deactivate"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    connect(box, &QMessageBox::finished, this, [box, yes, then = std::move(then)](int) {
        if (box->clickedButton() == yes) {
            then();
        }
    });
    box->open();
}

void AcmePage::cancel()
{
    if (m_job) {
        m_status->setText(tr("Cancelling…"));
        m_job->cancel();
    }
}

void AcmePage::runTask(AcmeAccountTask task, const QString& what)
{
    if (m_job) {
        return;
    }
    task.storeLocation = m_storePath;
    m_vault->withPassphrase(
        this, [this, task, what](const QByteArray& passphrase, bool initialize) mutable {
            if (m_job) {
                return;
            }
            task.vaultPassphrase = passphrase;
            task.initVault = initialize;
            m_job = new AcmeAccountJob(std::move(task), this);
            showProgress(*m_job, m_progress, m_status,
                         [what](const QString& step, const QString& message) {
                             return QStringLiteral("%1 — %2: %3").arg(what, step, message);
                         });
            connect(m_job, &Operation::finished, this, [this, what, initialize](const Status&) {
                const Result<IssuerRecord> r = m_job->result();
                m_job->deleteLater();
                m_job = nullptr;
                m_progress->setVisible(false);
                m_cancel->setVisible(false);
                if (r) {
                    if (initialize) {
                        m_vault->markInitialized();
                    }
                    m_status->setText(tr("%1: done — %2 is %3").arg(what, r->name, r->status));
                    m_selectAfterLoad = r->name;
                    reload(true);
                    emit accountActionFinished(true, m_status->text());
                } else {
                    const Error& e = r.error();
                    if (e.code == ErrorCode::Crypto &&
                        e.message.contains(QLatin1String("passphrase"))) {
                        m_vault->forget();
                    }
                    m_status->setText(e.code == ErrorCode::Cancelled
                                          ? tr("%1: cancelled").arg(what)
                                          : tr("Error: %1: %2").arg(what, e.message));
                    m_status->setToolTip(e.detail);
                    emit accountActionFinished(false, e.message);
                }
                updateButtons();
            });
            m_progress->setRange(0, 0);
            m_progress->setVisible(true);
            m_cancel->setVisible(true);
            m_status->setText(tr("%1…").arg(what));
            updateButtons();
            m_job->start();
        });
}

} // namespace certdeck::ui
