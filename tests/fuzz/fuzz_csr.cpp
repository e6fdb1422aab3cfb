// SPDX-License-Identifier: GPL-3.0-or-later
// Csr::fromPem and Csr::fromDer on arbitrary bytes; anything that parses is
// also decoded for display and verified, as the console would.
#include "crypto/Csr.h"

#include <QByteArray>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    for (bool pem : {true, false}) {
        auto csr = pem ? certdeck::crypto::Csr::fromPem(bytes, QStringLiteral("fuzz"))
                       : certdeck::crypto::Csr::fromDer(bytes, QStringLiteral("fuzz"));
        if (!csr) {
            continue;
        }
        (void)csr->verifySignature();
        (void)csr->subject();
        (void)csr->commonName();
        (void)csr->subjectAltNames();
        (void)csr->keyUsage();
        (void)csr->extendedKeyUsage();
        (void)csr->mustStaple();
        (void)csr->requestedExtensions();
        (void)csr->publicKeyDer();
        (void)csr->publicKeyDescription();
        (void)csr->signatureAlgorithm();
        (void)csr->toPem();
    }
    return 0;
}
