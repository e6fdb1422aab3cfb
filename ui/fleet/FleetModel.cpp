// SPDX-License-Identifier: GPL-3.0-or-later
#include "FleetModel.h"

#include "inventory/RecordNames.h"
#include "ui/common/StatusColours.h"

#include <QApplication>
#include <QColor>
#include <QGuiApplication>
#include <QStyle>

namespace certdeck::ui {

using inventory::ExpiryState;

namespace {

QString cnOf(const QString& dn)
{
    for (const QString& part : dn.split(u',')) {
        if (part.startsWith(QLatin1String("CN="))) {
            return part.mid(3);
        }
    }
    return dn;
}

} // namespace

FleetModel::FleetModel(QObject* parent)
    : QAbstractTableModel(parent)
{}

void FleetModel::setRows(QList<inventory::FleetRow> rows, const QDateTime& now, int warnDays)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_now = now;
    m_states.clear();
    m_states.reserve(m_rows.size());
    for (const auto& r : m_rows) {
        m_states << inventory::expiryState(r, now, warnDays);
    }
    endResetModel();
}

ExpiryState FleetModel::stateAt(int row) const
{
    return m_states.at(row);
}

int FleetModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int FleetModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Endpoint:
        return tr("Endpoint");
    case Group:
        return tr("Group");
    case Issuer:
        return tr("Issuer");
    case Expires:
        return tr("Expires (UTC)");
    case Status:
        return tr("Status");
    case LastProbe:
        return tr("Last probe");
    case DeployTarget:
        return tr("Deploy target");
    default:
        return {};
    }
}

QVariant FleetModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return {};
    }
    const inventory::FleetRow& r = m_rows.at(index.row());
    const ExpiryState state = m_states.at(index.row());
    if (role == IdRole) {
        return r.endpoint.id;
    }
    if (role == GroupRole) {
        return r.endpoint.group;
    }
    const qint64 daysLeft = inventory::daysLeft(r, m_now).value_or(0);
    switch (index.column()) {
    case Endpoint:
        if (role == Qt::DisplayRole || role == SortRole) {
            QString s = r.endpoint.host + u':' + QString::number(r.endpoint.port);
            if (!r.endpoint.sniName.isEmpty() && r.endpoint.sniName != r.endpoint.host) {
                s += QStringLiteral(" (SNI %1)").arg(r.endpoint.sniName);
            }
            return s;
        }
        if (role == Qt::ToolTipRole) {
            return r.endpoint.notes;
        }
        break;
    case Group:
        if (role == Qt::DisplayRole || role == SortRole) {
            return r.endpoint.group;
        }
        break;
    case Issuer:
        if (role == Qt::DisplayRole || role == SortRole) {
            return r.certificate ? cnOf(r.certificate->issuer) : QString();
        }
        if (role == Qt::ToolTipRole && r.certificate) {
            return r.certificate->issuer;
        }
        break;
    case Expires:
        if (role == Qt::DisplayRole) {
            if (!r.certificate) {
                return QString();
            }
            const QString date = r.certificate->notAfterUtc.toString(QStringLiteral("yyyy-MM-dd"));
            return daysLeft >= 0 ? tr("%1 (%n day(s) left)", nullptr, int(daysLeft)).arg(date)
                                 : tr("%1 (%n day(s) ago)", nullptr, int(-daysLeft)).arg(date);
        }
        if (role == SortRole) {
            return r.certificate ? QVariant(r.certificate->notAfterUtc.toSecsSinceEpoch())
                                 : QVariant(std::numeric_limits<qint64>::max());
        }
        break;
    case Status:
        if (role == Qt::DisplayRole) {
            return inventory::expiryStateWord(state);
        }
        if (role == SortRole) {
            // Worst first when sorted ascending.
            switch (state) {
            case ExpiryState::Revoked:
            case ExpiryState::Expired:
                return 0;
            case ExpiryState::Expiring:
                return 1;
            case ExpiryState::NoCertificate:
                return 2;
            case ExpiryState::Ok:
                return 3;
            }
        }
        if (role == Qt::ForegroundRole) {
            switch (state) {
            case ExpiryState::Revoked:
            case ExpiryState::Expired:
                return toneText(Tone::Bad, QGuiApplication::palette());
            case ExpiryState::Expiring:
                return toneText(Tone::Caution, QGuiApplication::palette());
            case ExpiryState::Ok:
                return toneText(Tone::Good, QGuiApplication::palette());
            case ExpiryState::NoCertificate:
                return {};
            }
        }
        if (role == Qt::DecorationRole) {
            const QStyle* st = QApplication::style();
            switch (state) {
            case ExpiryState::Revoked:
            case ExpiryState::Expired:
                return st->standardIcon(QStyle::SP_MessageBoxCritical);
            case ExpiryState::Expiring:
                return st->standardIcon(QStyle::SP_MessageBoxWarning);
            case ExpiryState::Ok:
                return st->standardIcon(QStyle::SP_DialogApplyButton);
            case ExpiryState::NoCertificate:
                return st->standardIcon(QStyle::SP_MessageBoxQuestion);
            }
        }
        break;
    case LastProbe:
        if (role == Qt::DisplayRole || role == SortRole) {
            if (!r.lastProbe) {
                return tr("never");
            }
            return QStringLiteral("%1 %2").arg(
                r.lastProbe->status.toUpper(),
                r.lastProbe->atUtc.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
        }
        break;
    case DeployTarget:
        if (role == Qt::DisplayRole || role == SortRole) {
            if (!r.deployTarget) {
                return QString();
            }
            return inventory::deployTargetWhere(*r.deployTarget);
        }
        break;
    default:
        break;
    }
    return {};
}

} // namespace certdeck::ui
