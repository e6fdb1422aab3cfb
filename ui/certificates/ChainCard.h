// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/ChainReport.h"

#include <QDateTime>
#include <QFrame>

class QLabel;

namespace certdeck::ui {

/// One link of a chain as a card: its role, its verdict as a word and an
/// icon (the border colour only repeats it), who it is, who issued it, its
/// validity with days left, where it came from, and every finding in plain
/// words.
class ChainCard : public QFrame
{
    Q_OBJECT
public:
    ChainCard(const crypto::ChainLink& link, const QDateTime& now, QWidget* parent = nullptr);

    /// "OK", "WARNING", "ERROR" (or "INFO"): what the admin reads first.
    [[nodiscard]] QString verdictText() const;
    /// The findings as shown, one per line.
    [[nodiscard]] QStringList findingTexts() const;

    /// Word and colour shared by cards, banners and tables.
    [[nodiscard]] static QString severityWord(crypto::Severity s);
    [[nodiscard]] static QColor severityColor(crypto::Severity s);

signals:
    /// The admin asked to see this certificate's fields.
    void activated(const certdeck::crypto::Certificate& certificate);

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    crypto::ChainLink m_link;
    QLabel* m_verdict = nullptr;
    QStringList m_findings;
};

} // namespace certdeck::ui
