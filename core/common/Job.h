// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"
#include "common/Result.h"

#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

namespace certdeck {

namespace detail {
struct JobShared;
} // namespace detail

class Job;

/// The worker's side of a running Job: it asks whether the user cancelled and
/// reports progress. It holds no pointer to the Job itself, so a worker can
/// outlive the Job (the console page was closed) without touching freed memory.
class JobControl
{
public:
    /// True once cancel() was called or the Job was destroyed. Long loops and
    /// OpenSSL generation callbacks check it and stop early.
    [[nodiscard]] bool isCancelled() const noexcept;
    /// Posts progress to the Job's thread. `fraction` is 0..1, or
    /// Job::Indeterminate when the work cannot say how far it is (prime
    /// searches). Reports closer than 100 ms to the previous one for the same
    /// step are dropped: progress is advisory, and a prime search calls back
    /// thousands of times a second.
    void reportProgress(const QString& step, double fraction, const QString& message) const;
    /// Runs `event` on the Job's thread with the Job, in order with
    /// progress(), unless the Job has finished or been destroyed by then. For
    /// typed events that a Job subclass emits as its own signals; never
    /// dropped as too close to the previous one.
    void post(std::function<void(Job&)> event) const;

private:
    friend class Job;
    explicit JobControl(std::shared_ptr<detail::JobShared> shared);
    std::shared_ptr<detail::JobShared> m_shared;
};

/// An Operation whose work runs off the calling thread, on QThreadPool: CPU
/// work (key and DH parameter generation) and blocking I/O.
///
/// The Job object lives in the thread that created it (the GUI thread or the
/// CLI's main thread); progress() and finished() are emitted there, with the
/// contract of Operation. cancel() sets a flag the work reads through
/// JobControl (a prime search cannot be interrupted from outside OpenSSL);
/// a subclass whose work blocks on a descriptor also wakes it in onCancel().
/// When the Job dies, the worker's pending deliveries are dropped with it and
/// the work is cancelled. No exception thrown by the work crosses threads: it
/// becomes an ErrorCode::Internal failure.
///
/// Subclass TypedJob<T>, not Job, to return a value.
class Job : public Operation
{
    Q_OBJECT
public:
    ~Job() override;

protected:
    explicit Job(QObject* parent);

    /// What the worker hands back: a function run on the Job's thread (only
    /// if the Job still exists) that stores the typed value and returns the
    /// Status to emit.
    using Completion = std::function<Status(Job&)>;
    /// The work, run once on a pool thread. It must own copies of its inputs
    /// and never touch the Job; everything it says goes through `control`.
    using Runner = std::function<Completion(const JobControl& control)>;
    /// Called once by start(), on the Job's thread.
    [[nodiscard]] virtual Runner makeRunner() = 0;

    /// Starts the runner on the global thread pool.
    void onStart() override;
    /// Sets the flag JobControl::isCancelled() reads.
    void onCancel() override;

private:
    /// The debug log's line for the end of the work (never its data).
    void logEnd(const Status& status) const;

    std::shared_ptr<detail::JobShared> m_shared;
};

/// A Job that produces a T (a key, DH parameters, an issued certificate).
/// The value is read with result() in a slot connected to finished(), or
/// handed to a callback by onFinished().
template <class T>
class TypedJob : public Job
{
public:
    /// The work: runs on a pool thread with copies of its inputs.
    using Work = std::function<Result<T>(const JobControl&)>;

    explicit TypedJob(Work work, QObject* parent = nullptr)
        : Job(parent)
        , m_work(std::move(work))
    {}

    /// The value or the error once finished(); an Internal error before.
    [[nodiscard]] Result<T> result() const
    {
        if (m_result) {
            return *m_result;
        }
        const Status s = status();
        return tl::unexpected<Error>(
            s ? Error{ErrorCode::Internal, QStringLiteral("the job has not finished yet"), {}}
              : s.error());
    }

    /// Calls `callback` with the result on `context`'s thread when the job
    /// finishes, unless `context` has been destroyed by then.
    void onFinished(QObject* context, std::function<void(const Result<T>&)> callback)
    {
        connect(this, &Job::finished, context,
                [this, callback = std::move(callback)](const Status&) { callback(result()); });
    }

protected:
    Runner makeRunner() override
    {
        return [work = m_work](const JobControl& control) -> Completion {
            auto value = std::make_shared<Result<T>>(work(control));
            return [value](Job& job) -> Status {
                auto& self = static_cast<TypedJob&>(job);
                self.m_result = std::move(*value);
                if (*self.m_result) {
                    return {};
                }
                return tl::unexpected<Error>(self.m_result->error());
            };
        };
    }

private:
    Work m_work;
    std::optional<Result<T>> m_result;
};

} // namespace certdeck
