// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/AcmeAccounts.h"
#include "acme/AcmeClient.h"
#include "acme/AcmeOrder.h"
#include "acme/Dns01Publisher.h"
#include "common/Job.h"

#include <QHostAddress>

namespace certdeck::acme {

/// Everything one issuance needs, taken by value by the job.
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

/// An ACME issuance as a Job: account, order, HTTP-01, DNS-01 or TLS-ALPN-01 for every
/// authorization, finalize, download. Progress names each authorization and
/// its state ("Authorization 2/3: dns:api.example.com is valid"); cancel()
/// stops at the next step and withdraws the published tokens.
///
/// The work runs on a pool thread with its own event loop (the network, the
/// responder and the timers live there); it is that thread's only loop, not a
/// nested one.
class AcmeIssueJob : public TypedJob<IssuedCertificate>
{
    Q_OBJECT
public:
    explicit AcmeIssueJob(AcmeIssueSpec spec, QObject* parent = nullptr);

    /// The work itself, usable without a Job (tests, the CLI's own loop):
    /// runs on the calling thread's event loop until the order ends.
    [[nodiscard]] static Result<IssuedCertificate> run(const AcmeIssueSpec& spec,
                                                       const JobControl* control);

protected:
    /// For Jobs that run an order as part of larger work (run() inside it).
    AcmeIssueJob(Work work, QObject* parent);

signals:
    /// Authorization `index` of `total` changed (fetched, challenge
    /// published, being checked, valid or invalid); in order with
    /// progress(). Also emitted by other Jobs whose work calls run().
    void authorizationChanged(int index, int total,
                              const certdeck::acme::AuthorizationState& state);
};

} // namespace certdeck::acme
