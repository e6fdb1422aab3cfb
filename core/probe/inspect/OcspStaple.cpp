// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/inspect/OcspStaple.h"

#include "crypto/Certificate.h"
#include "revocation/OcspResponse.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace certdeck::probe {

namespace {

crypto::Certificate decodeCert(const QByteArray& der)
{
    auto c = crypto::Certificate::fromDer(der);
    return c ? *c : crypto::Certificate();
}

} // namespace

QString stapleStatusName(StapleStatus status)
{
    switch (status) {
    case StapleStatus::Good:
        return QStringLiteral("good");
    case StapleStatus::Revoked:
        return QStringLiteral("revoked");
    case StapleStatus::Unknown:
        return QStringLiteral("unknown");
    }
    return {};
}

StapleInfo parseStaple(const QByteArray& der, const QList<QByteArray>& chain, const QDateTime& now)
{
    StapleInfo s;
    s.requested = true;
    s.present = true;
    s.der = der;
    const crypto::Certificate leaf =
        chain.isEmpty() ? crypto::Certificate() : decodeCert(chain.first());
    crypto::Certificate issuer;
    for (qsizetype i = 1; i < chain.size() && issuer.isNull() && !leaf.isNull(); ++i) {
        const crypto::Certificate candidate = decodeCert(chain.at(i));
        if (!candidate.isNull() &&
            X509_check_issued(candidate.handle(), leaf.handle()) == X509_V_OK) {
            issuer = candidate;
        }
    }
    ERR_clear_error();
    // One verification for staples and fetched responses (core/revocation).
    const revocation::OcspResponseCheck c = revocation::checkOcspResponse(der, leaf, issuer, now);
    if (c.status) {
        switch (*c.status) {
        case revocation::CertStatus::Good:
            s.status = StapleStatus::Good;
            break;
        case revocation::CertStatus::Revoked:
            s.status = StapleStatus::Revoked;
            break;
        case revocation::CertStatus::Unknown:
            s.status = StapleStatus::Unknown;
            s.problems << QStringLiteral("the responder does not know the certificate (status "
                                         "unknown)");
            break;
        }
    }
    s.thisUpdate = c.thisUpdate;
    s.nextUpdate = c.nextUpdate;
    s.revocationTime = c.revocationTime;
    s.revocationReason = c.revocationReason;
    s.signatureValid = c.signatureValid;
    s.responder = c.responder;
    for (const QString& p : c.problems) {
        // Said of what the server served.
        if (c.successful && !c.matched &&
            p.startsWith(QLatin1String("the response has no status"))) {
            s.problems << (leaf.isNull() ? QStringLiteral("no served certificate to match the "
                                                          "response against")
                                         : QStringLiteral("the response has no status for the "
                                                          "served certificate"));
        } else if (p.startsWith(QLatin1String("no certificate to match"))) {
            s.problems << QStringLiteral("no served certificate to match the response against");
        } else if (p.startsWith(QLatin1String("the issuer of the certificate is not known"))) {
            s.problems << QStringLiteral("the issuer of the certificate is not served, so the "
                                         "signature cannot be checked");
        } else {
            s.problems << p;
        }
    }
    return s;
}

} // namespace certdeck::probe
