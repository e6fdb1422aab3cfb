// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScanJob.h"

#include "inventory/Store.h"
#include "services/ScanTargets.h"

#include <memory>

namespace certdeck::services {

namespace internal {

/// What a job scans, copied to its worker thread.
struct ScanInputs
{
    QList<ScanTarget> targets;
    QList<qint64> endpointIds;
    bool fromInventory = false;
    ScanServiceOptions options;
    QString storeLocation;
};

/// The flow on the worker thread: opens the store, resolves the targets,
/// runs the service, and posts each check to the job on its own thread.
class ScanFlow : public TypedOperation<ScanJobSummary>
{
public:
    ScanFlow(ScanInputs inputs, const WorkerLink& link)
        : TypedOperation<ScanJobSummary>(nullptr)
        , m_inputs(std::move(inputs))
        , m_link(link)
    {}
    ~ScanFlow() override
    {
        // The service uses the store: it goes first. The store's connection
        // belongs to this thread and is closed here.
        m_service.reset();
        m_store.reset();
    }
    ScanFlow(const ScanFlow&) = delete;
    ScanFlow& operator=(const ScanFlow&) = delete;

protected:
    void onStart() override
    {
        auto targets = readTargets();
        if (!targets) {
            finishWith(tl::unexpected(targets.error()));
            return;
        }
        m_service =
            std::make_unique<ScanService>(std::move(*targets), m_inputs.options, m_store.get());
        ScanService* service = m_service.get();
        connect(service, &ScanService::progress, this,
                [this](const QString& step, double fraction, const QString& message) {
                    reportProgress(step, fraction, message);
                });
        // Recorded (by the service) before it is posted, so before it shows.
        connect(service, &ScanService::endpointChecked, this, [this](const EndpointCheck& check) {
            m_link.post([check](Operation& front) {
                emit static_cast<ScanJob&>(front).endpointChecked(check);
            });
        });
        connect(service, &ScanService::finished, this,
                [this, service](const Status& status) { onServiceFinished(*service, status); });
        service->start();
    }

    void onCancel() override
    {
        if (m_service) {
            m_service->cancel(); // closes every connection now
        }
    }

private:
    Result<QList<ScanTarget>> readTargets()
    {
        QList<ScanTarget> targets = m_inputs.targets;
        if (m_inputs.storeLocation.isEmpty()) {
            return targets;
        }
        auto store = inventory::Store::openUrl(m_inputs.storeLocation);
        if (!store) {
            return tl::unexpected(store.error());
        }
        m_store = std::move(*store);
        m_store->setActor(inventory::Store::osUserName());
        if (m_inputs.fromInventory) {
            targets.clear();
            for (qint64 id : std::as_const(m_inputs.endpointIds)) {
                auto e = m_store->endpoints().get(id);
                if (!e) {
                    return tl::unexpected(e.error());
                }
                auto t = scanTarget(*m_store, *e);
                if (!t) {
                    return tl::unexpected(t.error());
                }
                targets << *t;
            }
            return targets;
        }
        // Ad-hoc targets that the inventory knows get its anchors (unless
        // given their own) and its recorded certificate.
        for (ScanTarget& t : targets) {
            if (t.endpointId == 0) {
                if (auto s = adoptInventory(*m_store, t, !t.anchors.isSystem()); !s) {
                    return tl::unexpected(s.error());
                }
            }
        }
        return targets;
    }

    void onServiceFinished(const ScanService& service, const Status& status)
    {
        const int peak = service.peakConnections();
        // Posted before finished() is delivered: the job knows its peak also
        // when it ends cancelled.
        m_link.post([peak](Operation& front) { static_cast<ScanJob&>(front).m_peak = peak; });
        if (!status) {
            finishWith(tl::unexpected(status.error()));
            return;
        }
        if (!service.recordFailures().isEmpty()) {
            finishWith(fail(ErrorCode::Database,
                            QStringLiteral("%1 result(s) were not recorded")
                                .arg(service.recordFailures().size()),
                            service.recordFailures().join(QStringLiteral("; "))));
            return;
        }
        finishWith(ScanJobSummary{int(service.results().size()), peak});
    }

    ScanInputs m_inputs;
    WorkerLink m_link;
    std::unique_ptr<inventory::Store> m_store;
    std::unique_ptr<ScanService> m_service;
};

} // namespace internal

namespace {

ThreadedOperation<ScanJobSummary>::Factory flowFactory(internal::ScanInputs inputs)
{
    return [inputs = std::move(inputs)](const WorkerLink& link) {
        return std::make_unique<internal::ScanFlow>(inputs, link);
    };
}

} // namespace

ScanJob::ScanJob(QList<ScanTarget> targets, ScanServiceOptions options, QString storeLocation,
                 QObject* parent)
    : ThreadedOperation<ScanJobSummary>(
          flowFactory(
              {std::move(targets), {}, false, std::move(options), std::move(storeLocation)}),
          parent)
{}

ScanJob::ScanJob(QList<qint64> endpointIds, ScanServiceOptions options, QString storeLocation,
                 QObject* parent)
    : ThreadedOperation<ScanJobSummary>(
          flowFactory(
              {{}, std::move(endpointIds), true, std::move(options), std::move(storeLocation)}),
          parent)
{}

ScanJob::~ScanJob() = default;

} // namespace certdeck::services
