// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness for revocation::Crl::parse and checkCrl. The input is
// split at 0xFF 0x00 0xFF markers: the CRL bytes (DER or PEM), then
// optionally the certificate and its issuer (DER), so the fuzzer reaches the
// signature, time and lookup paths.
#include "crypto/Certificate.h"
#include "revocation/Crl.h"

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
    const auto crl = revocation::Crl::parse(parts.first(), QStringLiteral("fuzz"));
    if (!crl) {
        if (crl.error().message.isEmpty()) {
            std::abort();
        }
        return 0;
    }
    (void)crl->issuer();
    (void)crl->entryCount();
    const auto certAt = [&parts](qsizetype i) {
        if (i >= parts.size()) {
            return crypto::Certificate();
        }
        auto c = crypto::Certificate::fromDer(parts.at(i));
        return c ? *c : crypto::Certificate();
    };
    const QDateTime now(QDate(2026, 6, 1), QTime(0, 0), Qt::UTC);
    const revocation::CrlCheck c = revocation::checkCrl(*crl, certAt(1), certAt(2), now);
    if (c.verified() && !c.signatureValid) {
        std::abort();
    }
    if (!c.status && c.problems.isEmpty()) {
        std::abort(); // no status must say why
    }
    return 0;
}
