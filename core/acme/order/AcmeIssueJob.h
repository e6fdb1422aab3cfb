// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/order/AcmeIssueFlow.h"
#include "common/ThreadedOperation.h"

namespace certdeck::acme {

/// An AcmeIssueFlow run on a worker thread of its own (ThreadedOperation), so
/// the console stays responsive: the client, the responder and the timers
/// live on that thread's event loop. Progress and authorizationChanged() are
/// delivered on the caller's thread; cancel() reaches the flow at once (the
/// request in flight is aborted) and finished() follows once the published
/// tokens are withdrawn. Destroying a running job does not wait: the flow is
/// cancelled and its thread ends on its own.
class AcmeIssueJob : public ThreadedOperation<IssuedCertificate>
{
    Q_OBJECT
public:
    explicit AcmeIssueJob(AcmeIssueSpec spec, QObject* parent = nullptr);

    /// Delivers `flow`'s authorizationChanged() to the AcmeIssueJob behind
    /// `link` (for flows that run an issuance as part of larger work).
    static void forwardAuthorizations(AcmeIssueFlow& flow, const WorkerLink& link);

signals:
    /// Authorization `index` of `total` changed (fetched, challenge
    /// published, being checked, valid or invalid); in order with
    /// progress().
    void authorizationChanged(int index, int total,
                              const certdeck::acme::AuthorizationState& state);

protected:
    /// For jobs whose flow runs an issuance as part of larger work.
    AcmeIssueJob(Factory make, QObject* parent);
};

} // namespace certdeck::acme
