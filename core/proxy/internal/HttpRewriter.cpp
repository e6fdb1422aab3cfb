// SPDX-License-Identifier: GPL-3.0-or-later
#include "HttpRewriter.h"

#include <QByteArrayView>
#include <algorithm>
#include <string_view>

namespace certdeck::proxy::internal {

namespace {

constexpr std::size_t kMaxChunkLine = 1024;

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t')) {
        v = v.sliced(1);
    }
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t')) {
        v.chop(1);
    }
    return v;
}

} // namespace

HttpRewriter::HttpRewriter(QByteArray requestHeaders, QByteArray responseHeaders,
                           std::size_t maxHead)
    : m_requestHeaders(std::move(requestHeaders))
    , m_responseHeaders(std::move(responseHeaders))
    , m_maxHead(maxHead)
{}

HttpRewriter::Verdict HttpRewriter::onRequestBytes(RelayBuffer& buf, std::size_t* ready)
{
    return frame(m_request, buf, true, ready);
}

HttpRewriter::Verdict HttpRewriter::onResponseBytes(RelayBuffer& buf, std::size_t* ready)
{
    return frame(m_response, buf, false, ready);
}

HttpRewriter::Verdict HttpRewriter::frame(Direction& d, RelayBuffer& buf, bool isRequest,
                                          std::size_t* ready)
{
    Verdict verdict = Verdict::Ok;
    while (d.ready < buf.size()) {
        const char* at = buf.data() + d.ready;
        const std::size_t avail = buf.size() - d.ready;
        if (d.state == State::Head) {
            const std::string_view view(at, avail);
            const std::size_t end = view.find("\r\n\r\n");
            if (end == std::string_view::npos) {
                verdict = avail > m_maxHead ? Verdict::Malformed : Verdict::NeedMore;
                break;
            }
            if (end + 4 > m_maxHead) {
                verdict = Verdict::Malformed;
                break;
            }
            if (onHead(d, buf, end + 4, isRequest) == Verdict::Malformed) {
                verdict = Verdict::Malformed;
                break;
            }
            continue;
        }
        if (d.state == State::UntilClose) {
            d.ready += avail;
            continue;
        }
        if (d.state == State::Body || d.state == State::ChunkData ||
            d.state == State::ChunkDataEnd) {
            const std::size_t n = std::min(avail, d.remaining);
            d.ready += n;
            d.remaining -= n;
            if (d.remaining == 0) {
                if (d.state == State::Body) {
                    d.state = State::Head;
                } else if (d.state == State::ChunkData) {
                    d.state = State::ChunkDataEnd;
                    d.remaining = 2; // the CRLF after the chunk's data
                } else {
                    d.state = State::ChunkSize;
                }
            }
            continue;
        }
        // ChunkSize and Trailer are read line by line, byte by byte.
        const char c = *at;
        d.ready += 1;
        if (c != '\n') {
            if (static_cast<std::size_t>(d.line.size()) >= kMaxChunkLine) {
                verdict = Verdict::Malformed;
                break;
            }
            d.line.append(c);
            continue;
        }
        QByteArrayView line(d.line);
        if (line.endsWith('\r')) {
            line.chop(1);
        }
        if (d.state == State::ChunkSize) {
            const qsizetype semi = line.indexOf(';');
            const QByteArrayView hex = trimmed(semi >= 0 ? line.first(semi) : line);
            bool ok = false;
            const qulonglong size =
                hex.isEmpty() ? 0 : QByteArray(hex.data(), hex.size()).toULongLong(&ok, 16);
            if (!ok) {
                verdict = Verdict::Malformed;
                break;
            }
            if (size == 0) {
                d.state = State::Trailer;
            } else {
                d.state = State::ChunkData;
                d.remaining = static_cast<std::size_t>(size);
            }
        } else if (line.isEmpty()) {
            d.state = State::Head; // end of the trailers: the message is complete
        }
        d.line.clear();
    }
    *ready = d.ready;
    return verdict;
}

HttpRewriter::Verdict HttpRewriter::onHead(Direction& d, RelayBuffer& buf, std::size_t headLength,
                                           bool isRequest)
{
    const QByteArrayView head(buf.data() + d.ready, static_cast<qsizetype>(headLength));
    qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArrayView first = head.first(lineEnd);
    bool isHeadRequest = false;
    int status = 0;
    if (isRequest) {
        const qsizetype sp = first.indexOf(' ');
        if (sp <= 0 || !first.sliced(sp + 1).contains(" HTTP/1.")) {
            return Verdict::Malformed;
        }
        isHeadRequest = first.first(sp) == "HEAD";
    } else {
        if (!first.startsWith("HTTP/1.") || first.size() < 12) {
            return Verdict::Malformed;
        }
        bool ok = false;
        status = QByteArray(first.sliced(9, 3).data(), 3).toInt(&ok);
        if (!ok) {
            return Verdict::Malformed;
        }
    }
    bool chunked = false;
    bool hasHsts = false;
    qint64 contentLength = -1;
    qsizetype pos = lineEnd + 2;
    while (pos < head.size() - 2) {
        const qsizetype end = head.indexOf("\r\n", pos);
        const QByteArrayView line = head.sliced(pos, end - pos);
        pos = end + 2;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            return Verdict::Malformed;
        }
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        if (equalsIgnoreCase(name, "content-length")) {
            bool ok = false;
            const qint64 n = QByteArray(value.data(), value.size()).toLongLong(&ok);
            if (!ok || n < 0 || (contentLength >= 0 && contentLength != n)) {
                return Verdict::Malformed; // RFC 9112 6.3: conflicting lengths are fatal
            }
            contentLength = n;
        } else if (equalsIgnoreCase(name, "transfer-encoding")) {
            chunked = value.endsWith("chunked");
        } else if (equalsIgnoreCase(name, "strict-transport-security")) {
            hasHsts = true;
        }
    }
    if (isRequest) {
        m_headRequests.push_back(isHeadRequest);
    }
    const bool interim = !isRequest && status >= 100 && status < 200;
    const QByteArray& extra =
        isRequest ? m_requestHeaders : ((hasHsts || interim) ? QByteArray() : m_responseHeaders);
    if (!extra.isEmpty() && !buf.insert(d.ready + headLength - 2, extra.constData(),
                                        static_cast<std::size_t>(extra.size()))) {
        return Verdict::Malformed;
    }
    d.ready += headLength + static_cast<std::size_t>(extra.size());

    d.state = State::Head;
    if (interim) {
        if (status == 101) { // an upgrade: both sides are opaque from here
            d.state = State::UntilClose;
            m_request.state = State::UntilClose;
        }
        return Verdict::Ok;
    }
    bool noBody = false;
    if (!isRequest) {
        const bool wasHead = !m_headRequests.empty() && m_headRequests.front();
        if (!m_headRequests.empty()) {
            m_headRequests.pop_front();
        }
        noBody = wasHead || status == 204 || status == 304;
    }
    if (noBody) {
        return Verdict::Ok;
    }
    if (chunked) {
        d.state = State::ChunkSize;
    } else if (contentLength > 0) {
        d.state = State::Body;
        d.remaining = static_cast<std::size_t>(contentLength);
    } else if (contentLength < 0 && !isRequest) {
        d.state = State::UntilClose;
    }
    return Verdict::Ok;
}

} // namespace certdeck::proxy::internal
