// SPDX-License-Identifier: GPL-3.0-or-later
#include "FleetPage.h"

#include "EndpointDetail.h"
#include "EndpointDialog.h"
#include "FleetModel.h"
#include "ImportDialog.h"
#include "inventory/FleetView.h"
#include "inventory/Store.h"
#include "ui/common/StoreTask.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace certdeck::ui {

using namespace certdeck::inventory;

namespace {

// Text filter over every shown column, plus an exact group match.
class FleetFilter : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setGroup(const QString& g)
    {
        m_group = g;
        invalidateFilter();
    }
    void setText(const QString& t)
    {
        m_text = t.trimmed();
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override
    {
        const QAbstractItemModel* m = sourceModel();
        if (!m_group.isEmpty() &&
            m->index(row, 0, parent).data(FleetModel::GroupRole).toString() != m_group) {
            return false;
        }
        const QString& needle = m_text;
        if (needle.isEmpty()) {
            return true;
        }
        for (int c = 0; c < m->columnCount(parent); ++c) {
            if (m->index(row, c, parent).data().toString().contains(needle, Qt::CaseInsensitive)) {
                return true;
            }
        }
        return false;
    }

private:
    QString m_group;
    QString m_text;
};

} // namespace

FleetPage::FleetPage(QString storeLocation, QWidget* parent)
    : QWidget(parent)
    , m_location(std::move(storeLocation))
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    setObjectName(QStringLiteral("fleetPage"));
    m_confirm = [this](const QString& q) {
        return QMessageBox::question(this, tr("CertDeck"), q) == QMessageBox::Yes;
    };
    m_notify = [this](const QString& m) {
        QMessageBox::warning(this, tr("CertDeck"), m);
    };

    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    m_counts = new QLabel(tr("Loading the fleet…"), this);
    m_counts->setObjectName(QStringLiteral("fleetCounts"));
    QFont f = m_counts->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.1);
    m_counts->setFont(f);
    v->addWidget(m_counts);

    auto* bar = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("fleetFilter"));
    m_filter->setPlaceholderText(tr("Filter (Ctrl+F): host, group, issuer, status…"));
    m_filter->setClearButtonEnabled(true);
    auto* focusFilter = new QAction(this);
    focusFilter->setShortcut(QKeySequence::Find);
    focusFilter->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(focusFilter, &QAction::triggered, m_filter, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    addAction(focusFilter);
    m_group = new QComboBox(this);
    m_group->setObjectName(QStringLiteral("fleetGroup"));
    m_group->addItem(tr("All groups"));
    auto* add = new QPushButton(tr("&Add…"), this);
    add->setObjectName(QStringLiteral("addEndpoint"));
    auto* edit = new QPushButton(tr("&Edit…"), this);
    auto* remove = new QPushButton(tr("&Remove"), this);
    auto* importButton = new QPushButton(tr("&Import…"), this);
    importButton->setObjectName(QStringLiteral("importEndpoints"));
    importButton->setToolTip(
        tr("Add endpoints from nginx -T output, a host list or CSV, a certbot folder, a folder "
           "of certificates or a CertDeck export, after a preview."));
    auto* refresh = new QPushButton(tr("Re&load"), this);
    refresh->setShortcut(QKeySequence::Refresh);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_group);
    bar->addWidget(add);
    bar->addWidget(edit);
    bar->addWidget(remove);
    bar->addWidget(importButton);
    bar->addWidget(refresh);
    v->addLayout(bar);

    m_model = new FleetModel(this);
    auto* proxy = new FleetFilter(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(FleetModel::SortRole);
    m_proxy = proxy;
    m_split = new QSplitter(Qt::Horizontal, this);
    m_split->setObjectName(QStringLiteral("fleetSplit"));
    m_split->setChildrenCollapsible(false);
    m_table = new QTableView(m_split);
    m_table->setObjectName(QStringLiteral("fleetTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FleetModel::Expires, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_detail = new EndpointDetail(m_location, m_split);
    m_split->addWidget(m_table);
    m_split->addWidget(m_detail);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    // The table keeps the larger part (its columns are what the page is
    // read by); the detail's cards wrap to what is left.
    m_split->setSizes({600, 400});
    v->addWidget(m_split, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("fleetStatus"));
    v->addWidget(m_status);

    connect(m_filter, &QLineEdit::textChanged, proxy, [proxy, this](const QString& t) {
        proxy->setText(t);
        updateCounts();
    });
    connect(m_group, &QComboBox::currentIndexChanged, this, [proxy, this](int i) {
        proxy->setGroup(i <= 0 ? QString() : m_group->itemText(i));
        updateCounts();
    });
    connect(add, &QPushButton::clicked, this, &FleetPage::addDialog);
    connect(edit, &QPushButton::clicked, this, &FleetPage::editSelected);
    connect(remove, &QPushButton::clicked, this, &FleetPage::removeSelected);
    connect(importButton, &QPushButton::clicked, this, &FleetPage::importDialog);
    connect(refresh, &QPushButton::clicked, this, &FleetPage::reload);
    // Enter and double-click open the endpoint; Edit stays on its own action.
    connect(m_table, &QTableView::activated, this, [this] { openSelected(); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (!m_restoring) {
            updateDetail();
        }
    });
    connect(m_detail, &EndpointDetail::attached, this, [this](bool ok) {
        if (ok) {
            reload();
        }
    });
    connect(m_detail, &EndpointDetail::openCertificateRequested, this,
            &FleetPage::openCertificateRequested);
    connect(m_detail, &EndpointDetail::orderRequested, this, &FleetPage::orderRequested);
    auto* probeAction = new QAction(this);
    probeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    probeAction->setShortcutContext(Qt::WidgetShortcut);
    connect(probeAction, &QAction::triggered, this, &FleetPage::probeSelected);
    m_table->addAction(probeAction);
    auto* del = new QAction(this);
    del->setShortcut(QKeySequence::Delete);
    del->setShortcutContext(Qt::WidgetShortcut);
    connect(del, &QAction::triggered, this, &FleetPage::removeSelected);
    m_table->addAction(del);
    connect(m_table, &QTableView::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu menu(this);
        menu.addAction(tr("&Open\tEnter"), this, &FleetPage::openSelected);
        menu.addAction(tr("&Probe\tCtrl+P"), this, &FleetPage::probeSelected);
        menu.addAction(tr("&Edit…"), this, &FleetPage::editSelected);
        menu.addAction(tr("&Remove"), this, &FleetPage::removeSelected);
        menu.addSeparator();
        menu.addAction(tr("&Add…"), this, &FleetPage::addDialog);
        menu.addAction(tr("&Import…"), this, &FleetPage::importDialog);
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });
    reload();
}

void FleetPage::fail(const QString& message)
{
    m_status->setText(tr("ERROR: %1").arg(message));
}

void FleetPage::reload()
{
    m_status->setText(tr("Reading the store…"));
    runOnStore<QList<FleetRow>>(
        this, m_location, [](Store& s) { return loadFleet(s); },
        [this](const Result<QList<FleetRow>>& r) {
            if (!r) {
                fail(r.error().toString());
                m_counts->setText(tr("The fleet could not be read."));
                emit reloaded(false);
                return;
            }
            // The rows are replaced: put the selection back on the same
            // endpoints, and re-read the detail shown (it may have changed).
            const QList<qint64> selected = selectedIds();
            m_restoring = true;
            m_model->setRows(*r, m_clock(), m_warnDays);
            for (qint64 id : selected) {
                const QModelIndexList hit = m_proxy->match(m_proxy->index(0, 0), FleetModel::IdRole,
                                                           id, 1, Qt::MatchExactly);
                if (!hit.isEmpty()) {
                    m_table->selectionModel()->select(hit.first(), QItemSelectionModel::Select |
                                                                       QItemSelectionModel::Rows);
                }
            }
            m_restoring = false;
            updateDetail();
            QSet<QString> groups;
            for (const FleetRow& row : *r) {
                if (!row.endpoint.group.isEmpty()) {
                    groups.insert(row.endpoint.group);
                }
            }
            QStringList sorted(groups.begin(), groups.end());
            sorted.sort(Qt::CaseInsensitive);
            const QString current =
                m_group->currentIndex() > 0 ? m_group->currentText() : QString();
            m_group->blockSignals(true);
            m_group->clear();
            m_group->addItem(tr("All groups"));
            m_group->addItems(sorted);
            m_group->setCurrentIndex(std::max(0, static_cast<int>(sorted.indexOf(current)) + 1));
            m_group->blockSignals(false);
            m_table->resizeColumnsToContents();
            m_status->setText(tr("%n endpoint(s) in %1", nullptr, int(r->size())).arg(m_location));
            updateCounts();
            emit reloaded(true);
        });
}

void FleetPage::updateDetail()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() == 1) {
        m_detail->setWarnDays(m_warnDays);
        m_detail->setClock(m_clock);
        m_detail->showEndpoint(ids.first());
    } else if (ids.isEmpty()) {
        m_detail->showNothing(tr("Select one endpoint to see its certificate, last probe, "
                                 "history and audit entries here."));
    } else {
        m_detail->showNothing(
            tr("%n endpoints selected: select one to see its detail.", nullptr, int(ids.size())));
    }
}

bool FleetPage::selectEndpoint(qint64 id)
{
    const QModelIndexList hit =
        m_proxy->match(m_proxy->index(0, 0), FleetModel::IdRole, id, 1, Qt::MatchExactly);
    if (hit.isEmpty()) {
        return false;
    }
    m_table->selectionModel()->setCurrentIndex(hit.first(), QItemSelectionModel::ClearAndSelect |
                                                                QItemSelectionModel::Rows);
    m_table->scrollTo(hit.first());
    return true;
}

void FleetPage::openSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 1) {
        return;
    }
    // A detail dragged narrow is brought back into view.
    const QList<int> sizes = m_split->sizes();
    if (sizes.size() == 2 && sizes.at(1) < m_split->width() / 4) {
        m_split->setSizes({m_split->width() * 3 / 5, m_split->width() * 2 / 5});
    }
    if (m_detail->endpointId() != ids.first()) {
        m_detail->showEndpoint(ids.first());
    }
    m_detail->tabs()->setFocus();
}

void FleetPage::updateCounts()
{
    int ok = 0, expiring = 0, expired = 0, revoked = 0, none = 0;
    for (int i = 0; i < m_proxy->rowCount(); ++i) {
        const int row = m_proxy->mapToSource(m_proxy->index(i, 0)).row();
        switch (m_model->stateAt(row)) {
        case ExpiryState::Ok:
            ++ok;
            break;
        case ExpiryState::Expiring:
            ++expiring;
            break;
        case ExpiryState::Expired:
            ++expired;
            break;
        case ExpiryState::Revoked:
            ++revoked;
            break;
        case ExpiryState::NoCertificate:
            ++none;
            break;
        }
    }
    QString counts = tr("%1 OK · %2 EXPIRING (< %3 days) · %4 EXPIRED · %5 NO CERTIFICATE")
                         .arg(ok)
                         .arg(expiring)
                         .arg(m_warnDays)
                         .arg(expired)
                         .arg(none);
    // Only when there is one, so the strip stays as it was for most fleets.
    if (revoked > 0) {
        counts += tr(" · %1 REVOKED").arg(revoked);
    }
    m_counts->setText(counts);
}

QString FleetPage::countsText() const
{
    return m_counts->text();
}

QList<qint64> FleetPage::selectedIds() const
{
    QList<qint64> ids;
    for (const QModelIndex& i : m_table->selectionModel()->selectedRows()) {
        ids << i.data(FleetModel::IdRole).toLongLong();
    }
    return ids;
}

void FleetPage::save(const Endpoint& endpoint)
{
    const Endpoint e = endpoint;
    runOnStore<Endpoint>(
        this, m_location,
        [e](Store& s) {
            s.setActor(Store::osUserName());
            return e.id == 0 ? s.endpoints().add(e) : s.endpoints().update(e);
        },
        [this](const Result<Endpoint>& r) {
            if (!r) {
                QString message = r.error().message;
                if (r.error().code == ErrorCode::Conflict) {
                    message +=
                        tr("\n\nThe fleet was reloaded; make your change again on the current "
                           "version.");
                }
                fail(r.error().toString());
                m_notify(message);
                emit saved(false, r.error().message);
                reload();
                return;
            }
            emit saved(true, r->host);
            reload();
        });
}

void FleetPage::removeEndpoints(const QList<qint64>& ids)
{
    if (ids.isEmpty() ||
        !m_confirm(tr("Remove %n endpoint(s) from the inventory? Their history stays in the "
                      "audit log.",
                      nullptr, int(ids.size())))) {
        return;
    }
    runOnStore<int>(
        this, m_location,
        [ids](Store& s) -> Result<int> {
            s.setActor(Store::osUserName());
            // All or nothing: one transaction.
            int n = 0;
            const Status st = s.transaction([&]() -> Status {
                for (qint64 id : ids) {
                    if (auto rm = s.endpoints().remove(id); !rm) {
                        return rm;
                    }
                    ++n;
                }
                return {};
            });
            if (!st) {
                return tl::unexpected(st.error());
            }
            return n;
        },
        [this](const Result<int>& r) {
            if (!r) {
                fail(r.error().toString());
                m_notify(r.error().message);
                emit saved(false, r.error().message);
            } else {
                emit saved(true, tr("%n removed", nullptr, *r));
            }
            reload();
        });
}

void FleetPage::addDialog()
{
    auto* dialog = new EndpointDialog(Endpoint{}, m_location, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { save(dialog->endpoint()); });
    dialog->open();
}

ImportDialog* FleetPage::importDialog()
{
    auto* dialog = new ImportDialog(m_location, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ImportDialog::imported, this, [this](bool ok, const QString& message) {
        if (ok) {
            m_status->setText(message);
            reload();
        }
    });
    dialog->open();
    return dialog;
}

void FleetPage::editSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 1) {
        return;
    }
    for (const FleetRow& r : m_model->rows()) {
        if (r.endpoint.id == ids.first()) {
            auto* dialog = new EndpointDialog(r.endpoint, m_location, this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            connect(dialog, &QDialog::accepted, this, [this, dialog] { save(dialog->endpoint()); });
            dialog->open();
            return;
        }
    }
}

void FleetPage::probeSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.isEmpty()) {
        return;
    }
    QList<probe::ScanItem> items;
    for (const FleetRow& r : m_model->rows()) {
        if (!ids.contains(r.endpoint.id)) {
            continue;
        }
        probe::ScanItem item;
        item.endpointId = r.endpoint.id;
        item.target.host = r.endpoint.host;
        item.target.port = r.endpoint.port;
        item.target.sni = r.endpoint.sniName;
        item.target.address = r.endpoint.addressOverride;
        items << item;
    }
    if (items.size() == 1) {
        emit probeRequested(items.first().target);
    } else if (!items.isEmpty()) {
        emit scanRequested(items);
    }
}

void FleetPage::removeSelected()
{
    removeEndpoints(selectedIds());
}

} // namespace certdeck::ui
