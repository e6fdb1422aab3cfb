// SPDX-License-Identifier: GPL-3.0-or-later
#include "Job.h"

#include "common/internal/Log.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QThreadPool>
#include <atomic>
#include <exception>
#include <mutex>

namespace certdeck {

namespace detail {

/// What the Job and its worker share. `owner` is cleared (under the mutex)
/// when the Job dies, so the worker posts to a live object or not at all;
/// events already posted to a dead Job are discarded by Qt.
struct JobShared
{
    std::atomic<bool> cancelled{false};
    std::mutex mutex;
    Job* owner = nullptr;
    QString lastStep;
    QElapsedTimer sinceLastReport;
    QElapsedTimer sinceStart; ///< for the debug log's timings
};

} // namespace detail

namespace {

Status cancelledStatus()
{
    return fail(ErrorCode::Cancelled, QStringLiteral("cancelled"));
}

} // namespace

JobControl::JobControl(std::shared_ptr<detail::JobShared> shared)
    : m_shared(std::move(shared))
{}

bool JobControl::isCancelled() const noexcept
{
    return m_shared->cancelled.load(std::memory_order_relaxed);
}

void JobControl::reportProgress(const QString& step, double fraction, const QString& message) const
{
    std::lock_guard lock(m_shared->mutex);
    Job* owner = m_shared->owner;
    if (owner == nullptr) {
        return;
    }
    const bool sameStep = step == m_shared->lastStep;
    if (sameStep && m_shared->sinceLastReport.isValid() &&
        m_shared->sinceLastReport.elapsed() < 100 && fraction < 1.0) {
        return;
    }
    m_shared->lastStep = step;
    m_shared->sinceLastReport.start();
    QMetaObject::invokeMethod(
        owner,
        [owner, step, fraction, message] {
            if (!owner->isFinished()) {
                emit owner->progress(step, fraction, message);
            }
        },
        Qt::QueuedConnection);
}

void JobControl::post(std::function<void(Job&)> event) const
{
    std::lock_guard lock(m_shared->mutex);
    Job* owner = m_shared->owner;
    if (owner == nullptr) {
        return;
    }
    QMetaObject::invokeMethod(
        owner,
        [owner, event = std::move(event)] {
            if (!owner->isFinished()) {
                event(*owner);
            }
        },
        Qt::QueuedConnection);
}

Job::Job(QObject* parent)
    : Operation(parent)
    , m_shared(std::make_shared<detail::JobShared>())
{
    m_shared->owner = this;
}

Job::~Job()
{
    // Nobody will read the result: stop the work and drop its deliveries.
    std::lock_guard lock(m_shared->mutex);
    m_shared->owner = nullptr;
    m_shared->cancelled = true;
}

void Job::onStart()
{
    m_shared->sinceStart.start();
    qCDebug(lcCommon) << "job" << metaObject()->className() << "started";
    Runner runner = makeRunner();
    QThreadPool::globalInstance()->start([runner = std::move(runner), shared = m_shared] {
        const JobControl control(shared);
        Completion completion;
        try {
            completion = runner(control);
        } catch (const std::exception& e) {
            const QString what = QString::fromUtf8(e.what());
            completion = [what](Job&) -> Status {
                return fail(ErrorCode::Internal, QStringLiteral("the job failed unexpectedly"),
                            what);
            };
        } catch (...) {
            completion = [](Job&) -> Status {
                return fail(ErrorCode::Internal, QStringLiteral("the job failed unexpectedly"));
            };
        }
        std::lock_guard lock(shared->mutex);
        Job* owner = shared->owner;
        if (owner == nullptr) {
            return;
        }
        QMetaObject::invokeMethod(
            owner,
            [owner, completion = std::move(completion)] {
                // A cancel that arrived while the work was finishing still
                // wins (Operation::finish says so); the value is not stored.
                if (owner->isCancelled()) {
                    owner->logEnd(cancelledStatus());
                    owner->finish(cancelledStatus());
                    return;
                }
                Status status;
                try {
                    status = completion(*owner);
                } catch (...) {
                    status = fail(ErrorCode::Internal,
                                  QStringLiteral("the job's result could not be stored"));
                }
                owner->logEnd(status);
                owner->finish(status);
            },
            Qt::QueuedConnection);
    });
}

void Job::onCancel()
{
    m_shared->cancelled = true;
}

void Job::logEnd(const Status& status) const
{
    qCDebug(lcCommon).noquote() << "job" << metaObject()->className() << "ended:"
                                << (status ? QStringLiteral("ok") : status.error().toString())
                                << "after"
                                << (m_shared->sinceStart.isValid() ? m_shared->sinceStart.elapsed()
                                                                   : 0)
                                << "ms";
}

} // namespace certdeck
