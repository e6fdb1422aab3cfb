// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/order/AcmeIssueJob.h"

namespace certdeck::acme {

AcmeIssueJob::AcmeIssueJob(AcmeIssueSpec spec, QObject* parent)
    : ThreadedOperation<IssuedCertificate>(
          [spec = std::move(spec)](
              const WorkerLink& link) -> std::unique_ptr<TypedOperation<IssuedCertificate>> {
              auto flow = std::make_unique<AcmeIssueFlow>(spec);
              forwardAuthorizations(*flow, link);
              return flow;
          },
          parent)
{}

AcmeIssueJob::AcmeIssueJob(Factory make, QObject* parent)
    : ThreadedOperation<IssuedCertificate>(std::move(make), parent)
{}

void AcmeIssueJob::forwardAuthorizations(AcmeIssueFlow& flow, const WorkerLink& link)
{
    QObject::connect(&flow, &AcmeIssueFlow::authorizationChanged, &flow,
                     [link](int index, int total, const AuthorizationState& state) {
                         link.post([index, total, state](Operation& front) {
                             if (auto* job = qobject_cast<AcmeIssueJob*>(&front)) {
                                 emit job->authorizationChanged(index, total, state);
                             }
                         });
                     });
}

} // namespace certdeck::acme
