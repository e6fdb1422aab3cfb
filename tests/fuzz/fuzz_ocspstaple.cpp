// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness for the stapled OCSP response checker. The input is
// split at the first 0xFF 0x00 0xFF marker: the staple, then (optionally)
// the served chain as DER certificates joined by the same marker, so the
// fuzzer can reach the matching and signature paths.
#include "probe/inspect/OcspStaple.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace certdeck::probe;
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const QByteArray marker("\xFF\x00\xFF", 3);
    QList<QByteArray> parts;
    qsizetype from = 0;
    for (;;) {
        const qsizetype at = input.indexOf(marker, from);
        if (at < 0) {
            parts << input.mid(from);
            break;
        }
        parts << input.mid(from, at - from);
        from = at + marker.size();
    }
    const QByteArray staple = parts.takeFirst();
    const QDateTime now(QDate(2026, 6, 1), QTime(0, 0), Qt::UTC);
    const StapleInfo s = parseStaple(staple, parts, now);
    if (!s.present || s.der != staple) {
        std::abort();
    }
    if (s.usable() && (!s.signatureValid || !s.status)) {
        std::abort();
    }
    if (!s.status && s.problems.isEmpty()) {
        std::abort(); // no status must say why
    }
    return 0;
}
