// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProbeJob.h"

#include "common/internal/OpensslThreadCleanup.h"
#include "probe/ProbeReport.h"
#include "probe/TlsInspector.h"
#include "probe/TlsProber.h"

#include <QEventLoop>
#include <QTimer>

namespace certdeck::probe {

namespace {

/// Runs one prober-like object (start/cancel/isFinished/progress/finished)
/// to its end on a local loop, watching the job's cancel flag.
template <class Worker>
void runToEnd(Worker& worker, const JobControl* control, double from, double span)
{
    QEventLoop loop;
    QObject::connect(&worker, &Worker::finished, &loop, &QEventLoop::quit);
    if (control != nullptr) {
        QObject::connect(
            &worker, &Worker::progress, &loop,
            [control, from, span](const QString& step, double fraction, const QString& message) {
                control->reportProgress(step, from + fraction * span, message);
            });
    }
    // The job's cancel flag is a plain atomic: look at it from the loop.
    QTimer watch;
    watch.setInterval(50);
    QObject::connect(&watch, &QTimer::timeout, &loop, [&worker, control] {
        if (control != nullptr && control->isCancelled() && !worker.isFinished()) {
            worker.cancel();
        }
    });
    watch.start();
    worker.start();
    loop.exec(); // finished() always comes from the loop, never from start()
}

} // namespace

ProbeJob::ProbeJob(ProbeTarget target, ProbeOptions options, QObject* parent)
    : TypedJob<ProbeOutcome>(
          [target = std::move(target),
           options = std::move(options)](const JobControl& control) -> Result<ProbeOutcome> {
              const certdeck::internal::OpensslThreadCleanup cleanup;
              return run(target, options, &control);
          },
          parent)
{}

ProbeOutcome ProbeJob::run(const ProbeTarget& target, const ProbeOptions& options,
                           const JobControl* control)
{
    ProbeOutcome out;
    const double probeShare = options.inspect ? 0.8 : 1.0;
    {
        TlsProber prober(target, options);
        QEventLoop loop;
        QObject::connect(&prober, &TlsProber::finished, &loop, &QEventLoop::quit);
        if (control != nullptr) {
            QObject::connect(&prober, &TlsProber::progress, &loop,
                             [control, probeShare](const QString& step, double fraction,
                                                   const QString& message) {
                                 control->reportProgress(step, fraction * probeShare, message);
                             });
        }
        QTimer watch;
        watch.setInterval(50);
        QObject::connect(&watch, &QTimer::timeout, &loop, [&prober, control] {
            if (control != nullptr && control->isCancelled() && !prober.isFinished()) {
                prober.cancel();
            }
        });
        watch.start();
        prober.start();
        if (!prober.isFinished()) {
            loop.exec();
        }
        out.probe = prober.result();
    }
    const bool cancelled = out.probe.cancelled || (control != nullptr && control->isCancelled());
    if (!options.inspect || cancelled || !anyProtocolAccepted(out.probe)) {
        return out;
    }
    // The node the prober looked at, so both halves describe the same one.
    ProbeTarget pinned = target;
    if (pinned.address.isEmpty()) {
        pinned.address = out.probe.address;
    }
    TlsInspector inspector(pinned, options);
    runToEnd(inspector, control, probeShare, 1.0 - probeShare);
    out.inspection = inspector.result();
    return out;
}

} // namespace certdeck::probe
