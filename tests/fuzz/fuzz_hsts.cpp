// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness for the HTTP response head reader and the
// Strict-Transport-Security parser: whatever a server sends, the parsers end,
// and what they call valid is self-consistent.
#include "probe/inspect/HstsPolicy.h"
#include "probe/inspect/HttpResponseHead.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace certdeck::probe;
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const HstsPolicy p = parseHstsHeader(input);
    if (!p.present || p.valid() == !p.error.isEmpty()) {
        std::abort();
    }
    if (p.valid() && (!p.maxAge || *p.maxAge < 0)) {
        std::abort();
    }
    if (!p.valid() && p.maxAge) {
        std::abort();
    }
    const HttpResponseHead head = parseHttpResponseHead(input);
    if (head.state == HttpResponseHead::State::Complete) {
        if (head.statusCode < 100 || head.statusCode > 999 || !head.error.isEmpty()) {
            std::abort();
        }
        const QByteArray hsts = head.field("strict-transport-security");
        if (!hsts.isNull()) {
            (void)parseHstsHeader(hsts);
        }
    } else if (head.state == HttpResponseHead::State::Malformed && head.error.isEmpty()) {
        std::abort();
    }
    return 0;
}
