// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/inspect/HstsPolicy.h"

#include <QSet>
#include <limits>

namespace certdeck::probe {

namespace {

// RFC 7230 tchar.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

/// A cursor over the header value; every read is bounds-checked.
class Cursor
{
public:
    explicit Cursor(const QByteArray& text)
        : m_text(text)
    {}
    [[nodiscard]] bool atEnd() const { return m_pos >= m_text.size(); }
    [[nodiscard]] char peek() const { return atEnd() ? '\0' : m_text.at(m_pos); }
    void skipSpace()
    {
        while (!atEnd() && isSpace(peek())) {
            ++m_pos;
        }
    }
    QByteArray token()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && isTokenChar(peek())) {
            ++m_pos;
        }
        return m_text.mid(start, m_pos - start);
    }
    /// A quoted-string without its quotes; nullopt when it never ends.
    std::optional<QByteArray> quoted()
    {
        ++m_pos; // the opening quote
        QByteArray out;
        while (!atEnd()) {
            const char c = m_text.at(m_pos++);
            if (c == '"') {
                return out;
            }
            if (c == '\\') {
                if (atEnd()) {
                    return std::nullopt;
                }
                out.append(m_text.at(m_pos++));
                continue;
            }
            out.append(c);
        }
        return std::nullopt;
    }
    void advance() { ++m_pos; }

private:
    const QByteArray& m_text;
    qsizetype m_pos = 0;
};

std::optional<qint64> deltaSeconds(const QByteArray& digits)
{
    if (digits.isEmpty()) {
        return std::nullopt;
    }
    qint64 value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const int d = c - '0';
        if (value > (std::numeric_limits<qint64>::max() - d) / 10) {
            value = std::numeric_limits<qint64>::max();
            continue;
        }
        value = value * 10 + d;
    }
    return value;
}

QString shown(const QByteArray& bytes)
{
    QString s = QString::fromLatin1(bytes.left(40));
    for (QChar& c : s) {
        if (!c.isPrint()) {
            c = u'?';
        }
    }
    return bytes.size() > 40 ? s + QStringLiteral("...") : s;
}

} // namespace

HstsPolicy parseHstsHeader(const QByteArray& value)
{
    HstsPolicy p;
    p.present = true;
    p.raw = QString::fromLatin1(value);
    Cursor cur(value);
    QSet<QByteArray> seen;
    const auto fail = [&p](const QString& why) {
        p.error = why;
        p.maxAge.reset();
        return p;
    };
    for (;;) {
        cur.skipSpace();
        if (cur.atEnd()) {
            break;
        }
        if (cur.peek() == ';') { // empty directive: allowed by the grammar
            cur.advance();
            continue;
        }
        const QByteArray name = cur.token().toLower();
        if (name.isEmpty()) {
            return fail(QStringLiteral("unexpected character '%1' where a directive name "
                                       "should start")
                            .arg(shown(QByteArray(1, cur.peek()))));
        }
        if (seen.contains(name)) {
            return fail(QStringLiteral("directive '%1' appears more than once")
                            .arg(QString::fromLatin1(name)));
        }
        seen.insert(name);
        cur.skipSpace();
        std::optional<QByteArray> val;
        if (cur.peek() == '=') {
            cur.advance();
            cur.skipSpace();
            if (cur.peek() == '"') {
                val = cur.quoted();
                if (!val) {
                    return fail(QStringLiteral("the quoted value of '%1' is not closed")
                                    .arg(QString::fromLatin1(name)));
                }
            } else {
                val = cur.token();
                if (val->isEmpty()) {
                    return fail(
                        QStringLiteral("'%1=' has no value").arg(QString::fromLatin1(name)));
                }
            }
            cur.skipSpace();
        }
        if (!cur.atEnd() && cur.peek() != ';') {
            return fail(QStringLiteral("unexpected character '%1' after directive '%2'")
                            .arg(shown(QByteArray(1, cur.peek())), QString::fromLatin1(name)));
        }
        if (name == "max-age") {
            if (!val) {
                return fail(QStringLiteral("max-age has no value"));
            }
            const auto seconds = deltaSeconds(*val);
            if (!seconds) {
                return fail(
                    QStringLiteral("max-age '%1' is not a number of seconds").arg(shown(*val)));
            }
            p.maxAge = seconds;
        } else if (name == "includesubdomains") {
            p.includeSubDomains = true;
        } else if (name == "preload") {
            p.preload = true;
        }
    }
    if (!p.maxAge) {
        return fail(QStringLiteral("max-age is missing (it is required)"));
    }
    return p;
}

} // namespace certdeck::probe
