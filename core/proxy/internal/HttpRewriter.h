// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "proxy/internal/RelayBuffer.h"

#include <QByteArray>
#include <cstddef>
#include <deque>

namespace certdeck::proxy::internal {

/// HTTP/1.1 mode of a connection: finds each request and response head in
/// the relay buffers, adds X-Forwarded-For/-Proto to requests and
/// Strict-Transport-Security to responses that lack it, and follows the
/// message framing (Content-Length, chunked, until close; HEAD, 1xx, 204 and
/// 304 without a body) so that keep-alive and pipelined messages are all
/// rewritten. Only bytes it has framed are released to the other side.
///
/// Written here because the proxy needs in-place rewriting in its fixed
/// buffers; a packaged HTTP parser would copy each message.
class HttpRewriter
{
public:
    HttpRewriter(QByteArray requestHeaders, QByteArray responseHeaders, std::size_t maxHead);

    enum class Verdict
    {
        Ok,
        NeedMore, ///< a head is incomplete; nothing more can be released yet
        Malformed,
    };

    /// Frames newly arrived bytes of `buf`; *ready is how many bytes from its
    /// head may be sent. Call consumed() after sending some of them.
    Verdict onRequestBytes(RelayBuffer& buf, std::size_t* ready);
    Verdict onResponseBytes(RelayBuffer& buf, std::size_t* ready);
    void requestSent(std::size_t n) { m_request.ready -= n; }
    void responseSent(std::size_t n) { m_response.ready -= n; }
    /// The response runs until the backend closes (no framing given).
    [[nodiscard]] bool responseUntilClose() const { return m_response.state == State::UntilClose; }

private:
    enum class State
    {
        Head,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailer,
        UntilClose,
    };
    struct Direction
    {
        State state = State::Head;
        std::size_t ready = 0;     ///< bytes from the buffer head released
        std::size_t remaining = 0; ///< body or chunk bytes still to release
        QByteArray line;           ///< a chunk-size or trailer line being read
    };
    Verdict frame(Direction& d, RelayBuffer& buf, bool isRequest, std::size_t* ready);
    Verdict onHead(Direction& d, RelayBuffer& buf, std::size_t headLength, bool isRequest);

    QByteArray m_requestHeaders;
    QByteArray m_responseHeaders;
    std::size_t m_maxHead;
    Direction m_request;
    Direction m_response;
    std::deque<bool> m_headRequests; ///< per request not yet answered: was it HEAD
};

} // namespace certdeck::proxy::internal
