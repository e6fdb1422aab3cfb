// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/NginxConfigParser.h"

#include <QRegularExpression>

namespace certdeck::inventory {

namespace {

/// Tokenizes one file's text; lines are counted from `firstLine` (the dump's
/// numbering) so every message points into the input the user gave.
class SectionTokenizer
{
public:
    SectionTokenizer(const QByteArray& text, int firstLine, int fileIndex, const QString& origin,
                     const QString& filePath, int headerLine)
        : m_text(text)
        , m_line(firstLine)
        , m_fileIndex(fileIndex)
        , m_origin(origin)
        , m_filePath(filePath)
        , m_headerLine(headerLine)
    {}

    Result<QList<NginxDirective>> run()
    {
        QList<NginxDirective> top;
        QList<NginxDirective> stack; // open blocks, innermost last
        QStringList words;
        int wordsLine = 0;
        auto current = [&]() -> QList<NginxDirective>& {
            return stack.isEmpty() ? top : stack.last().children;
        };
        auto makeDirective = [&](bool block) {
            NginxDirective d;
            d.name = words.first();
            d.args = words.mid(1);
            d.line = wordsLine;
            d.fileLine = wordsLine - m_headerLine;
            d.fileIndex = m_fileIndex;
            d.isBlock = block;
            words.clear();
            return d;
        };
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == '\n') {
                ++m_line;
                ++m_pos;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                ++m_pos;
            } else if (c == '#') {
                while (m_pos < m_text.size() && m_text[m_pos] != '\n') {
                    ++m_pos;
                }
            } else if (c == ';') {
                if (words.isEmpty()) {
                    return failAt(m_line, QStringLiteral("unexpected ';'"));
                }
                current() << makeDirective(false);
                ++m_pos;
            } else if (c == '{') {
                if (words.isEmpty()) {
                    return failAt(m_line, QStringLiteral("unexpected '{'"));
                }
                if (stack.size() >= NginxConfigParser::MaxDepth) {
                    return failAt(m_line, QStringLiteral("blocks nested deeper than %1")
                                              .arg(NginxConfigParser::MaxDepth));
                }
                stack << makeDirective(true);
                ++m_pos;
            } else if (c == '}') {
                if (!words.isEmpty()) {
                    return failAt(m_line, QStringLiteral("directive \"%1\" (line %2) is not "
                                                         "terminated by ';' before '}'")
                                              .arg(words.first())
                                              .arg(wordsLine));
                }
                if (stack.isEmpty()) {
                    return failAt(m_line, QStringLiteral("'}' without a matching '{'"));
                }
                NginxDirective done = stack.takeLast();
                current() << done;
                ++m_pos;
            } else {
                if (words.isEmpty()) {
                    wordsLine = m_line;
                }
                auto word = readWord();
                if (!word) {
                    return tl::unexpected(word.error());
                }
                words << *word;
            }
        }
        // nginx never prints a file it could not parse, so a dump that ends
        // inside a directive or a block was cut off (by a pipe, a copy):
        // refused, rather than imported in part.
        if (!words.isEmpty()) {
            return failAt(wordsLine,
                          QStringLiteral("directive \"%1\" has no ';' before the end of the file: "
                                         "the dump is cut off")
                              .arg(words.first()));
        }
        if (!stack.isEmpty()) {
            const NginxDirective& open = stack.last();
            return failAt(open.line,
                          QStringLiteral("block \"%1\" is not closed before the end of the file: "
                                         "the dump is cut off")
                              .arg(open.name));
        }
        return top;
    }

private:
    QString where(int line) const
    {
        return QStringLiteral("%1 line %2 (%3 line %4)")
            .arg(m_origin)
            .arg(line)
            .arg(m_filePath)
            .arg(line - m_headerLine);
    }

    tl::unexpected<Error> failAt(int line, const QString& what) const
    {
        return fail(ErrorCode::InvalidInput, where(line) + QStringLiteral(": ") + what);
    }

    Result<QString> readWord()
    {
        const char first = m_text[m_pos];
        QByteArray out;
        if (first == '"' || first == '\'') {
            const int startLine = m_line;
            ++m_pos;
            while (true) {
                if (m_pos >= m_text.size()) {
                    return failAt(startLine, QStringLiteral("quoted string is not closed"));
                }
                const char c = m_text[m_pos++];
                if (c == first) {
                    break;
                }
                if (c == '\n') {
                    ++m_line;
                }
                if (c == '\\' && m_pos < m_text.size()) {
                    const char n = m_text[m_pos++];
                    if (n == '\n') {
                        ++m_line;
                    }
                    out += escaped(n, first);
                    continue;
                }
                out += c;
            }
            return QString::fromUtf8(out);
        }
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == ';' ||
                c == '{' || c == '}') {
                break;
            }
            if (c == '\\' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] != '\n') {
                // nginx unescapes only quotes, \\, \t, \r, \n; "\." in a
                // regex stays as written.
                const char n = m_text[m_pos + 1];
                out += n == '\'' ? QByteArray(1, n) : escaped(n, '"');
                m_pos += 2;
                continue;
            }
            // "${name}" is a variable, not a block.
            if (c == '$' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '{') {
                const qsizetype close = m_text.indexOf('}', m_pos);
                const qsizetype eol = m_text.indexOf('\n', m_pos);
                if (close > 0 && (eol < 0 || close < eol)) {
                    out += m_text.mid(m_pos, close - m_pos + 1);
                    m_pos = close + 1;
                    continue;
                }
            }
            out += c;
            ++m_pos;
        }
        return QString::fromUtf8(out);
    }

    static QByteArray escaped(char n, char quote)
    {
        switch (n) {
        case 't':
            return "\t";
        case 'r':
            return "\r";
        case 'n':
            return "\n";
        case '\\':
            return "\\";
        default:
            if (n == quote) {
                return QByteArray(1, n);
            }
            return QByteArray(1, '\\') + n;
        }
    }

    const QByteArray& m_text;
    qsizetype m_pos = 0;
    int m_line;
    int m_fileIndex;
    QString m_origin;
    QString m_filePath;
    int m_headerLine;
};

/// The first line holding a byte no text config has, or 0.
int firstBinaryLine(const QByteArray& data, char* badByte)
{
    int line = 1;
    for (const char c : data) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            ++line;
        } else if (u < 0x20 && c != '\t' && c != '\r' && c != '\f') {
            *badByte = c;
            return line;
        } else if (u == 0x7f) {
            *badByte = c;
            return line;
        }
    }
    return 0;
}

/// nginx's own verdict lines ("nginx: the configuration file ... syntax is ok").
bool isNginxStatusLine(const QByteArray& line)
{
    return line.startsWith("nginx: the configuration file ") ||
           line.startsWith("nginx: configuration file ") || line.startsWith("nginx: [warn] ") ||
           line.startsWith("nginx: [alert] ");
}

} // namespace

Result<NginxDump> NginxConfigParser::parseDump(const QByteArray& dump, const QString& originName)
{
    char bad = 0;
    if (const int binLine = firstBinaryLine(dump, &bad); binLine > 0) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 line %2: binary data (byte 0x%3): this is not `nginx -T` "
                                   "output")
                        .arg(originName)
                        .arg(binLine)
                        .arg(static_cast<unsigned char>(bad), 2, 16, QLatin1Char('0')));
    }

    static const QRegularExpression header(QStringLiteral("^# configuration file (.+):\\s*$"));
    NginxDump result;
    struct Section
    {
        QString path;
        int headerLine = 0;
        qsizetype start = 0;
        qsizetype end = 0;
    };
    QList<Section> sections;
    QByteArray cleaned = dump;
    int line = 0;
    qsizetype pos = 0;
    int strayLines = 0;
    int firstStray = 0;
    while (pos < dump.size()) {
        ++line;
        qsizetype eol = dump.indexOf('\n', pos);
        if (eol < 0) {
            eol = dump.size();
        }
        const QByteArray text = dump.mid(pos, eol - pos);
        if (isNginxStatusLine(text)) {
            // `nginx -T 2>&1` may put its stderr verdict after the dump has
            // begun; blanked so the line numbers stay.
            cleaned.replace(pos, eol - pos, QByteArray(eol - pos, ' '));
        } else if (text.startsWith("# configuration file ")) {
            const auto m = header.match(QString::fromUtf8(text));
            if (m.hasMatch()) {
                if (!sections.isEmpty()) {
                    sections.last().end = pos;
                }
                sections << Section{m.captured(1), line, eol + 1, dump.size()};
            }
        } else if (sections.isEmpty() && !text.trimmed().isEmpty()) {
            if (firstStray == 0) {
                firstStray = line;
            }
            ++strayLines;
        }
        pos = eol + 1;
    }
    if (sections.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: no \"# configuration file PATH:\" line: this is not "
                                   "`nginx -T` output (run `nginx -T` and import what it prints)")
                        .arg(originName));
    }
    if (strayLines > 0) {
        result.warnings << QStringLiteral("%1 line %2: %3 line(s) before the first configuration "
                                          "file ignored")
                               .arg(originName)
                               .arg(firstStray)
                               .arg(strayLines);
    }
    for (qsizetype i = 0; i < sections.size(); ++i) {
        const Section& s = sections[i];
        const QByteArray text = cleaned.mid(s.start, qMax<qsizetype>(0, s.end - s.start));
        SectionTokenizer tokenizer(text, s.headerLine + 1, int(i), originName, s.path,
                                   s.headerLine);
        auto directives = tokenizer.run();
        if (!directives) {
            return tl::unexpected(directives.error());
        }
        result.files << NginxConfigFile{s.path, s.headerLine, std::move(*directives)};
    }
    return result;
}

} // namespace certdeck::inventory
