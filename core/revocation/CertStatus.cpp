// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/CertStatus.h"

#include "revocation/internal/RevocationLog.h"

#include <openssl/ocsp.h>

Q_LOGGING_CATEGORY(lcRevocation, "certdeck.revocation", QtWarningMsg)

namespace certdeck::revocation {

QString certStatusName(CertStatus status)
{
    switch (status) {
    case CertStatus::Good:
        return QStringLiteral("good");
    case CertStatus::Revoked:
        return QStringLiteral("revoked");
    case CertStatus::Unknown:
        return QStringLiteral("unknown");
    }
    return {};
}

QString revocationReasonName(int code)
{
    if (code < 0) {
        return {};
    }
    // OCSP and CRLs share the CRLReason codes; 7 is unassigned.
    if (code > OCSP_REVOKED_STATUS_AACOMPROMISE || code == 7) {
        return QStringLiteral("reason %1").arg(code);
    }
    return QString::fromLatin1(OCSP_crl_reason_str(code));
}

QString utcStamp(const QDateTime& t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QStringLiteral(" UTC");
}

} // namespace certdeck::revocation
