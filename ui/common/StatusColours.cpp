// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatusColours.h"

#include <QTableWidgetItem>
#include <algorithm>
#include <cmath>

namespace certdeck::ui {

namespace {

constexpr double kReadable = 4.5; // WCAG AA for body text

// The hue of each tone, as a light theme shows it; toneText() and
// toneBackground() adapt it to the palette actually in use.
QColor hue(Tone tone)
{
    switch (tone) {
    case Tone::Good:
        return {0x2e, 0x7d, 0x32};
    case Tone::Caution:
        return {0x9a, 0x7b, 0x00};
    case Tone::Warning:
        return {0xc2, 0x5e, 0x00};
    case Tone::Bad:
        return {0xc6, 0x28, 0x28};
    case Tone::Info:
        return {0x15, 0x65, 0xc0};
    case Tone::Neutral:
        break;
    }
    return {0x75, 0x75, 0x75};
}

double channel(double c)
{
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(const QColor& c)
{
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

bool isDark(const QPalette& palette)
{
    return luminance(palette.color(QPalette::Base)) < 0.2;
}

QColor mix(const QColor& over, const QColor& under, double amount)
{
    auto blend = [amount](double a, double b) {
        return a * amount + b * (1.0 - amount);
    };
    return QColor::fromRgbF(static_cast<float>(blend(over.redF(), under.redF())),
                            static_cast<float>(blend(over.greenF(), under.greenF())),
                            static_cast<float>(blend(over.blueF(), under.blueF())));
}

} // namespace

double contrastRatio(const QColor& a, const QColor& b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QColor toneText(Tone tone, const QPalette& palette)
{
    const QColor base = palette.color(QPalette::Base);
    // Towards white on a dark base, towards black on a light one, in small
    // steps, until it reads: the hue stays recognisable.
    const QColor target = isDark(palette) ? QColor(Qt::white) : QColor(Qt::black);
    QColor c = hue(tone);
    if (isDark(palette)) {
        c = mix(target, c, 0.35); // the light-theme hues are too deep on dark
    }
    for (int step = 0; step < 20 && contrastRatio(c, base) < kReadable; ++step) {
        c = mix(target, c, 0.12);
    }
    return c;
}

QColor toneBackground(Tone tone, const QPalette& palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    double amount = isDark(palette) ? 0.45 : 0.3;
    QColor c = mix(hue(tone), base, amount);
    while (amount > 0.05 && contrastRatio(text, c) < kReadable) {
        amount -= 0.05;
        c = mix(hue(tone), base, amount);
    }
    return c;
}

void paintTone(QTableWidgetItem* item, Tone tone, const QPalette& palette)
{
    item->setBackground(toneBackground(tone, palette));
    item->setForeground(palette.color(QPalette::Text));
}

void clearTone(QTableWidgetItem* item)
{
    item->setData(Qt::BackgroundRole, QVariant());
    item->setData(Qt::ForegroundRole, QVariant());
}

Tone toneFor(probe::ProbeVerdict verdict)
{
    switch (verdict) {
    case probe::ProbeVerdict::Ok:
        return Tone::Good;
    case probe::ProbeVerdict::Warning:
        return Tone::Caution;
    case probe::ProbeVerdict::Unknown:
        return Tone::Neutral; // neither good nor bad: not known
    case probe::ProbeVerdict::Critical:
        break;
    }
    return Tone::Bad;
}

Tone toneFor(probe::FindingSeverity severity)
{
    switch (severity) {
    case probe::FindingSeverity::Critical:
        return Tone::Bad;
    case probe::FindingSeverity::Warning:
        return Tone::Caution;
    case probe::FindingSeverity::Info:
        break;
    }
    return Tone::Info;
}

Tone toneFor(probe::SuiteStrength strength)
{
    switch (strength) {
    case probe::SuiteStrength::Insecure:
        return Tone::Bad;
    case probe::SuiteStrength::Weak:
        return Tone::Warning;
    case probe::SuiteStrength::Medium:
        return Tone::Caution;
    case probe::SuiteStrength::Strong:
        return Tone::Good;
    case probe::SuiteStrength::Signaling:
        break;
    }
    return Tone::Neutral;
}

Tone toneFor(crypto::Severity severity)
{
    switch (severity) {
    case crypto::Severity::Ok:
        return Tone::Good;
    case crypto::Severity::Info:
        return Tone::Info;
    case crypto::Severity::Warning:
        return Tone::Warning;
    case crypto::Severity::Error:
        break;
    }
    return Tone::Bad;
}

Tone toneForGrade(const QString& letter)
{
    if (letter.startsWith(u'A')) {
        return Tone::Good;
    }
    if (letter == QLatin1String("B")) {
        return Tone::Caution;
    }
    if (letter == QLatin1String("C")) {
        return Tone::Warning;
    }
    return Tone::Bad;
}

} // namespace certdeck::ui
