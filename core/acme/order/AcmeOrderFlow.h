// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/challenge/ChallengePublisher.h"
#include "acme/protocol/AcmeClient.h"
#include "acme/protocol/AcmeOrder.h"
#include "common/Operation.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <optional>

namespace certdeck::acme {

/// One certificate order from start to chain (RFC 8555 7.4): newOrder, each
/// authorization proved through a ChallengePublisher (its challenge type), finalize with a CSR,
/// poll with backoff (or Retry-After), download the chain. Published tokens are withdrawn when the
/// flow ends, whether it succeeded, failed or was cancelled.
///
/// An Operation on the client's thread (the contract of Operation): cancel()
/// aborts the request in flight at once, then finished() follows with a
/// Cancelled error once the tokens are withdrawn. The client must have its
/// account set and must outlive the flow, as must the publisher.
/// Authorizations are proved one after the other.
class AcmeOrderFlow : public TypedOperation<IssuedCertificate>
{
    Q_OBJECT
public:
    AcmeOrderFlow(AcmeClient& client, ChallengePublisher& publisher, OrderRequest request,
                  QObject* parent = nullptr);
    /// Several challenge types: for each authorization the first publisher
    /// (in this order of preference) that can prove its identifier and whose
    /// type the CA offers is used; e.g. {http-01, dns-01} proves plain names
    /// and IPs over HTTP and wildcards through DNS. Not owned.
    AcmeOrderFlow(AcmeClient& client, QList<ChallengePublisher*> publishers, OrderRequest request,
                  QObject* parent = nullptr);
    ~AcmeOrderFlow() override;

    [[nodiscard]] const QList<AuthorizationState>& authorizations() const
    {
        return m_authorizations;
    }

signals:
    /// An authorization was fetched or changed state.
    void authorizationChanged(int index, const certdeck::acme::AuthorizationState& state);

protected:
    void onStart() override;
    void onCancel() override;

private:
    void createOrder();
    void nextAuthorization();
    void onAuthorization(int index, const QJsonObject& json, bool afterResponse);
    void answerChallenge(int index, const QJsonObject& challenge);
    void pollAuthorization(int index, std::optional<int> retryAfter);
    void waitForOrder(const QStringList& wanted, std::function<void(const QJsonObject&)> next);
    void finalize();
    void download(const QUrl& certificateUrl);
    void pickChain(const QByteArray& chain, const QUrl& url, const QList<QUrl>& alternates,
                   int nextAlternate);
    void fail(const Error& error);
    void succeed(IssuedCertificate issued);
    void conclude(Result<IssuedCertificate> result);
    void withdrawAll(std::function<void()> then);
    void report(const QString& step, const QString& message);
    int pollDelayMs(std::optional<int> retryAfter);
    [[nodiscard]] bool stopped() const { return isCancelled() || m_finishing; }

    AcmeClient& m_client;
    QList<ChallengePublisher*> m_publishers;
    QList<ChallengePublisher*> m_chosen; ///< per authorization, null until chosen
    OrderRequest m_request;
    QUrl m_orderUrl;
    QUrl m_finalizeUrl;
    QList<QUrl> m_authorizationUrls;
    QList<AuthorizationState> m_authorizations;
    struct Published
    {
        ChallengePublisher* publisher = nullptr;
        AcmeIdentifier identifier;
        QByteArray token;
        QByteArray keyAuthorization;
    };
    QList<Published> m_published;
    int m_current = -1;
    int m_polls = 0;
    QElapsedTimer m_waitClock;
    int m_startNonceRetries = 0;
    bool m_replacesSent = false;
    bool m_finishing = false; ///< the outcome is known; tokens are being withdrawn
};

} // namespace certdeck::acme
