// SPDX-License-Identifier: GPL-3.0-or-later
#include "BuiltinHighlighter.h"

#include <QColor>
#include <QFont>

namespace certdeck::ui {

namespace {

QTextCharFormat fmt(const QColor& c, bool bold = false, bool italic = false)
{
    QTextCharFormat f;
    f.setForeground(c);
    if (bold) {
        f.setFontWeight(QFont::Bold);
    }
    f.setFontItalic(italic);
    return f;
}

// PEM blocks span lines: state 1 = inside a BEGIN/END block.
constexpr int kInsidePem = 1;

} // namespace

BuiltinHighlighter::BuiltinHighlighter(QTextDocument* document, TextLanguage language, bool dark)
    : QSyntaxHighlighter(document)
    , m_language(language)
{
    const QColor keyword = dark ? QColor(0x82, 0xaa, 0xff) : QColor(0x1a, 0x4f, 0xa0);
    const QColor string = dark ? QColor(0xc3, 0xe8, 0x8d) : QColor(0x2e, 0x7d, 0x32);
    const QColor comment = dark ? QColor(0x90, 0x90, 0x90) : QColor(0x75, 0x75, 0x75);
    const QColor number = dark ? QColor(0xf7, 0x8c, 0x6c) : QColor(0xa6, 0x4b, 0x00);
    const QColor marker = dark ? QColor(0xff, 0xcb, 0x6b) : QColor(0x8e, 0x24, 0xaa);
    m_pemBody = fmt(comment);

    switch (language) {
    case TextLanguage::Pem:
        addRule(QStringLiteral("^-----(BEGIN|END) [A-Z0-9 ]+-----\\s*$"), fmt(marker, true));
        addRule(QStringLiteral("^[A-Za-z-]+:"), fmt(keyword)); // Proc-Type:, DEK-Info:
        break;
    case TextLanguage::OpenSslText:
        addRule(QStringLiteral("^\\s*[A-Za-z0-9 .()/-]+:"), fmt(keyword, true));
        addRule(QStringLiteral("\\bcritical\\b"), fmt(marker, true));
        addRule(QStringLiteral("\\b([0-9a-fA-F]{2}:){3,}[0-9a-fA-F]{2}\\b"), fmt(number));
        addRule(QStringLiteral("(DNS|IP Address|URI|email):[^,\\s]+"), fmt(string));
        break;
    case TextLanguage::Nginx:
    case TextLanguage::Haproxy:
    case TextLanguage::Ini:
    case TextLanguage::Bash:
    case TextLanguage::Yaml:
        addRule(QStringLiteral("^\\s*[A-Za-z_][A-Za-z0-9_.-]*"), fmt(keyword, true));
        if (language == TextLanguage::Haproxy) {
            addRule(QStringLiteral("^(global|defaults|frontend|backend|listen|resolvers|peers)"
                                   "\\b"),
                    fmt(marker, true));
        }
        if (language == TextLanguage::Ini) {
            addRule(QStringLiteral("^\\s*\\[[^\\]]*\\]"), fmt(marker, true));
        }
        addRule(QStringLiteral("\\b\\d+[smhdkKmMgG]?\\b"), fmt(number));
        addRule(QStringLiteral("\"[^\"]*\"|'[^']*'"), fmt(string));
        addRule(QStringLiteral("[{};]"), fmt(marker));
        addRule(QStringLiteral("#.*$"), fmt(comment, false, true));
        break;
    case TextLanguage::Json:
        addRule(QStringLiteral("\"[^\"\\\\]*(\\\\.[^\"\\\\]*)*\"\\s*:"), fmt(keyword));
        addRule(QStringLiteral(":\\s*(\"[^\"\\\\]*(\\\\.[^\"\\\\]*)*\")"), fmt(string), 1);
        addRule(QStringLiteral("\\b(true|false|null)\\b"), fmt(marker));
        addRule(QStringLiteral("-?\\b\\d+(\\.\\d+)?([eE][+-]?\\d+)?\\b"), fmt(number));
        break;
    case TextLanguage::Log:
        addRule(QStringLiteral("\\b(error|failed|fatal|crit)\\b"),
                fmt(QColor(0xc6, 0x28, 0x28), true));
        addRule(QStringLiteral("\\b(warn|warning)\\b"), fmt(number, true));
        addRule(QStringLiteral("^\\S+\\s+\\S+"), fmt(comment));
        break;
    }
}

void BuiltinHighlighter::addRule(const QString& pattern, const QTextCharFormat& format, int group)
{
    m_rules.append(
        {QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption), format, group});
}

void BuiltinHighlighter::highlightBlock(const QString& text)
{
    if (m_language == TextLanguage::Pem) {
        const bool begin = text.startsWith(QLatin1String("-----BEGIN "));
        const bool end = text.startsWith(QLatin1String("-----END "));
        const bool inside = previousBlockState() == kInsidePem;
        if (inside && !end) {
            setFormat(0, static_cast<int>(text.size()), m_pemBody);
        }
        setCurrentBlockState((begin || (inside && !end)) ? kInsidePem : 0);
    }
    for (const Rule& rule : m_rules) {
        auto it = rule.pattern.globalMatch(text);
        while (it.hasNext()) {
            const auto m = it.next();
            setFormat(static_cast<int>(m.capturedStart(rule.group)),
                      static_cast<int>(m.capturedLength(rule.group)), rule.format);
        }
    }
}

} // namespace certdeck::ui
