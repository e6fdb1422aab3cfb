// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/AcmeAccounts.h"

#include "acme/internal/Log.h"
#include "acme/protocol/Jws.h"

#include <QJsonArray>

namespace certdeck::acme {

namespace {

void newAccount(AcmeClient& client, QJsonObject payload, const std::optional<EabCredentials>& eab,
                const QString& action, AcmeClient::Done<AccountInfo> done)
{
    client.directory([&client, payload, eab, action,
                      done = std::move(done)](const Result<AcmeDirectory>& dir) mutable {
        if (!dir) {
            done(tl::unexpected(dir.error()));
            return;
        }
        if (eab) {
            auto binding = Jws::externalAccountBinding(eab->keyId, eab->hmacKey, client.key().jwk(),
                                                       dir->newAccount.toString());
            if (!binding) {
                done(tl::unexpected(binding.error()));
                return;
            }
            payload.insert(QStringLiteral("externalAccountBinding"), *binding);
            // The key ID names the binding; the MAC key never leaves Jws.
            qCDebug(lcAcme).noquote()
                << "new account with external account binding, key ID" << eab->keyId;
        }
        client.post(
            dir->newAccount, payload, action,
            [&client, done](const Result<AcmeResponse>& r) {
                if (!r) {
                    done(tl::unexpected(r.error()));
                    return;
                }
                if (r->location.isEmpty()) {
                    done(fail(ErrorCode::Protocol,
                              QStringLiteral("the ACME server did not give the account's URL "
                                             "(no Location header)")));
                    return;
                }
                AccountInfo info = AcmeAccounts::parse(r->json, r->location);
                info.created = r->status == 201;
                qCDebug(lcAcme).noquote()
                    << (info.created ? "account created:" : "account already exists:")
                    << info.url.toString() << "status" << info.status;
                client.setAccountUrl(info.url);
                done(info);
            },
            true);
    });
}

QJsonArray toArray(const QStringList& list)
{
    QJsonArray a;
    for (const QString& s : list) {
        a.append(s);
    }
    return a;
}

void postToAccount(AcmeClient& client, const QJsonObject& payload, const QString& action,
                   AcmeClient::Done<AccountInfo> done)
{
    const QUrl url = client.accountUrl();
    client.post(url, payload, action, [url, done](const Result<AcmeResponse>& r) {
        if (!r) {
            done(tl::unexpected(r.error()));
            return;
        }
        done(AcmeAccounts::parse(r->json, url));
    });
}

} // namespace

AccountInfo AcmeAccounts::parse(const QJsonObject& json, const QUrl& url)
{
    AccountInfo info;
    info.url = url;
    info.status = json.value(QStringLiteral("status")).toString();
    for (const QJsonValue& v : json.value(QStringLiteral("contact")).toArray()) {
        info.contact << v.toString();
    }
    info.orders = QUrl(json.value(QStringLiteral("orders")).toString());
    return info;
}

void AcmeAccounts::create(AcmeClient& client, const AccountRequest& request,
                          AcmeClient::Done<AccountInfo> done)
{
    QJsonObject payload;
    if (!request.contact.isEmpty()) {
        payload.insert(QStringLiteral("contact"), toArray(request.contact));
    }
    if (request.termsOfServiceAgreed) {
        payload.insert(QStringLiteral("termsOfServiceAgreed"), true);
    }
    newAccount(client, payload, request.eab, QStringLiteral("creating the ACME account"),
               std::move(done));
}

void AcmeAccounts::find(AcmeClient& client, AcmeClient::Done<AccountInfo> done)
{
    newAccount(client, QJsonObject{{QStringLiteral("onlyReturnExisting"), true}}, std::nullopt,
               QStringLiteral("looking up the ACME account of this key"), std::move(done));
}

void AcmeAccounts::updateContact(AcmeClient& client, const QStringList& contact,
                                 AcmeClient::Done<AccountInfo> done)
{
    postToAccount(client, QJsonObject{{QStringLiteral("contact"), toArray(contact)}},
                  QStringLiteral("updating the ACME account's contacts"), std::move(done));
}

void AcmeAccounts::deactivate(AcmeClient& client, AcmeClient::Done<AccountInfo> done)
{
    postToAccount(client, QJsonObject{{QStringLiteral("status"), QStringLiteral("deactivated")}},
                  QStringLiteral("deactivating the ACME account"), std::move(done));
}

void AcmeAccounts::rollover(AcmeClient& client, const JwsKey& newKey,
                            AcmeClient::Done<AccountInfo> done)
{
    client.directory([&client, newKey, done](const Result<AcmeDirectory>& dir) {
        if (!dir) {
            done(tl::unexpected(dir.error()));
            return;
        }
        const QString action = QStringLiteral("changing the ACME account key");
        if (dir->keyChange.isEmpty()) {
            done(fail(ErrorCode::Unsupported,
                      action + QStringLiteral(": the server offers no keyChange resource")));
            return;
        }
        // RFC 8555 7.3.5: the new key signs {account, oldKey} inside the old
        // key's request, proving control of both.
        const QJsonObject inner{{QStringLiteral("account"), client.accountUrl().toString()},
                                {QStringLiteral("oldKey"), client.key().jwk()}};
        auto innerJws = Jws::signObject(newKey, dir->keyChange.toString(), {}, {}, inner);
        if (!innerJws) {
            done(tl::unexpected(innerJws.error()));
            return;
        }
        const QUrl accountUrl = client.accountUrl();
        client.post(dir->keyChange, *innerJws, action,
                    [&client, newKey, accountUrl, done](const Result<AcmeResponse>& r) {
                        if (!r) {
                            done(tl::unexpected(r.error()));
                            return;
                        }
                        client.setAccount(newKey, accountUrl);
                        // The keyChange answer need not carry the account
                        // (Pebble's does not): read it back with the new key.
                        if (r->json.contains(QStringLiteral("status"))) {
                            done(AcmeAccounts::parse(r->json, accountUrl));
                        } else {
                            AcmeAccounts::find(client, done);
                        }
                    });
    });
}

} // namespace certdeck::acme
