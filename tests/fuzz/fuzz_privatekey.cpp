// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzzes PrivateKey's readers: PEM framing and base64 with line numbers, the
// DER framing check, and OpenSSL's decoders behind them, with a fixed
// passphrase so encrypted seeds reach the decryption path. Seeds in
// corpus/privatekey/ are throwaway keys made for this corpus ("fuzz
// passphrase" where encrypted) and damaged copies of them.
#include "crypto/PrivateKey.h"

#include <QByteArray>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using certdeck::crypto::PrivateKey;
    static const QByteArray passphrase = "fuzz passphrase";
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    static_cast<void>(PrivateKey::isEncrypted(input));
    for (const auto& key : {PrivateKey::fromPem(input, passphrase, QStringLiteral("fuzz.pem")),
                            PrivateKey::fromDer(input, passphrase, QStringLiteral("fuzz.der")),
                            PrivateKey::fromData(input, {}, QStringLiteral("fuzz"))}) {
        if (key) {
            // Whatever was accepted must be usable.
            static_cast<void>(key->description());
            static_cast<void>(key->spkiSha256());
            static_cast<void>(key->toPkcs8Der());
        } else {
            static_cast<void>(key.error().toString());
        }
    }
    return 0;
}
