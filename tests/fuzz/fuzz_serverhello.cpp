// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness for ServerReplyParser: whatever a server sends, the parser
// returns a reply, "need more bytes" or an error with a message, never reads
// out of bounds, and a reply re-parses identically from the bytes it used.
#include "probe/wire/ServerReplyParser.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace certdeck::probe;
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    for (auto goal : {ServerReplyParser::Goal::ServerHello, ServerReplyParser::Goal::KeyExchange}) {
        const auto reply = ServerReplyParser::parse(input, goal);
        if (!reply) {
            if (reply.error().message.isEmpty()) {
                std::abort();
            }
            continue;
        }
        if (!*reply) {
            continue; // incomplete
        }
        const ServerReply& r = **reply;
        if (r.consumed <= 0 || r.consumed > input.size()) {
            std::abort();
        }
        const auto again = ServerReplyParser::parse(input.first(r.consumed), goal);
        if (!again || !*again || (*again)->kind != r.kind ||
            (*again)->hello.cipherSuite != r.hello.cipherSuite ||
            (*again)->hello.version != r.hello.version ||
            (*again)->alert.description != r.alert.description) {
            std::abort();
        }
        if (r.kind == ServerReply::Kind::Hello && r.hello.random.size() != 32) {
            std::abort();
        }
    }
    return 0;
}
