// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/AcmeResponse.h"

#include <QLocale>
#include <algorithm>

namespace certdeck::acme {

QList<AcmeLink> AcmeResponse::parseLinks(const QByteArray& headerValue, const QUrl& base)
{
    QList<AcmeLink> out;
    const QByteArray& v = headerValue;
    qsizetype i = 0;
    const qsizetype n = v.size();
    while (i < n) {
        const qsizetype open = v.indexOf('<', i);
        if (open < 0) {
            break;
        }
        const qsizetype close = v.indexOf('>', open + 1);
        if (close < 0) {
            break;
        }
        const QByteArray target = v.mid(open + 1, close - open - 1).trimmed();
        // The parameters run to the next comma outside quotes.
        qsizetype j = close + 1;
        bool quoted = false;
        while (j < n && (quoted || v.at(j) != ',')) {
            if (v.at(j) == '"') {
                quoted = !quoted;
            }
            ++j;
        }
        const QList<QByteArray> params = v.mid(close + 1, j - close - 1).split(';');
        for (const QByteArray& raw : params) {
            const QByteArray p = raw.trimmed();
            const qsizetype eq = p.indexOf('=');
            if (eq < 0 || p.left(eq).trimmed().toLower() != "rel") {
                continue;
            }
            QByteArray value = p.mid(eq + 1).trimmed();
            if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"')) {
                value = value.mid(1, value.size() - 2);
            }
            const QUrl url = base.resolved(QUrl(QString::fromUtf8(target)));
            if (!url.isValid() || target.isEmpty()) {
                break;
            }
            // rel may hold several space-separated relation types.
            for (const QByteArray& rel : value.split(' ')) {
                if (!rel.isEmpty()) {
                    out << AcmeLink{url, QString::fromLatin1(rel.toLower())};
                }
            }
            break;
        }
        i = j + 1;
    }
    return out;
}

std::optional<int> AcmeResponse::parseRetryAfter(const QByteArray& headerValue,
                                                 const QDateTime& now)
{
    const QByteArray v = headerValue.trimmed();
    if (v.isEmpty()) {
        return std::nullopt;
    }
    bool ok = false;
    const qlonglong seconds = v.toLongLong(&ok);
    if (ok) {
        if (seconds < 0) {
            return std::nullopt;
        }
        return static_cast<int>(std::min<qlonglong>(seconds, 365LL * 24 * 3600));
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
    QDateTime when =
        QLocale::c().toDateTime(QString::fromLatin1(v.chopped(v.endsWith(" GMT") ? 4 : 0)),
                                QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"));
    if (!when.isValid()) {
        return std::nullopt;
    }
    when = QDateTime(when.date(), when.time(), Qt::UTC);
    const qint64 delta = now.secsTo(when);
    return static_cast<int>(std::clamp<qint64>(delta, 0, 365LL * 24 * 3600));
}

} // namespace certdeck::acme
