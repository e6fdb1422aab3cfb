// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/AcmeRevocation.h"

#include "acme/protocol/Base64Url.h"

namespace certdeck::acme {

namespace {

struct ReasonName
{
    RevocationReason reason;
    const char* name;
};

constexpr ReasonName kReasons[] = {
    {RevocationReason::Unspecified, "unspecified"},
    {RevocationReason::KeyCompromise, "keyCompromise"},
    {RevocationReason::AffiliationChanged, "affiliationChanged"},
    {RevocationReason::Superseded, "superseded"},
    {RevocationReason::CessationOfOperation, "cessationOfOperation"},
    {RevocationReason::CertificateHold, "certificateHold"},
    {RevocationReason::PrivilegeWithdrawn, "privilegeWithdrawn"},
};

} // namespace

QString revocationReasonName(RevocationReason reason)
{
    for (const ReasonName& r : kReasons) {
        if (r.reason == reason) {
            return QString::fromLatin1(r.name);
        }
    }
    return QString::number(static_cast<int>(reason));
}

std::optional<RevocationReason> revocationReasonFromName(const QString& name)
{
    bool isNumber = false;
    const int n = name.toInt(&isNumber);
    for (const ReasonName& r : kReasons) {
        if ((isNumber && static_cast<int>(r.reason) == n) ||
            name.compare(QLatin1String(r.name), Qt::CaseInsensitive) == 0) {
            return r.reason;
        }
    }
    return std::nullopt;
}

QStringList revocationReasonNames()
{
    QStringList names;
    for (const ReasonName& r : kReasons) {
        names << QString::fromLatin1(r.name);
    }
    return names;
}

void AcmeRevocation::revoke(AcmeClient& client, const QByteArray& certificateDer,
                            std::optional<RevocationReason> reason, bool byCertificateKey,
                            AcmeClient::Done<bool> done)
{
    if (certificateDer.isEmpty()) {
        done(fail(ErrorCode::InvalidInput, QStringLiteral("no certificate to revoke")));
        return;
    }
    client.directory([&client, certificateDer, reason, byCertificateKey,
                      done](const Result<AcmeDirectory>& dir) {
        if (!dir) {
            done(tl::unexpected(dir.error()));
            return;
        }
        if (dir->revokeCert.isEmpty()) {
            done(fail(ErrorCode::Unsupported,
                      QStringLiteral("the ACME server offers no revokeCert resource")));
            return;
        }
        QJsonObject payload{
            {QStringLiteral("certificate"), QString::fromLatin1(base64Url(certificateDer))}};
        QString action = QStringLiteral("revoking the certificate");
        if (reason) {
            payload.insert(QStringLiteral("reason"), static_cast<int>(*reason));
            action += QStringLiteral(" (%1)").arg(revocationReasonName(*reason));
        }
        client.post(
            dir->revokeCert, payload, action,
            [done](const Result<AcmeResponse>& r) {
                if (!r) {
                    done(tl::unexpected(r.error()));
                    return;
                }
                done(true);
            },
            byCertificateKey);
    });
}

} // namespace certdeck::acme
