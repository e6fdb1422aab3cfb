// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzzes DNS replies: message decoding (compression, counts, lengths), TXT
// rdata and the TSIG check of an answer.
#include "dns/DnsMessage.h"
#include "dns/Tsig.h"

#include <QByteArray>
#include <cstdint>

using namespace certdeck::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray wire(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    if (const auto m = DnsMessage::decode(wire)) {
        for (const DnsRecord& r : m->answers) {
            static_cast<void>(DnsRecord::txtText(r.rdata));
        }
        static const TsigKey key{QStringLiteral("k"), QByteArray(32, 'a')};
        static_cast<void>(Tsig::verify(wire, key, QByteArray(32, 'm'), 1700000000));
    }
    return 0;
}
