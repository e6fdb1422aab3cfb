// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/AcmeIssueJob.h"

#include "acme/AcmeOrderFlow.h"
#include "acme/Dns01HookPublisher.h"
#include "acme/Http01Responder.h"
#include "acme/TlsAlpnResponder.h"
#include "acme/WebrootPublisher.h"
#include "crypto/internal/KeyGenCallback.h"

#include <QEventLoop>
#include <QTimer>
#include <memory>

namespace certdeck::acme {

AcmeIssueJob::AcmeIssueJob(AcmeIssueSpec spec, QObject* parent)
    : TypedJob<IssuedCertificate>(
          [spec = std::move(spec)](const JobControl& control) { return run(spec, &control); },
          parent)
{}

AcmeIssueJob::AcmeIssueJob(Work work, QObject* parent)
    : TypedJob<IssuedCertificate>(std::move(work), parent)
{}

Result<IssuedCertificate> AcmeIssueJob::run(const AcmeIssueSpec& spec, const JobControl* control)
{
    crypto::internal::ReleaseOpensslThreadState releaseOpenssl;
    auto jwsKey = JwsKey::fromPrivateKey(spec.accountKey);
    if (!jwsKey) {
        return tl::unexpected(jwsKey.error());
    }
    std::unique_ptr<ChallengePublisher> publisher;
    if (spec.dns01) {
        publisher = std::make_unique<Dns01Publisher>(*spec.dns01);
    } else if (!spec.dns01HookProgram.isEmpty()) {
        publisher =
            std::make_unique<Dns01HookPublisher>(spec.dns01HookProgram, spec.dns01HookArguments);
    } else if (spec.tlsAlpnPort) {
        auto responder = std::make_unique<TlsAlpnResponder>();
        if (auto listening = responder->listen(spec.httpAddress, *spec.tlsAlpnPort); !listening) {
            return tl::unexpected(listening.error());
        }
        publisher = std::move(responder);
    } else if (spec.webroot.isEmpty()) {
        auto responder = std::make_unique<Http01Responder>();
        if (auto listening = responder->listen(spec.httpAddress, spec.httpPort); !listening) {
            return tl::unexpected(listening.error());
        }
        publisher = std::move(responder);
    } else {
        publisher = std::make_unique<WebrootPublisher>(spec.webroot);
    }

    QEventLoop loop;
    AcmeClient client(spec.client);
    client.setAccount(*jwsKey);
    std::unique_ptr<AcmeOrderFlow> flow;
    std::optional<Result<IssuedCertificate>> out;
    const auto report = [control](const QString& step, double fraction, const QString& message) {
        if (control != nullptr) {
            control->reportProgress(step, fraction, message);
        }
    };
    const auto end = [&](Result<IssuedCertificate> r) {
        if (!out) {
            out = std::move(r);
            loop.quit();
        }
    };

    QTimer cancelWatch;
    cancelWatch.setInterval(100);
    QObject::connect(&cancelWatch, &QTimer::timeout, &loop, [&] {
        if (control == nullptr || !control->isCancelled()) {
            return;
        }
        cancelWatch.stop();
        if (flow) {
            flow->cancel(); // finished() follows once the tokens are withdrawn
        } else {
            client.abortAll();
            end(fail(ErrorCode::Cancelled, QStringLiteral("the issuance was cancelled")));
        }
    });
    cancelWatch.start();

    const auto startOrder = [&] {
        flow = std::make_unique<AcmeOrderFlow>(client, *publisher, spec.order);
        QObject::connect(flow.get(), &AcmeOrderFlow::progress, &loop, report);
        QObject::connect(flow.get(), &AcmeOrderFlow::authorizationChanged, &loop,
                         [&, total = 0](int index, const AuthorizationState& state) mutable {
                             total = static_cast<int>(flow->authorizations().size());
                             if (control != nullptr) {
                                 control->post([index, total, state](Job& job) {
                                     if (auto* issue = qobject_cast<AcmeIssueJob*>(&job)) {
                                         emit issue->authorizationChanged(index, total, state);
                                     }
                                 });
                             }
                             // One step per state, so no state change is merged away.
                             report(QStringLiteral("Authorization %1/%2: %3 is %4")
                                        .arg(index + 1)
                                        .arg(total)
                                        .arg(state.identifier.toString(), state.status),
                                    Job::Indeterminate,
                                    state.error.isEmpty() ? state.status : state.error);
                         });
        QObject::connect(flow.get(), &AcmeOrderFlow::finished, &loop, [&] { end(flow->result()); });
        flow->start();
    };

    report(QStringLiteral("Account"), 0.0, QStringLiteral("signing in to the ACME server"));
    auto onAccount = [&](const Result<AccountInfo>& account) {
        if (!account) {
            end(tl::unexpected(account.error()));
            return;
        }
        if (account->status != QLatin1String("valid") && !account->status.isEmpty()) {
            end(fail(ErrorCode::PermissionDenied,
                     QStringLiteral("the ACME account is %1, not valid").arg(account->status),
                     account->url.toString()));
            return;
        }
        report(QStringLiteral("Account"), 0.05,
               account->created ? QStringLiteral("account created")
                                : QStringLiteral("account found"));
        startOrder();
    };
    if (spec.createAccount) {
        AcmeAccounts::create(client, spec.account, onAccount);
    } else {
        AcmeAccounts::find(client, onAccount);
    }
    if (!out) {
        loop.exec();
    }
    flow.reset();
    return out.value_or(tl::unexpected(
        Error{ErrorCode::Internal, QStringLiteral("the issuance ended without a result"), {}}));
}

} // namespace certdeck::acme
