// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/AcmeDirectory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace certdeck::acme {

Result<AcmeDirectory> AcmeDirectory::parse(const QByteArray& json, const QString& origin)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        return fail(ErrorCode::Protocol,
                    QStringLiteral("the ACME directory at %1 is not a JSON object").arg(origin),
                    err.error != QJsonParseError::NoError
                        ? QStringLiteral("offset %1: %2").arg(err.offset).arg(err.errorString())
                        : QString());
    }
    const QJsonObject o = doc.object();
    AcmeDirectory d;
    const auto url = [&](const char* key) {
        return QUrl(o.value(QLatin1String(key)).toString());
    };
    d.newNonce = url("newNonce");
    d.newAccount = url("newAccount");
    d.newOrder = url("newOrder");
    d.revokeCert = url("revokeCert");
    d.keyChange = url("keyChange");
    d.newAuthz = url("newAuthz");
    d.renewalInfo = url("renewalInfo");
    for (const auto& [key, value] : {std::pair{"newNonce", d.newNonce},
                                     {"newAccount", d.newAccount},
                                     {"newOrder", d.newOrder}}) {
        if (!value.isValid() || value.scheme() != QLatin1String("https")) {
            return fail(ErrorCode::Protocol,
                        QStringLiteral("the ACME directory at %1 has no usable \"%2\" URL")
                            .arg(origin, QLatin1String(key)),
                        value.toString());
        }
    }
    const QJsonObject meta = o.value(QStringLiteral("meta")).toObject();
    d.termsOfService = QUrl(meta.value(QStringLiteral("termsOfService")).toString());
    d.website = QUrl(meta.value(QStringLiteral("website")).toString());
    d.externalAccountRequired = meta.value(QStringLiteral("externalAccountRequired")).toBool(false);
    for (const QJsonValue& v : meta.value(QStringLiteral("caaIdentities")).toArray()) {
        d.caaIdentities << v.toString();
    }
    return d;
}

} // namespace certdeck::acme
