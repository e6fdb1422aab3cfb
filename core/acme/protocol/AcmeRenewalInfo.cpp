// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/AcmeRenewalInfo.h"

#include "acme/protocol/Base64Url.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"

#include <QJsonObject>
#include <openssl/x509v3.h>

namespace certdeck::acme {

Result<RenewalInfo> RenewalInfo::parse(const QJsonObject& json, const QString& origin)
{
    const QJsonObject window = json.value(QStringLiteral("suggestedWindow")).toObject();
    RenewalInfo info;
    info.windowStart =
        QDateTime::fromString(window.value(QStringLiteral("start")).toString(), Qt::ISODateWithMs)
            .toUTC();
    info.windowEnd =
        QDateTime::fromString(window.value(QStringLiteral("end")).toString(), Qt::ISODateWithMs)
            .toUTC();
    if (!info.windowStart.isValid() || !info.windowEnd.isValid() ||
        info.windowEnd < info.windowStart) {
        return fail(ErrorCode::Protocol,
                    QStringLiteral("the renewal information from %1 has no valid suggested window")
                        .arg(origin));
    }
    info.explanationUrl = QUrl(json.value(QStringLiteral("explanationURL")).toString());
    return info;
}

Result<QString> AcmeRenewalInfo::certId(const QByteArray& certificateDer)
{
    const auto* p = reinterpret_cast<const unsigned char*>(certificateDer.constData());
    ossl::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(certificateDer.size())));
    if (!x) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("not a DER certificate"),
                    ossl::drainErrors());
    }
    const ASN1_OCTET_STRING* keyId = X509_get0_authority_key_id(x.get());
    if (keyId == nullptr || ASN1_STRING_length(keyId) <= 0) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the certificate has no authority key identifier, so it has "
                                   "no ARI identifier"));
    }
    unsigned char* der = nullptr;
    const int len = i2d_ASN1_INTEGER(X509_get0_serialNumber(x.get()), &der);
    if (len < 3 || der == nullptr) {
        OPENSSL_free(der);
        return fail(ErrorCode::Internal, QStringLiteral("cannot encode the serial number"),
                    ossl::drainErrors());
    }
    // Serials are at most 20 octets: a one-byte tag and a one-byte length.
    const QByteArray serial(reinterpret_cast<const char*>(der) + 2, len - 2);
    OPENSSL_free(der);
    const QByteArray aki(reinterpret_cast<const char*>(ASN1_STRING_get0_data(keyId)),
                         ASN1_STRING_length(keyId));
    return QString::fromLatin1(base64Url(aki) + '.' + base64Url(serial));
}

void AcmeRenewalInfo::fetch(AcmeClient& client, const QByteArray& certificateDer,
                            AcmeClient::Done<RenewalInfo> done)
{
    auto id = certId(certificateDer);
    if (!id) {
        done(tl::unexpected(id.error()));
        return;
    }
    client.directory([&client, id = *id, done](const Result<AcmeDirectory>& dir) {
        if (!dir) {
            done(tl::unexpected(dir.error()));
            return;
        }
        if (dir->renewalInfo.isEmpty()) {
            done(fail(ErrorCode::Unsupported,
                      QStringLiteral("the ACME server at %1 offers no renewal information (ARI)")
                          .arg(client.options().directoryUrl.toString())));
            return;
        }
        QString base = dir->renewalInfo.toString();
        if (!base.endsWith(u'/')) {
            base += u'/';
        }
        const QUrl url(base + id);
        client.get(url, QStringLiteral("reading the renewal information"),
                   [done, url](const Result<AcmeResponse>& r) {
                       if (!r) {
                           done(tl::unexpected(r.error()));
                           return;
                       }
                       auto info = RenewalInfo::parse(r->json, url.toString());
                       if (info) {
                           info->retryAfterSeconds = r->retryAfterSeconds;
                       }
                       done(info);
                   });
    });
}

} // namespace certdeck::acme
