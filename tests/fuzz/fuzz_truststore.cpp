// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzzes the trust-anchor bundle reader (a user's --ca-file, $SSL_CERT_FILE).
#include "crypto/TrustStore.h"

#include <QByteArray>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray pem(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto store = certdeck::crypto::TrustStore::fromPem(pem, QStringLiteral("fuzz"));
    if (store) {
        static_cast<void>(store->anchors().size());
    }
    return 0;
}
