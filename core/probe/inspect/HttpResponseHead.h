// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <utility>

namespace certdeck::probe {

/// The status line and header fields of an HTTP/1.x response.
struct HttpResponseHead
{
    enum class State
    {
        Incomplete, ///< no blank line yet: read more
        Complete,
        Malformed, ///< see error
    };
    State state = State::Incomplete;
    QString statusLine; ///< "HTTP/1.1 200 OK"
    int statusCode = 0;
    /// Field names lower-cased, values trimmed, in received order.
    QList<std::pair<QByteArray, QByteArray>> fields;
    QString error;

    /// The first field named `lowerName`, or a null QByteArray.
    [[nodiscard]] QByteArray field(const QByteArray& lowerName) const;
};

/// Largest head accepted; a server sending more is broken or hostile.
constexpr qsizetype kMaxHttpHeadBytes = 64 * 1024;

/// Parses the head of an HTTP/1.x response from the bytes received so far.
/// Pure function: no I/O, bounded by kMaxHttpHeadBytes.
[[nodiscard]] HttpResponseHead parseHttpResponseHead(const QByteArray& bytes);

} // namespace certdeck::probe
