// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/AcmeClient.h"
#include "acme/protocol/JwsKey.h"

#include <QByteArray>
#include <QStringList>
#include <QUrl>
#include <optional>

namespace certdeck::acme {

/// External account binding credentials handed out by a CA (RFC 8555 7.3.4).
struct EabCredentials
{
    QString keyId;
    QByteArray hmacKey; ///< the decoded MAC key (CAs hand it out base64url)
};

/// What a new account asks for.
struct AccountRequest
{
    QStringList contact; ///< "mailto:ops@example.com"
    bool termsOfServiceAgreed = false;
    std::optional<EabCredentials> eab;
};

/// An ACME account as the server describes it.
struct AccountInfo
{
    QUrl url;       ///< the account URL ("kid")
    QString status; ///< "valid", "deactivated", "revoked"
    QStringList contact;
    QUrl orders;
    bool created = false; ///< true when this call created it (HTTP 201)
};

/// Account operations (RFC 8555 7.3) on an AcmeClient whose key is set.
/// Each one ends by calling `done` once, on the client's thread; on success
/// the client's account URL is set, so orders can follow.
class AcmeAccounts
{
public:
    /// newAccount: creates the account for the client's key, or returns the
    /// existing one (created false).
    static void create(AcmeClient& client, const AccountRequest& request,
                       AcmeClient::Done<AccountInfo> done);
    /// newAccount with onlyReturnExisting: finds the key's account; a
    /// NotFound error when there is none.
    static void find(AcmeClient& client, AcmeClient::Done<AccountInfo> done);
    /// Replaces the account's contact list.
    static void updateContact(AcmeClient& client, const QStringList& contact,
                              AcmeClient::Done<AccountInfo> done);
    /// Deactivates the account for good (RFC 8555 7.3.6).
    static void deactivate(AcmeClient& client, AcmeClient::Done<AccountInfo> done);
    /// Replaces the account key (RFC 8555 7.3.5); on success the client signs
    /// with `newKey` from then on.
    static void rollover(AcmeClient& client, const JwsKey& newKey,
                         AcmeClient::Done<AccountInfo> done);

    /// Reads an account object; `url` is the account URL.
    [[nodiscard]] static AccountInfo parse(const QJsonObject& json, const QUrl& url);
};

} // namespace certdeck::acme
