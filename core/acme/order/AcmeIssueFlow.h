// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/challenge/Dns01Publisher.h"
#include "acme/protocol/AcmeAccounts.h"
#include "acme/protocol/AcmeClient.h"
#include "acme/protocol/AcmeOrder.h"
#include "common/Operation.h"
#include "crypto/PrivateKey.h"

#include <QHostAddress>
#include <memory>
#include <optional>

namespace certdeck::acme {

class AcmeOrderFlow;
class ChallengePublisher;

/// Everything one issuance needs, taken by value.
struct AcmeIssueSpec
{
    AcmeClientOptions client;
    crypto::PrivateKey accountKey;
    /// create: newAccount (returns the existing account for the key too);
    /// otherwise the key's account must exist already (onlyReturnExisting).
    bool createAccount = true;
    AccountRequest account;
    OrderRequest order;
    /// HTTP-01 through the built-in responder on this address and port ...
    QHostAddress httpAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 httpPort = 80;
    /// ... or, when set, through token files under this webroot.
    QString webroot;
    /// When set: DNS-01 through RFC 2136 instead of HTTP-01.
    std::optional<Dns01Settings> dns01;
    /// When set (and dns01 is not): DNS-01 through this program, see
    /// Dns01HookPublisher for its environment.
    QString dns01HookProgram;
    QStringList dns01HookArguments;
    /// When set: TLS-ALPN-01 through the built-in responder on httpAddress
    /// and this port instead of HTTP-01.
    std::optional<quint16> tlsAlpnPort;
};

/// One ACME issuance on the calling thread's event loop: account (created or
/// found), order, HTTP-01, DNS-01 or TLS-ALPN-01 for every authorization,
/// finalize, download (AcmeOrderFlow does the order). It owns the client and
/// the challenge publisher (a responder listens from start() until the
/// flow ends). Progress names each authorization and its state
/// ("Authorization 2/3: dns:api.example.com is valid"); cancel() aborts the
/// request in flight at once and withdraws the published tokens before
/// finished().
///
/// The CLI runs it in its own loop; the console runs it on a worker thread
/// through AcmeIssueJob.
class AcmeIssueFlow : public TypedOperation<IssuedCertificate>
{
    Q_OBJECT
public:
    explicit AcmeIssueFlow(AcmeIssueSpec spec, QObject* parent = nullptr);
    ~AcmeIssueFlow() override;

signals:
    /// Authorization `index` of `total` changed (fetched, challenge
    /// published, being checked, valid or invalid); in order with progress().
    void authorizationChanged(int index, int total,
                              const certdeck::acme::AuthorizationState& state);

protected:
    void onStart() override;
    void onCancel() override;

private:
    void onAccount(const Result<AccountInfo>& account);
    void startOrder();

    AcmeIssueSpec m_spec;
    // Destroyed in reverse: the order (which withdraws through the
    // publisher), then the client, then the publisher.
    std::unique_ptr<ChallengePublisher> m_publisher;
    std::unique_ptr<AcmeClient> m_client;
    std::unique_ptr<AcmeOrderFlow> m_order;
};

} // namespace certdeck::acme
