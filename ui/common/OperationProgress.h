// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"

#include <QString>
#include <functional>

class QLabel;
class QProgressBar;

namespace certdeck::ui {

/// What a label shows for one progress() report.
using ProgressText = std::function<QString(const QString& step, const QString& message)>;

/// "step: message", or the step alone when the message is empty or the same.
[[nodiscard]] QString stepAndMessage(const QString& step, const QString& message);

/// Shows an Operation's progress while it runs (the console's one way to do
/// it): a fraction sets `bar` to 0..100 at that value, Operation::
/// Indeterminate leaves it as it is (set it busy with setRange(0, 0) before
/// start() when the work may never tell); `label` shows `text(step,
/// message)`, stepAndMessage() by default. Either widget may be null; the
/// connection ends with the operation or the widget.
///
///     m_job = new IssueService(task, this);
///     showProgress(*m_job, m_progress, m_step);
///     connect(m_job, &Operation::finished, this, [this] { done(m_job->result()); });
///     m_job->start();
void showProgress(Operation& op, QProgressBar* bar, QLabel* label, ProgressText text = {});

} // namespace certdeck::ui
