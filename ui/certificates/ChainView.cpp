// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChainView.h"

#include "ChainCard.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QScrollArea>
#include <QVBoxLayout>

namespace certdeck::ui {

using crypto::Severity;

ChainView::ChainView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("chainView"));
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel(QString(), this);
    m_summary->setObjectName(QStringLiteral("chainSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_summary);

    auto* h = new QHBoxLayout;
    auto* builtBox = new QGroupBox(tr("Chain as built to a trust anchor"), this);
    auto* builtOuter = new QVBoxLayout(builtBox);
    auto* scroll = new QScrollArea(builtBox);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // Cards wrap their text to the column instead of scrolling sideways.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* inner = new QWidget(scroll);
    m_builtLayout = new QVBoxLayout(inner);
    m_builtLayout->addStretch(1);
    scroll->setWidget(inner);
    builtOuter->addWidget(scroll);
    h->addWidget(builtBox, 3);

    m_servedBox = new QGroupBox(tr("Chain as served"), this);
    m_servedBox->setObjectName(QStringLiteral("servedChain"));
    auto* sv = new QVBoxLayout(m_servedBox);
    m_servedList = new QListWidget(m_servedBox);
    m_servedList->setMaximumHeight(120);
    sv->addWidget(m_servedList);
    m_servedFindings = new QLabel(m_servedBox);
    m_servedFindings->setWordWrap(true);
    m_servedFindings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    sv->addWidget(m_servedFindings);
    sv->addStretch(1);
    h->addWidget(m_servedBox, 2);
    m_servedBox->hide();
    v->addLayout(h, 1);
}

void ChainView::clear()
{
    for (ChainCard* c : m_cards) {
        c->deleteLater();
    }
    m_cards.clear();
    // Remove the connectors between cards, keep the final stretch.
    while (m_builtLayout->count() > 1) {
        QLayoutItem* item = m_builtLayout->takeAt(0);
        if (item->widget() != nullptr) {
            item->widget()->deleteLater();
        }
        delete item;
    }
    // Nothing of the previous chain stays, its verdict line included.
    m_summary->clear();
    m_summary->setStyleSheet(QString());
    m_servedList->clear();
    m_servedFindingTexts.clear();
    m_servedFindings->clear();
    m_servedBox->hide();
}

void ChainView::setReport(const crypto::ChainReport& report, const QDateTime& now)
{
    clear();
    const Severity verdict = report.verdict();
    const QColor color = ChainCard::severityColor(verdict);
    QString summary = ChainCard::severityWord(verdict) + QStringLiteral(" — ") + report.summary;
    if (!report.hostname.isEmpty()) {
        summary += tr(" (checked for %1)").arg(report.hostname);
    }
    m_summary->setText(summary);
    m_summary->setStyleSheet(
        QStringLiteral("font-weight: bold; padding: 6px; border-left: 6px solid %1;")
            .arg(color.name()));

    int insertAt = 0;
    for (qsizetype i = 0; i < report.built.size(); ++i) {
        if (i > 0) {
            auto* arrow = new QLabel(tr("▲ issued by ▼"), this);
            arrow->setAlignment(Qt::AlignCenter);
            arrow->setObjectName(QStringLiteral("connector"));
            m_builtLayout->insertWidget(insertAt++, arrow);
        }
        auto* card = new ChainCard(report.built.at(i), now, this);
        connect(card, &ChainCard::activated, this, &ChainView::certificateActivated);
        m_builtLayout->insertWidget(insertAt++, card);
        m_cards << card;
    }

    // The served chain is worth showing when it is not simply the built
    // chain's prefix, or when something is wrong with it.
    bool differs = !report.servedFindings.isEmpty() || report.served.size() > report.built.size();
    for (qsizetype i = 0; !differs && i < report.served.size(); ++i) {
        differs = !(report.served.at(i) == report.built.at(i).certificate);
    }
    if (!differs) {
        return;
    }
    for (qsizetype i = 0; i < report.served.size(); ++i) {
        const crypto::Certificate& c = report.served.at(i);
        const QString cn = c.commonName().isEmpty() ? c.subject() : c.commonName();
        m_servedList->addItem(QStringLiteral("#%1  %2").arg(i + 1).arg(cn));
    }
    for (const crypto::ServedFinding& f : report.servedFindings) {
        m_servedFindingTexts << ChainCard::severityWord(f.severity) + QStringLiteral(": ") +
                                    f.message;
    }
    m_servedFindings->setText(m_servedFindingTexts.join(u'\n'));
    m_servedBox->show();
}

QString ChainView::summaryText() const
{
    return m_summary->text();
}

bool ChainView::showsServedChain() const
{
    return !m_servedBox->isHidden();
}

QStringList ChainView::servedFindingTexts() const
{
    return m_servedFindingTexts;
}

} // namespace certdeck::ui
