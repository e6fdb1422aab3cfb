// SPDX-License-Identifier: GPL-3.0-or-later
#include "OperationProgress.h"

#include <QLabel>
#include <QProgressBar>

namespace certdeck::ui {

QString stepAndMessage(const QString& step, const QString& message)
{
    return message.isEmpty() || message == step ? step
                                                : QStringLiteral("%1: %2").arg(step, message);
}

void showProgress(Operation& op, QProgressBar* bar, QLabel* label, ProgressText text)
{
    if (bar != nullptr) {
        QObject::connect(&op, &Operation::progress, bar,
                         [bar](const QString&, double fraction, const QString&) {
                             if (fraction >= 0) {
                                 bar->setRange(0, 100);
                                 bar->setValue(static_cast<int>(std::min(fraction, 1.0) * 100));
                             }
                         });
    }
    if (label != nullptr) {
        QObject::connect(
            &op, &Operation::progress, label,
            [label, text = std::move(text)](const QString& step, double, const QString& message) {
                label->setText(text ? text(step, message) : stepAndMessage(step, message));
            });
    }
}

} // namespace certdeck::ui
