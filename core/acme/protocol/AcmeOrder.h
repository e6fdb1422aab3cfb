// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/AcmeIdentifier.h"
#include "crypto/PrivateKey.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

namespace certdeck::acme {

/// What to order: identifiers, the certificate's key, how to prove control.
struct OrderRequest
{
    QList<AcmeIdentifier> identifiers;
    /// The key the certificate is for (never the account key); the CSR is
    /// built from it and the identifiers.
    crypto::PrivateKey certificateKey;
    /// With alternate chains (Link rel="alternate"), prefer the one whose top
    /// certificate's issuer contains this text (e.g. a root's CN); empty
    /// takes the server's default chain.
    QString preferredChainIssuer;
    /// The ARI identifier (AcmeRenewalInfo::certId) of the certificate this
    /// order replaces; sent as "replaces" only when the CA offers ARI.
    QString replacesCertId;
    /// Longest wait for one authorization or for the order to become ready
    /// or valid.
    int pollTimeoutSeconds = 120;
};

/// How far the flow is with one authorization, for live views.
enum class AuthorizationStage
{
    Fetched,    ///< read from the CA, nothing done yet
    Publishing, ///< a challenge was chosen and is being published
    Published,  ///< published; the CA is being asked to check it
    Processing, ///< the CA is checking it; the flow polls
    Done        ///< valid, invalid or otherwise final (see status and error)
};

/// One authorization as the flow sees it, for progress views.
struct AuthorizationState
{
    AcmeIdentifier identifier;
    QUrl url;
    QString status;        ///< pending, valid, invalid, deactivated, expired, revoked
    QString challengeType; ///< the challenge answered ("http-01")
    bool reused = false;   ///< already valid when fetched: nothing to prove
    QString error;         ///< plain words when invalid
    AuthorizationStage stage = AuthorizationStage::Fetched;
};

/// The result of a successful order.
struct IssuedCertificate
{
    QByteArray chainPem; ///< leaf first, then issuers, as the CA sent it
    QUrl orderUrl;
    QUrl certificateUrl; ///< the chain actually returned (an alternate when preferred)
    QList<QUrl> alternateUrls;
    QList<AuthorizationState> authorizations;
    int badNonceRetries = 0; ///< badNonce refusals answered while ordering
    /// The order named the certificate it replaces (RFC 9773 "replaces").
    bool replacesSent = false;
};

} // namespace certdeck::acme
