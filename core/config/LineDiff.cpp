// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/LineDiff.h"

#include <QList>
#include <algorithm>
#include <vector>

namespace certdeck::config {

namespace {

struct Line
{
    QString text;
    bool noNewline = false; ///< the text's last line, without '\n' after it

    bool operator==(const Line& o) const { return noNewline == o.noNewline && text == o.text; }
};

QList<Line> splitLines(const QString& text)
{
    QList<Line> lines;
    if (text.isEmpty()) {
        return lines;
    }
    const QStringList parts = text.split(u'\n');
    for (const QString& p : parts) {
        lines.append(Line{p, false});
    }
    if (text.endsWith(u'\n')) {
        lines.removeLast(); // the empty piece after the final '\n'
    } else {
        lines.last().noNewline = true;
    }
    return lines;
}

enum class Op
{
    Keep,
    Remove,
    Add,
};

struct Edit
{
    Op op;
    qsizetype oldIndex; ///< the line's index in `before` (Keep, Remove)
    qsizetype newIndex; ///< the line's index in `after` (Keep, Add)
};

constexpr qsizetype kMaxCells = 4 * 1024 * 1024;

/// The edit script: common head, an LCS alignment of the middle, common tail.
std::vector<Edit> editScript(const QList<Line>& a, const QList<Line>& b)
{
    qsizetype head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head]) {
        ++head;
    }
    qsizetype tail = 0;
    while (tail < a.size() - head && tail < b.size() - head &&
           a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
        ++tail;
    }
    std::vector<Edit> edits;
    for (qsizetype i = 0; i < head; ++i) {
        edits.push_back({Op::Keep, i, i});
    }
    const qsizetype n = a.size() - head - tail;
    const qsizetype m = b.size() - head - tail;
    if (n > 0 && m > 0 && (n + 1) * (m + 1) <= kMaxCells) {
        // lcs[i][j]: length of the LCS of a[head+i..] and b[head+j..].
        std::vector<int> lcs(static_cast<size_t>((n + 1) * (m + 1)), 0);
        const auto at = [m](qsizetype i, qsizetype j) {
            return static_cast<size_t>(i * (m + 1) + j);
        };
        for (qsizetype i = n - 1; i >= 0; --i) {
            for (qsizetype j = m - 1; j >= 0; --j) {
                lcs[at(i, j)] = a[head + i] == b[head + j]
                                    ? lcs[at(i + 1, j + 1)] + 1
                                    : std::max(lcs[at(i + 1, j)], lcs[at(i, j + 1)]);
            }
        }
        qsizetype i = 0;
        qsizetype j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[head + i] == b[head + j]) {
                edits.push_back({Op::Keep, head + i, head + j});
                ++i;
                ++j;
            } else if (j < m && (i == n || lcs[at(i, j + 1)] >= lcs[at(i + 1, j)])) {
                edits.push_back({Op::Add, head + i, head + j});
                ++j;
            } else {
                edits.push_back({Op::Remove, head + i, head + j});
                ++i;
            }
        }
        // Within each run of changes, removals first (as diff(1) shows them).
        auto runStart = edits.begin() + head;
        while (runStart != edits.end()) {
            if (runStart->op == Op::Keep) {
                ++runStart;
                continue;
            }
            auto runEnd =
                std::find_if(runStart, edits.end(), [](const Edit& e) { return e.op == Op::Keep; });
            std::stable_partition(runStart, runEnd,
                                  [](const Edit& e) { return e.op == Op::Remove; });
            runStart = runEnd;
        }
    } else {
        for (qsizetype i = 0; i < n; ++i) {
            edits.push_back({Op::Remove, head + i, head});
        }
        for (qsizetype j = 0; j < m; ++j) {
            edits.push_back({Op::Add, head + n, head + j});
        }
    }
    for (qsizetype k = 0; k < tail; ++k) {
        edits.push_back({Op::Keep, a.size() - tail + k, b.size() - tail + k});
    }
    // Reordering moved lines within runs: number them again in order, so a
    // hunk that starts at any edit knows its place in both texts.
    qsizetype oldAt = 0;
    qsizetype newAt = 0;
    for (Edit& e : edits) {
        e.oldIndex = oldAt;
        e.newIndex = newAt;
        oldAt += e.op != Op::Add ? 1 : 0;
        newAt += e.op != Op::Remove ? 1 : 0;
    }
    return edits;
}

QString range(qsizetype start, qsizetype count)
{
    // diff(1): an empty range names the line before it; a one-line range omits ",1".
    if (count == 0) {
        return QStringLiteral("%1,0").arg(start);
    }
    if (count == 1) {
        return QString::number(start + 1);
    }
    return QStringLiteral("%1,%2").arg(start + 1).arg(count);
}

void appendLine(QString& out, QChar mark, const Line& line)
{
    out += mark;
    out += line.text;
    out += u'\n';
    if (line.noNewline) {
        out += QStringLiteral("\\ No newline at end of file\n");
    }
}

} // namespace

QString unifiedDiff(const QString& before, const QString& after, const QString& beforeLabel,
                    const QString& afterLabel, int context)
{
    const QList<Line> a = splitLines(before);
    const QList<Line> b = splitLines(after);
    const std::vector<Edit> edits = editScript(a, b);
    const qsizetype total = static_cast<qsizetype>(edits.size());
    context = std::max(context, 0);

    QString out;
    qsizetype k = 0;
    while (k < total) {
        // The next change, and the hunk around it: changes closer than
        // 2 * context lines share one hunk.
        while (k < total && edits[size_t(k)].op == Op::Keep) {
            ++k;
        }
        if (k == total) {
            break;
        }
        const qsizetype first = std::max<qsizetype>(0, k - context);
        qsizetype last = k; // last change in the hunk
        qsizetype scan = k;
        while (scan < total) {
            if (edits[size_t(scan)].op != Op::Keep) {
                last = scan;
                ++scan;
                continue;
            }
            qsizetype nextChange = scan;
            while (nextChange < total && edits[size_t(nextChange)].op == Op::Keep) {
                ++nextChange;
            }
            if (nextChange == total || nextChange - last - 1 > 2 * context) {
                break;
            }
            scan = nextChange;
        }
        const qsizetype end = std::min(total, last + 1 + context); // exclusive

        if (out.isEmpty()) {
            out += QStringLiteral("--- %1\n+++ %2\n").arg(beforeLabel, afterLabel);
        }
        qsizetype oldCount = 0;
        qsizetype newCount = 0;
        for (qsizetype e = first; e < end; ++e) {
            const Op op = edits[size_t(e)].op;
            oldCount += op != Op::Add ? 1 : 0;
            newCount += op != Op::Remove ? 1 : 0;
        }
        const Edit& start = edits[size_t(first)];
        out += QStringLiteral("@@ -%1 +%2 @@\n")
                   .arg(range(start.oldIndex, oldCount), range(start.newIndex, newCount));
        for (qsizetype e = first; e < end; ++e) {
            const Edit& ed = edits[size_t(e)];
            switch (ed.op) {
            case Op::Keep:
                appendLine(out, u' ', a[ed.oldIndex]);
                break;
            case Op::Remove:
                appendLine(out, u'-', a[ed.oldIndex]);
                break;
            case Op::Add:
                appendLine(out, u'+', b[ed.newIndex]);
                break;
            }
        }
        k = end;
    }
    return out;
}

} // namespace certdeck::config
