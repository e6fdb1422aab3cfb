// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzzes what an AIA caIssuers server may answer (DER, PEM or PKCS#7).
#include "crypto/AiaFetcher.h"

#include <QByteArray>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto certs = certdeck::crypto::AiaFetcher::parseResponse(body, QStringLiteral("fuzz"));
    if (certs) {
        for (const auto& c : *certs) {
            static_cast<void>(c.subject());
            static_cast<void>(c.toDer());
        }
    }
    return 0;
}
