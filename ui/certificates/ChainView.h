// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/ChainReport.h"

#include <QDateTime>
#include <QList>
#include <QWidget>

class QLabel;
class QVBoxLayout;
class QListWidget;
class QGroupBox;

namespace certdeck::ui {

class ChainCard;

/// The chain inspector: a summary line, the chain as built to a trust anchor
/// as linked cards (leaf at the top), and beside it the chain as served
/// whenever the two differ, with what is wrong with the served one.
class ChainView : public QWidget
{
    Q_OBJECT
public:
    explicit ChainView(QWidget* parent = nullptr);

    /// Shows `report`; `now` is the time the verdicts were made for.
    void setReport(const crypto::ChainReport& report, const QDateTime& now);
    void clear();

    [[nodiscard]] QList<ChainCard*> cards() const { return m_cards; }
    [[nodiscard]] QString summaryText() const;
    /// True when the served chain is shown beside the built one.
    [[nodiscard]] bool showsServedChain() const;
    /// The served-chain findings as shown.
    [[nodiscard]] QStringList servedFindingTexts() const;

signals:
    void certificateActivated(const certdeck::crypto::Certificate& certificate);

private:
    QLabel* m_summary = nullptr;
    QVBoxLayout* m_builtLayout = nullptr;
    QGroupBox* m_servedBox = nullptr;
    QListWidget* m_servedList = nullptr;
    QLabel* m_servedFindings = nullptr;
    QList<ChainCard*> m_cards;
    QStringList m_servedFindingTexts;
};

} // namespace certdeck::ui
