// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/AcmeClient.h"

#include <QByteArray>
#include <optional>

namespace certdeck::acme {

/// CRLReason codes an ACME revocation may carry (RFC 5280 5.3.1).
enum class RevocationReason
{
    Unspecified = 0,
    KeyCompromise = 1,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    CertificateHold = 6, ///< CAs usually refuse it for ACME
    PrivilegeWithdrawn = 9,
};

/// "keyCompromise" and so on, as RFC 5280 names them.
[[nodiscard]] QString revocationReasonName(RevocationReason reason);
/// The inverse of revocationReasonName(), case-insensitive, also the number.
[[nodiscard]] std::optional<RevocationReason> revocationReasonFromName(const QString& name);
/// Every name revocationReasonFromName() accepts, in code order.
[[nodiscard]] QStringList revocationReasonNames();

/// Certificate revocation (RFC 8555 7.6).
class AcmeRevocation
{
public:
    /// Revokes `certificateDer` with `reason`. With `byCertificateKey` the
    /// request is signed with the client's key as a bare JWK, which must then
    /// be the certificate's own key (proof without the account); otherwise
    /// the account that ordered it (or holds its names) signs with its kid.
    static void revoke(AcmeClient& client, const QByteArray& certificateDer,
                       std::optional<RevocationReason> reason, bool byCertificateKey,
                       AcmeClient::Done<bool> done);
};

} // namespace certdeck::acme
