// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness for CertificateReader::readBytes (PEM, DER, PKCS#7 and
// PKCS#12 with the fixed passphrase "fuzz", which the seed .p12 files use)
// and for CertificateDetails over every certificate it returns.
#include "crypto/CertificateDetails.h"
#include "crypto/CertificateReader.h"

#include <cstdint>
#include <openssl/err.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace certdeck::crypto;
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto bundle = CertificateReader::readBytes(input, QStringLiteral("fuzz-input"),
                                                     QByteArrayLiteral("fuzz"));
    if (bundle) {
        // A fixed "now" keeps runs reproducible.
        const QDateTime now(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
        for (const Certificate& c : bundle->certificates) {
            const CertificateDetails d = CertificateDetails::decode(c, now);
            static_cast<void>(d.toJson());
        }
    }
    ERR_clear_error();
    return 0;
}
