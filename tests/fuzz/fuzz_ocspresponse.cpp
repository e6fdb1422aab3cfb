// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness for revocation::checkOcspResponse, the one OCSP response
// check of fetched answers and staples. The input is split at 0xFF 0x00 0xFF
// markers: the response, then optionally the certificate and its issuer
// (DER), then optionally the expected nonce, so the fuzzer reaches the
// matching, nonce and signature paths.
#include "crypto/Certificate.h"
#include "revocation/OcspResponse.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace certdeck;
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
    const auto certAt = [&parts](qsizetype i) {
        if (i >= parts.size()) {
            return crypto::Certificate();
        }
        auto c = crypto::Certificate::fromDer(parts.at(i));
        return c ? *c : crypto::Certificate();
    };
    const crypto::Certificate cert = certAt(1);
    const crypto::Certificate issuer = certAt(2);
    const QByteArray nonce = parts.size() > 3 ? parts.at(3) : QByteArray();
    const QDateTime now(QDate(2026, 6, 1), QTime(0, 0), Qt::UTC);
    const revocation::OcspResponseCheck r =
        revocation::checkOcspResponse(parts.first(), cert, issuer, now, nonce);
    if (r.verified() && (!r.signatureValid || !r.status || !r.matched || issuer.isNull())) {
        std::abort();
    }
    if (r.successful && !r.decoded) {
        std::abort();
    }
    if (!r.verified() && r.problems.isEmpty() && !(r.status && r.signatureValid)) {
        std::abort(); // anything short of verified must say why
    }
    if (r.nonce == revocation::NonceCheck::Mismatch && r.verified()) {
        std::abort();
    }
    return 0;
}
