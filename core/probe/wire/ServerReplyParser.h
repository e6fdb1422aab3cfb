// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "probe/wire/ServerReply.h"

#include <QByteArrayView>
#include <optional>

namespace certdeck::probe {

/// Bounds-checked parser for the bytes a server sends back after a raw
/// ClientHello. Hand-written for the same reason as ClientHello: it must read
/// answers OpenSSL would refuse to negotiate. Every length is checked against
/// what is there before it is used.
class ServerReplyParser
{
public:
    /// How far to read.
    enum class Goal
    {
        ServerHello, ///< stop at the ServerHello
        /// For TLS 1.0-1.2 with a DHE/ECDHE suite, read on through Certificate
        /// (and CertificateStatus) to ServerKeyExchange and report its group
        /// or prime size.
        KeyExchange,
    };

    /// Replies larger than this are refused (a 200-certificate chain still
    /// fits; an endless stream does not).
    static constexpr qsizetype kMaxReplyBytes = 512 * 1024;

    /// Parses what has arrived so far. nullopt: the reply is incomplete, read
    /// more and call again with all bytes. An Error (ErrorCode::Protocol) for
    /// a reply that can never become valid: an SSLv2 answer, bytes that are
    /// not TLS records (the message says what they look like, e.g. plain
    /// HTTP), an oversized record, a ServerHello whose fields contradict their
    /// lengths; the message names the field and byte offset.
    [[nodiscard]] static Result<std::optional<ServerReply>> parse(QByteArrayView received,
                                                                  Goal goal = Goal::ServerHello);

    /// The random a HelloRetryRequest carries: SHA-256("HelloRetryRequest").
    [[nodiscard]] static QByteArray helloRetryRandom();
};

} // namespace certdeck::probe
