// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"

#include <QDeadlineTimer>
#include <functional>
#include <memory>

namespace certdeck {

namespace detail {
struct WorkerShared;
} // namespace detail

/// What code on a ThreadedOperation's worker thread may use to reach the
/// operation on the caller's thread. Holds no pointer to it, so the worker
/// may outlive it (a dialog was closed mid-order).
class WorkerLink
{
public:
    /// Runs `event` on the operation's thread with the operation, in order
    /// with progress(), unless it has ended or been destroyed by then. For
    /// typed events that a subclass emits as its own signals.
    void post(std::function<void(Operation& front)> event) const;

private:
    friend class OperationThread;
    explicit WorkerLink(std::shared_ptr<detail::WorkerShared> shared);
    std::shared_ptr<detail::WorkerShared> m_shared;
};

/// The thread behind one ThreadedOperation (not used on its own). The worker
/// thread creates the flow, runs its own event loop until the flow has
/// finished, destroys the flow, frees OpenSSL's per-thread state, and ends;
/// the QThread object deletes itself afterwards on the caller's thread.
class OperationThread
{
public:
    /// Creates the flow on the worker thread, so its sockets and timers live
    /// there. Returning null finishes with an Internal error.
    using MakeFlow = std::function<std::unique_ptr<Operation>(const WorkerLink& link)>;
    /// What runs on the caller's thread to end the front operation.
    using Delivery = std::function<void(Operation& front)>;
    /// Runs on the worker thread once the flow has finished: reads its typed
    /// result by value and returns what delivers it on the caller's thread.
    using Harvest = std::function<Delivery(Operation& flow)>;
    /// The delivery of an error when there is no flow to harvest.
    using Failure = std::function<Delivery(const Error& error)>;

    explicit OperationThread(Operation* front);
    /// Detaches: cancels the flow and lets the thread end on its own; never
    /// waits.
    ~OperationThread();
    OperationThread(const OperationThread&) = delete;
    OperationThread& operator=(const OperationThread&) = delete;

    void start(MakeFlow make, Harvest harvest, Failure failure);
    /// Queues the flow's cancel() on the worker thread, where it closes the
    /// flow's sockets at once; before the flow exists, it is cancelled as
    /// soon as it does.
    void cancel();

    /// Worker threads whose QThread object still exists (tests: none left).
    [[nodiscard]] static int liveThreads();
    /// Waits until every worker thread has run its flow to the end, e.g.
    /// after the main event loop returned, so none is still running while the
    /// process exits. Detached flows were cancelled and end quickly. False
    /// when `deadline` expired first.
    static bool waitForAll(QDeadlineTimer deadline);

private:
    std::shared_ptr<detail::WorkerShared> m_shared;
};

/// Runs an event-loop Operation (an ACME order, a socket conversation) on a
/// worker thread of its own, and presents it as an Operation on the caller's
/// thread (the GUI thread): progress() and finished() are forwarded, cancel()
/// is pushed to the worker thread (the flow's own cancel() closes its sockets
/// at once), and the flow's result is handed back by value.
///
/// The flow is made by `make` on the worker thread and never touched from
/// the caller's thread. Destroying a running ThreadedOperation does not wait:
/// the flow is cancelled, and its thread finishes (withdrawing ACME tokens,
/// say) and deletes itself. `Flow` is any TypedOperation<T>.
///
///     auto* job = new ThreadedOperation<IssuedCertificate>(
///         [spec](const WorkerLink&) { return std::make_unique<AcmeIssueFlow>(spec); }, this);
///     connect(job, &Operation::finished, this, [job] { use(job->result()); });
///     job->start();
template <class T>
class ThreadedOperation : public TypedOperation<T>
{
public:
    using Factory = std::function<std::unique_ptr<TypedOperation<T>>(const WorkerLink& link)>;

    explicit ThreadedOperation(Factory make, QObject* parent = nullptr)
        : TypedOperation<T>(parent)
        , m_make(std::move(make))
        , m_thread(this)
    {}

protected:
    void onStart() override
    {
        m_thread.start(
            [make = m_make](const WorkerLink& link) -> std::unique_ptr<Operation> {
                return make(link);
            },
            [](Operation& flow) -> OperationThread::Delivery {
                // On the worker thread: the value is copied out here, so
                // nothing on the caller's side touches the flow.
                Result<T> value = static_cast<TypedOperation<T>&>(flow).result();
                return [value = std::move(value)](Operation& front) {
                    static_cast<ThreadedOperation&>(front).finishWith(value);
                };
            },
            [](const Error& error) -> OperationThread::Delivery {
                return [error](Operation& front) {
                    static_cast<ThreadedOperation&>(front).finishWith(tl::unexpected<Error>(error));
                };
            });
    }
    void onCancel() override { m_thread.cancel(); }

private:
    Factory m_make;
    OperationThread m_thread;
};

} // namespace certdeck
