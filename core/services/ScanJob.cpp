// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScanJob.h"

#include "common/OpensslThreadCleanup.h"
#include "inventory/Store.h"
#include "services/ScanTargets.h"

#include <QMutex>
#include <QPointer>
#include <QThread>

namespace certdeck::services {

namespace internal {

/// What the job and its worker share; the worker may outlive the job.
struct ScanJobShared
{
    QList<ScanTarget> targets;
    QList<qint64> endpointIds;
    bool fromInventory = false;
    ScanServiceOptions options;
    QString storeLocation;
    /// The job, for deliveries; cleared when it dies (guarded by `mutex`).
    QMutex mutex;
    QPointer<ScanJob> job;
    /// Lives on the worker thread; cleared (under `mutex`) before it can be
    /// deleted, so a non-null pointer read under the mutex is alive.
    ScanService* service = nullptr;
    bool cancelRequested = false;
};

} // namespace internal

namespace {

/// Runs on the worker thread: opens the store, resolves the targets, runs
/// the service, and forwards what it says to the job's thread.
class ScanWorker : public QObject
{
public:
    explicit ScanWorker(std::shared_ptr<internal::ScanJobShared> shared)
        : m_shared(std::move(shared))
    {}

    void run()
    {
        QList<ScanTarget> targets = m_shared->targets;
        if (!m_shared->storeLocation.isEmpty()) {
            auto store = inventory::Store::openUrl(m_shared->storeLocation);
            if (!store) {
                end(tl::unexpected(store.error()), 0);
                return;
            }
            m_store = std::move(*store);
            m_store->setActor(inventory::Store::osUserName());
            if (m_shared->fromInventory) {
                targets.clear();
                for (qint64 id : std::as_const(m_shared->endpointIds)) {
                    auto e = m_store->endpoints().get(id);
                    if (!e) {
                        end(tl::unexpected(e.error()), 0);
                        return;
                    }
                    auto t = scanTarget(*m_store, *e);
                    if (!t) {
                        end(tl::unexpected(t.error()), 0);
                        return;
                    }
                    targets << *t;
                }
            } else {
                // Ad-hoc targets that the inventory knows get its anchors.
                for (ScanTarget& t : targets) {
                    if (t.endpointId == 0 && t.anchors.isSystem()) {
                        auto anchors = anchorsFor(*m_store, t.target);
                        if (!anchors) {
                            end(tl::unexpected(anchors.error()), 0);
                            return;
                        }
                        t.anchors = *anchors;
                    }
                }
            }
        }
        auto* service = new ScanService(std::move(targets), m_shared->options, m_store.get(), this);
        {
            QMutexLocker lock(&m_shared->mutex);
            m_shared->service = service;
        }
        QObject::connect(service, &ScanService::progress, this,
                         [this](const QString& step, double fraction, const QString& message) {
                             deliver(
                                 [=](ScanJob& job) { emit job.progress(step, fraction, message); });
                         });
        QObject::connect(service, &ScanService::endpointChecked, this,
                         [this](const EndpointCheck& check) {
                             deliver([check](ScanJob& job) { emit job.endpointChecked(check); });
                         });
        QObject::connect(service, &ScanService::finished, this,
                         [this, service](const Status& status) {
                             Status s = status;
                             if (s && !service->recordFailures().isEmpty()) {
                                 s = fail(ErrorCode::Database,
                                          QStringLiteral("%1 result(s) were not recorded")
                                              .arg(service->recordFailures().size()),
                                          service->recordFailures().join(QStringLiteral("; ")));
                             }
                             end(s, service->peakConnections());
                         });
        bool cancelled = false;
        {
            QMutexLocker lock(&m_shared->mutex);
            cancelled = m_shared->cancelRequested;
        }
        service->start();
        if (cancelled) {
            service->cancel();
        }
    }

private:
    void deliver(std::function<void(ScanJob&)> event)
    {
        QMutexLocker lock(&m_shared->mutex);
        if (m_shared->job) {
            QMetaObject::invokeMethod(
                m_shared->job.data(),
                [job = m_shared->job, event = std::move(event)] {
                    if (job) {
                        event(*job);
                    }
                },
                Qt::QueuedConnection);
        }
    }

    void end(const Status& status, int peak)
    {
        {
            QMutexLocker lock(&m_shared->mutex);
            m_shared->service = nullptr;
        }
        deliver([status, peak](ScanJob& job) { emit job.finished(status, peak); });
        // The store's connection belongs to this thread: close it here.
        m_store.reset();
        thread()->quit();
    }

    std::shared_ptr<internal::ScanJobShared> m_shared;
    std::unique_ptr<inventory::Store> m_store;
};

} // namespace

ScanJob::ScanJob(QList<ScanTarget> targets, ScanServiceOptions options, QString storeLocation,
                 QObject* parent)
    : QObject(parent)
    , m_shared(std::make_shared<internal::ScanJobShared>())
{
    m_shared->targets = std::move(targets);
    m_shared->options = std::move(options);
    m_shared->storeLocation = std::move(storeLocation);
    // First of the finished() connections, so isFinished() holds in the others.
    connect(this, &ScanJob::finished, this, [this] { m_finished = true; });
}

ScanJob::ScanJob(QList<qint64> endpointIds, ScanServiceOptions options, QString storeLocation,
                 QObject* parent)
    : QObject(parent)
    , m_shared(std::make_shared<internal::ScanJobShared>())
{
    m_shared->endpointIds = std::move(endpointIds);
    m_shared->fromInventory = true;
    m_shared->options = std::move(options);
    m_shared->storeLocation = std::move(storeLocation);
    // First of the finished() connections, so isFinished() holds in the others.
    connect(this, &ScanJob::finished, this, [this] { m_finished = true; });
}

ScanJob::~ScanJob()
{
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->job.clear();
    }
    cancel();
}

void ScanJob::start()
{
    if (m_started) {
        return;
    }
    m_started = true;
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->job = this;
    }
    auto* thread = new QThread;
    thread->setObjectName(QStringLiteral("certdeck-scan"));
    auto* worker = new ScanWorker(m_shared);
    worker->moveToThread(thread);
    connect(thread, &QThread::started, worker, [worker] { worker->run(); });
    connect(thread, &QThread::finished, worker, &QObject::deleteLater);
    // The thread's OpenSSL state (handshakes use it) goes with it.
    connect(
        thread, &QThread::finished, thread, [] { releaseOpensslThreadState(); },
        Qt::DirectConnection);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

void ScanJob::cancel()
{
    if (!m_started || m_finished) {
        return;
    }
    QMutexLocker lock(&m_shared->mutex);
    m_shared->cancelRequested = true;
    if (m_shared->service) {
        // Pushed to the worker's loop: the service closes its sockets there.
        QMetaObject::invokeMethod(m_shared->service, &ScanService::cancel, Qt::QueuedConnection);
    }
}

} // namespace certdeck::services
