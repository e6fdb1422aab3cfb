// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QStringList>
#include <QUrl>

namespace certdeck::acme {

/// An ACME server's directory (RFC 8555 7.1.1): where each resource lives and
/// the server's terms.
struct AcmeDirectory
{
    QUrl newNonce;
    QUrl newAccount;
    QUrl newOrder;
    QUrl revokeCert;
    QUrl keyChange;
    QUrl newAuthz;    ///< optional (pre-authorization); Pebble has none
    QUrl renewalInfo; ///< ARI (RFC 9773), empty when the server has none
    QUrl termsOfService;
    QUrl website;
    QStringList caaIdentities;
    bool externalAccountRequired = false;

    /// Parses the directory JSON; newNonce, newAccount and newOrder are
    /// required and must be https URLs. `origin` (the directory URL) names
    /// the source in errors.
    [[nodiscard]] static Result<AcmeDirectory> parse(const QByteArray& json, const QString& origin);
};

} // namespace certdeck::acme
