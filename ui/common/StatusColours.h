// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/ChainReport.h"
#include "probe/assess/Findings.h"
#include "probe/assess/ProbeReport.h"
#include "probe/wire/CipherSuite.h"

#include <QColor>
#include <QPalette>

class QTableWidgetItem;

namespace certdeck::ui {

/// What a status means to the eye; every page maps its states to one of
/// these, and only this file turns a tone into a colour.
enum class Tone
{
    Good,    ///< OK, valid, strong
    Caution, ///< expiring, medium, WARNING verdict
    Warning, ///< weak, grade C, a chain warning
    Bad,     ///< CRITICAL, expired, insecure, error
    Info,    ///< informational
    Neutral, ///< not known, not applicable
};

/// Text in `tone`, readable on `palette`'s Base: lighter on a dark palette,
/// darker on a light one, always at a WCAG contrast of at least 4.5:1.
[[nodiscard]] QColor toneText(Tone tone, const QPalette& palette);
/// A cell background in `tone`: the tone blended into Base, faint enough that
/// the palette's Text stays readable on it (at least 4.5:1).
[[nodiscard]] QColor toneBackground(Tone tone, const QPalette& palette);
/// Paints a table cell in `tone`: toneBackground() under the palette's Text.
void paintTone(QTableWidgetItem* item, Tone tone, const QPalette& palette);
/// Takes any tone off a table cell.
void clearTone(QTableWidgetItem* item);

/// WCAG 2 contrast ratio of two colours (1 to 21).
[[nodiscard]] double contrastRatio(const QColor& a, const QColor& b);

[[nodiscard]] Tone toneFor(probe::ProbeVerdict verdict);
[[nodiscard]] Tone toneFor(probe::FindingSeverity severity);
[[nodiscard]] Tone toneFor(probe::SuiteStrength strength);
[[nodiscard]] Tone toneFor(crypto::Severity severity);
/// A, A+, A- good; B caution; C warning; anything else bad.
[[nodiscard]] Tone toneForGrade(const QString& letter);

} // namespace certdeck::ui
