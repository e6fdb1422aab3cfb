// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/AcmeDirectory.h"
#include "acme/protocol/AcmeIdentifier.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace certdeck::acme {

/// The newOrder request body (RFC 8555 7.4) and whether it names the
/// certificate it replaces.
struct NewOrderPayload
{
    QJsonObject json;
    /// True when "replaces" is in `json`.
    bool replacesSent = false;
};

/// Builds the newOrder payload: the identifiers, plus "replaces" with the
/// ARI certificate identifier of the certificate being replaced when one is
/// given AND the directory advertises renewalInfo (RFC 9773 section 5: a
/// client sends it only to a server that supports ARI).
[[nodiscard]] NewOrderPayload newOrderPayload(const QList<AcmeIdentifier>& identifiers,
                                              const QString& replacesCertId,
                                              const AcmeDirectory& directory);

} // namespace certdeck::acme
