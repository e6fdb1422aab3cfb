// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/FleetView.h"

#include <QAbstractTableModel>
#include <QDateTime>

namespace certdeck::ui {

/// The fleet table: one row per endpoint. Status words carry the meaning;
/// colours and icons only repeat them.
class FleetModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Endpoint,
        Group,
        Issuer,
        Expires,
        Status,
        LastProbe,
        DeployTarget,
        ColumnCount
    };
    /// A number to sort by (days left; status severity) where the text would sort wrong.
    static constexpr int SortRole = Qt::UserRole + 1;
    /// The endpoint's id.
    static constexpr int IdRole = Qt::UserRole + 2;
    /// The row's group (for the group filter).
    static constexpr int GroupRole = Qt::UserRole + 3;

    explicit FleetModel(QObject* parent = nullptr);

    void setRows(QList<inventory::FleetRow> rows, const QDateTime& now, int warnDays);
    [[nodiscard]] const QList<inventory::FleetRow>& rows() const { return m_rows; }
    [[nodiscard]] inventory::ExpiryState stateAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<inventory::FleetRow> m_rows;
    QList<inventory::ExpiryState> m_states;
    QDateTime m_now;
};

} // namespace certdeck::ui
