// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/order/AcmeIssueFlow.h"

#include "acme/challenge/Dns01HookPublisher.h"
#include "acme/challenge/Http01Responder.h"
#include "acme/challenge/TlsAlpnResponder.h"
#include "acme/challenge/WebrootPublisher.h"
#include "acme/order/AcmeOrderFlow.h"

namespace certdeck::acme {

namespace {

Result<std::unique_ptr<ChallengePublisher>> makePublisher(const AcmeIssueSpec& spec)
{
    if (spec.dns01) {
        return std::make_unique<Dns01Publisher>(*spec.dns01);
    }
    if (!spec.dns01HookProgram.isEmpty()) {
        return std::make_unique<Dns01HookPublisher>(spec.dns01HookProgram, spec.dns01HookArguments);
    }
    if (spec.tlsAlpnPort) {
        auto responder = std::make_unique<TlsAlpnResponder>();
        if (auto listening = responder->listen(spec.httpAddress, *spec.tlsAlpnPort); !listening) {
            return tl::unexpected(listening.error());
        }
        return responder;
    }
    if (spec.webroot.isEmpty()) {
        auto responder = std::make_unique<Http01Responder>();
        if (auto listening = responder->listen(spec.httpAddress, spec.httpPort); !listening) {
            return tl::unexpected(listening.error());
        }
        return responder;
    }
    return std::make_unique<WebrootPublisher>(spec.webroot);
}

} // namespace

AcmeIssueFlow::AcmeIssueFlow(AcmeIssueSpec spec, QObject* parent)
    : TypedOperation<IssuedCertificate>(parent)
    , m_spec(std::move(spec))
{}

AcmeIssueFlow::~AcmeIssueFlow() = default;

void AcmeIssueFlow::onStart()
{
    auto jwsKey = JwsKey::fromPrivateKey(m_spec.accountKey);
    if (!jwsKey) {
        finishWith(tl::unexpected(jwsKey.error()));
        return;
    }
    auto publisher = makePublisher(m_spec);
    if (!publisher) {
        finishWith(tl::unexpected(publisher.error()));
        return;
    }
    m_publisher = std::move(*publisher);
    m_client = std::make_unique<AcmeClient>(m_spec.client);
    m_client->setAccount(*jwsKey);
    reportProgress(QStringLiteral("Account"), 0.0, QStringLiteral("signing in to the ACME server"));
    // The client never calls back after it is destroyed, and it dies with
    // this flow: `this` is safe in its callbacks.
    const auto done = [this](const Result<AccountInfo>& account) {
        onAccount(account);
    };
    if (m_spec.createAccount) {
        AcmeAccounts::create(*m_client, m_spec.account, done);
    } else {
        AcmeAccounts::find(*m_client, done);
    }
}

void AcmeIssueFlow::onCancel()
{
    if (m_order) {
        m_order->cancel(); // finished() follows once the tokens are withdrawn
        return;
    }
    if (m_client) {
        m_client->abortAll();
    }
    finishWith(fail(ErrorCode::Cancelled, QStringLiteral("the issuance was cancelled")));
}

void AcmeIssueFlow::onAccount(const Result<AccountInfo>& account)
{
    if (isEnding()) {
        return;
    }
    if (!account) {
        finishWith(tl::unexpected(account.error()));
        return;
    }
    if (account->status != QLatin1String("valid") && !account->status.isEmpty()) {
        finishWith(fail(ErrorCode::PermissionDenied,
                        QStringLiteral("the ACME account is %1, not valid").arg(account->status),
                        account->url.toString()));
        return;
    }
    reportProgress(QStringLiteral("Account"), 0.05,
                   account->created ? QStringLiteral("account created")
                                    : QStringLiteral("account found"));
    // A progress slot may have cancelled the flow.
    if (!isEnding()) {
        startOrder();
    }
}

void AcmeIssueFlow::startOrder()
{
    m_order = std::make_unique<AcmeOrderFlow>(*m_client, *m_publisher, m_spec.order);
    AcmeOrderFlow* order = m_order.get();
    connect(order, &Operation::progress, this,
            [this](const QString& step, double fraction, const QString& message) {
                reportProgress(step, fraction, message);
            });
    connect(order, &AcmeOrderFlow::authorizationChanged, this,
            [this, order](int index, const AuthorizationState& state) {
                const int total = static_cast<int>(order->authorizations().size());
                emit authorizationChanged(index, total, state);
                // One step per state, so no state change is merged away.
                reportProgress(QStringLiteral("Authorization %1/%2: %3 is %4")
                                   .arg(index + 1)
                                   .arg(total)
                                   .arg(state.identifier.toString(), state.status),
                               Indeterminate, state.error.isEmpty() ? state.status : state.error);
            });
    connect(order, &Operation::finished, this,
            [this, order](const Status&) { finishWith(order->result()); });
    order->start();
}

} // namespace certdeck::acme
