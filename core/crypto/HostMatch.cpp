// SPDX-License-Identifier: GPL-3.0-or-later
#include "HostMatch.h"

#include "crypto/OpenSslError.h"

#include <QHostAddress>
#include <openssl/x509v3.h>

namespace certdeck::crypto {

Result<bool> certificateMatchesName(const Certificate& certificate, const QString& name)
{
    if (certificate.isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No certificate to check"));
    }
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("No name to check the certificate for"));
    }
    const QByteArray n = trimmed.toUtf8();
    const bool isIp = !QHostAddress(trimmed).isNull();
    const int rc = isIp
                       ? X509_check_ip_asc(certificate.handle(), n.constData(), 0)
                       : X509_check_host(certificate.handle(), n.constData(), n.size(), 0, nullptr);
    if (rc == 1) {
        return true;
    }
    if (rc == 0) {
        return false;
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("Cannot check the certificate for '%1'").arg(trimmed),
                ossl::drainErrors());
}

QStringList certificateNames(const Certificate& certificate)
{
    QStringList names = certificate.dnsNames() + certificate.ipAddresses();
    if (names.isEmpty() && !certificate.commonName().isEmpty()) {
        names << certificate.commonName();
    }
    return names;
}

} // namespace certdeck::crypto
