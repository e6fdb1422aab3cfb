// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QObject>
#include <QString>
#include <QTypeInfo>
#include <functional>
#include <memory>
#include <optional>

// finished() carries a Status, so moc registers it as a metatype, and Qt then
// instantiates operator== for it when the trait says it exists. tl::expected
// declares that operator unconditionally, but it does not compile for
// expected<void, Error> (and Error has no operator==). Tell Qt there is none.
template <>
struct QTypeTraits::has_operator_equal<certdeck::Status> : std::false_type
{
};

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

/// A long operation run off the calling thread (QThreadPool) that reports
/// progress, can be cancelled, and ends with exactly one finished() signal.
///
/// The Job object lives in the thread that created it (the GUI thread or the
/// CLI's main thread); progress() and finished() are emitted there. Connect
/// with a context object (QT_NO_CONTEXTLESS_CONNECT enforces it): when the
/// receiver dies, Qt drops the connection, and when the Job dies the worker's
/// pending deliveries are dropped with it and the work is cancelled. No
/// exception thrown by the work crosses threads: it becomes an
/// ErrorCode::Internal failure.
///
/// Subclass TypedJob<T>, not Job, to return a value.
class Job : public QObject
{
    Q_OBJECT
public:
    /// The `fraction` of progress() when the work cannot tell how far it is.
    static constexpr double Indeterminate = -1.0;

    ~Job() override;
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    /// Starts the work on the global thread pool. Calling it again does
    /// nothing. A Job cancelled before start() finishes with Cancelled; a
    /// Job never started never finishes.
    void start();
    /// Asks the work to stop. Thread-safe and idempotent; the Job still ends
    /// with finished(), carrying ErrorCode::Cancelled unless it had already
    /// completed.
    void cancel();

    [[nodiscard]] bool isCancelled() const;
    [[nodiscard]] bool isRunning() const { return m_started && !m_finished; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    /// The outcome once finished(); an Internal error before that.
    [[nodiscard]] Status status() const;

signals:
    /// `step` names the stage ("Generating RSA 4096 key"), `fraction` is
    /// 0..1 or Indeterminate, `message` says what happened last in plain words.
    void progress(const QString& step, double fraction, const QString& message);
    /// Emitted exactly once, after the last progress().
    void finished(const certdeck::Status& status);

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

private:
    void deliver(const Status& status);

    std::shared_ptr<detail::JobShared> m_shared;
    Status m_status;
    bool m_started = false;
    bool m_finished = false;
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
