// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "TextHighlighting.h"

#include <QList>
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace certdeck::ui {

/// A rule-based highlighter for what KF6 has no definition for (PEM, HAProxy,
/// OpenSSL text) and the fallback for everything on platforms without KF6.
/// Colours only help reading; they never carry meaning on their own.
class BuiltinHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    BuiltinHighlighter(QTextDocument* document, TextLanguage language, bool dark);

protected:
    void highlightBlock(const QString& text) override;

private:
    struct Rule
    {
        QRegularExpression pattern;
        QTextCharFormat format;
        int group = 0;
    };
    void addRule(const QString& pattern, const QTextCharFormat& format, int group = 0);

    QList<Rule> m_rules;
    TextLanguage m_language;
    QTextCharFormat m_pemBody;
};

} // namespace certdeck::ui
