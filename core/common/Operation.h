// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QObject>
#include <QString>
#include <QTypeInfo>
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

/// The one shape of long work in CertDeck: something that is started, reports
/// progress, can be cancelled, and ends with exactly one finished().
///
/// The contract, which this base class enforces so no subclass has to:
/// - start() begins the work; calling it again does nothing. An operation
///   that is never started never finishes.
/// - finished() is emitted exactly once, always from the event loop of the
///   operation's thread, never from inside start() or cancel(); so a caller
///   may connect after start() and still see it. After it, isFinished() is
///   true and status() (and a subclass's typed result()) hold the outcome.
/// - progress() is emitted only before finished(), never after.
/// - cancel() is pushed into the work at once (sockets closed, timers
///   stopped, a worker thread woken), not left for the work to poll. Once it
///   was called, finished() carries ErrorCode::Cancelled, unless the outcome
///   had already been decided; the work may take a moment to clean up first
///   (an ACME order withdraws its published tokens). cancel() before start()
///   makes start() finish with Cancelled without doing any work.
/// - No exception crosses finished(): failures are Error values.
///
/// An Operation lives on one thread and is started, cancelled and destroyed
/// there (the GUI thread, the CLI's main thread, or a worker thread of its
/// own: see ThreadedOperation). Connect with a context object
/// (QT_NO_CONTEXTLESS_CONNECT enforces it): when the receiver dies, Qt drops
/// the connection. Destroying a running operation stops its work; it then
/// never emits finished().
///
/// Subclasses implement onStart() and onCancel() and end by calling finish()
/// (or TypedOperation::finishWith()). Job is the Operation whose work runs on
/// the thread pool; event-loop flows (ACME orders, AIA fetches) derive from
/// TypedOperation directly.
class Operation : public QObject
{
    Q_OBJECT
public:
    /// The `fraction` of progress() when the work cannot tell how far it is.
    static constexpr double Indeterminate = -1.0;

    ~Operation() override;
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

    /// Starts the work; idempotent. finished() always comes later, from the
    /// event loop.
    void start();
    /// Stops the work as soon as it can be stopped; idempotent, and nothing
    /// once the outcome is decided. finished() follows with Cancelled.
    void cancel();

    [[nodiscard]] bool isStarted() const { return m_started; }
    /// cancel() was called (before the outcome was decided).
    [[nodiscard]] bool isCancelled() const { return m_cancelled; }
    [[nodiscard]] bool isRunning() const { return m_started && !m_finished; }
    /// finished() has been emitted.
    [[nodiscard]] bool isFinished() const { return m_finished; }
    /// The outcome once finished(); an Internal error before that.
    [[nodiscard]] Status status() const;

signals:
    /// `step` names the stage ("Creating the order"), `fraction` is 0..1 or
    /// Indeterminate, `message` says what happened last in plain words.
    void progress(const QString& step, double fraction, const QString& message);
    /// Emitted exactly once, after the last progress().
    void finished(const certdeck::Status& status);

protected:
    explicit Operation(QObject* parent);

    /// Begins the work; called once by start() unless cancel() came first.
    virtual void onStart() = 0;
    /// Pushes the stop into the work (abort the sockets, stop the timers,
    /// wake the worker); called once by cancel() while the outcome is still
    /// open. The work then calls finish(), at once or after cleaning up.
    virtual void onCancel() = 0;

    /// Decides the outcome and schedules finished(); later calls are ignored.
    /// After cancel(), a success or any other error becomes Cancelled.
    void finish(const Status& status);
    /// Emits progress() unless the outcome is already decided.
    void reportProgress(const QString& step, double fraction, const QString& message);
    /// finish() was called (finished() may still be on its way).
    [[nodiscard]] bool isEnding() const { return m_ending; }

private:
    Status m_status;
    bool m_started = false;
    bool m_cancelled = false;
    bool m_ending = false;
    bool m_finished = false;
};

/// An Operation that produces a T (an issued certificate, a chain report).
/// The value or the error is read with result() once finished() was emitted.
template <class T>
class TypedOperation : public Operation
{
public:
    /// The value or the error once finished(); an Internal error before.
    [[nodiscard]] Result<T> result() const
    {
        if (!isFinished()) {
            return tl::unexpected<Error>(Error{
                ErrorCode::Internal, QStringLiteral("the operation has not finished yet"), {}});
        }
        const Status s = status();
        if (!s) {
            return tl::unexpected<Error>(s.error());
        }
        if (!m_value) {
            return tl::unexpected<Error>(Error{
                ErrorCode::Internal, QStringLiteral("the operation finished without a value"), {}});
        }
        return *m_value;
    }

protected:
    explicit TypedOperation(QObject* parent)
        : Operation(parent)
    {}

    /// finish() with a value or an error; ignored once the outcome is decided.
    void finishWith(Result<T> result)
    {
        if (isEnding()) {
            return;
        }
        if (!result) {
            finish(tl::unexpected<Error>(result.error()));
            return;
        }
        m_value = std::move(*result);
        finish({});
    }

private:
    std::optional<T> m_value;
};

} // namespace certdeck
