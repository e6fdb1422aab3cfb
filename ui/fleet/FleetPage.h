// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "probe/scan/FleetScanner.h"
#include "probe/scan/ProbeRequest.h"

#include <QDateTime>
#include <QWidget>
#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;

namespace certdeck::ui {

class EndpointDetail;
class FleetModel;
class ImportDialog;

/// Fleet, the console's home: counts by expiry state, a filter (Ctrl+F) and a
/// group filter above a sortable, multi-select table of every endpoint, with
/// add/edit/remove, and beside it the selected endpoint's detail
/// (EndpointDetail; Enter or double-click opens it). Reading and writing the
/// store run off the GUI thread.
class FleetPage : public QWidget
{
    Q_OBJECT
public:
    explicit FleetPage(QString storeLocation, QWidget* parent = nullptr);

    /// Re-reads the fleet from the store; reloaded() tells when done.
    void reload();
    /// Saves a new endpoint (id 0) or an edited one (checked against its
    /// revision); saved() tells the outcome, and a conflict is explained.
    void save(const inventory::Endpoint& endpoint);
    /// Removes endpoints by id, after the confirmation seam agrees.
    void removeEndpoints(const QList<qint64>& ids);
    /// Opens the import dialog (non-modal to the app, modal to the page);
    /// the fleet reloads after a successful import.
    ImportDialog* importDialog();

    /// Seams for tests: a yes/no question, and a message to show.
    using Confirm = std::function<bool(const QString& question)>;
    using Notify = std::function<void(const QString& message)>;
    void setConfirm(Confirm c) { m_confirm = std::move(c); }
    void setNotify(Notify n) { m_notify = std::move(n); }
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }
    /// Days before expiry at which a certificate counts as expiring.
    void setWarnDays(int days) { m_warnDays = days; }

    [[nodiscard]] QString countsText() const;
    [[nodiscard]] QTableView* table() const { return m_table; }
    [[nodiscard]] FleetModel* model() const { return m_model; }
    [[nodiscard]] QSortFilterProxyModel* proxy() const { return m_proxy; }
    [[nodiscard]] QLineEdit* filterEdit() const { return m_filter; }
    [[nodiscard]] QComboBox* groupBox() const { return m_group; }
    [[nodiscard]] EndpointDetail* detail() const { return m_detail; }
    /// Selects the row of endpoint `id` (and so shows its detail); false
    /// when it is not in the table as filtered.
    bool selectEndpoint(qint64 id);
    /// Shows the selected endpoint's detail and moves the focus there (Enter,
    /// double-click).
    void openSelected();
    /// The ids of the selected rows.
    [[nodiscard]] QList<qint64> selectedIds() const;

signals:
    void reloaded(bool ok);
    /// The user asked to probe the selected endpoint (context menu, Ctrl+P).
    void probeRequested(const certdeck::probe::ProbeTarget& target);
    /// Several endpoints were selected for probing: a fleet scan of them.
    void scanRequested(const QList<certdeck::probe::ScanItem>& items);
    void saved(bool ok, const QString& message);
    /// "Open in Certificates" in the endpoint's detail.
    void openCertificateRequested(qint64 certificateId);
    /// "Order with ACME…" in the endpoint's detail.
    void orderRequested(qint64 endpointId);

private:
    void addDialog();
    void editSelected();
    void probeSelected();
    void removeSelected();
    void updateCounts();
    void updateDetail();
    void fail(const QString& message);

    QString m_location;
    Confirm m_confirm;
    Notify m_notify;
    std::function<QDateTime()> m_clock;
    int m_warnDays = 30;
    QLabel* m_counts = nullptr;
    QLabel* m_status = nullptr;
    QLineEdit* m_filter = nullptr;
    QComboBox* m_group = nullptr;
    QTableView* m_table = nullptr;
    FleetModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QSplitter* m_split = nullptr;
    EndpointDetail* m_detail = nullptr;
    /// True while reload() puts the selection back: no detail re-read per row.
    bool m_restoring = false;
};

} // namespace certdeck::ui
