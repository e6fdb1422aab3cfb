// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/AcmeNewOrder.h"

#include <QJsonArray>

namespace certdeck::acme {

NewOrderPayload newOrderPayload(const QList<AcmeIdentifier>& identifiers,
                                const QString& replacesCertId, const AcmeDirectory& directory)
{
    QJsonArray ids;
    for (const AcmeIdentifier& id : identifiers) {
        ids.append(id.toJson());
    }
    NewOrderPayload payload;
    payload.json.insert(QStringLiteral("identifiers"), ids);
    if (!replacesCertId.isEmpty() && !directory.renewalInfo.isEmpty()) {
        payload.json.insert(QStringLiteral("replaces"), replacesCertId);
        payload.replacesSent = true;
    }
    return payload;
}

} // namespace certdeck::acme
