// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/inspect/HttpResponseHead.h"

namespace certdeck::probe {

QByteArray HttpResponseHead::field(const QByteArray& lowerName) const
{
    for (const auto& [name, value] : fields) {
        if (name == lowerName) {
            return value;
        }
    }
    return {};
}

HttpResponseHead parseHttpResponseHead(const QByteArray& bytes)
{
    HttpResponseHead head;
    qsizetype end = bytes.indexOf("\r\n\r\n");
    if (const qsizetype bare = bytes.indexOf("\n\n"); bare >= 0 && (end < 0 || bare < end)) {
        end = bare; // tolerated, as browsers do
    }
    if (end < 0) {
        if (bytes.size() > kMaxHttpHeadBytes) {
            head.state = HttpResponseHead::State::Malformed;
            head.error =
                QStringLiteral("the response head is longer than %1 bytes").arg(kMaxHttpHeadBytes);
        } else if (!bytes.isEmpty() && !bytes.startsWith(QByteArray("HTTP/").left(bytes.size()))) {
            head.state = HttpResponseHead::State::Malformed;
            head.error = QStringLiteral("the answer does not start with an HTTP status line");
        }
        return head;
    }
    if (end > kMaxHttpHeadBytes) {
        head.state = HttpResponseHead::State::Malformed;
        head.error =
            QStringLiteral("the response head is longer than %1 bytes").arg(kMaxHttpHeadBytes);
        return head;
    }
    const QList<QByteArray> lines = bytes.left(end).split('\n');
    const auto chomp = [](QByteArray line) {
        if (line.endsWith('\r')) {
            line.chop(1);
        }
        return line;
    };
    const QByteArray status = chomp(lines.value(0));
    // "HTTP/1.1 200 OK": version, a space, three digits.
    if (!status.startsWith("HTTP/") || status.size() < 12 || status.at(8) != ' ') {
        head.state = HttpResponseHead::State::Malformed;
        head.error = QStringLiteral("the answer does not start with an HTTP status line");
        return head;
    }
    bool ok = false;
    const int code = status.mid(9, 3).toInt(&ok);
    if (!ok || code < 100 || code > 999) {
        head.state = HttpResponseHead::State::Malformed;
        head.error = QStringLiteral("the status line has no status code");
        return head;
    }
    head.statusLine = QString::fromLatin1(status);
    head.statusCode = code;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = chomp(lines.at(i));
        if (line.isEmpty()) {
            continue;
        }
        if (line.startsWith(' ') || line.startsWith('\t')) {
            if (head.fields.isEmpty()) {
                continue;
            }
            // Obsolete line folding (RFC 7230 3.2.4): part of the previous value.
            head.fields.last().second += ' ' + line.trimmed();
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            head.state = HttpResponseHead::State::Malformed;
            head.error = QStringLiteral("header line %1 has no field name").arg(i + 1);
            return head;
        }
        head.fields.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    head.state = HttpResponseHead::State::Complete;
    return head;
}

} // namespace certdeck::probe
