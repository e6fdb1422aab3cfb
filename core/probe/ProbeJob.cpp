// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProbeJob.h"

#include "probe/TlsProber.h"

#include <QEventLoop>
#include <QTimer>
#include <openssl/crypto.h>

namespace certdeck::probe {

namespace {

// Pool threads are reused: free OpenSSL's per-thread state (random key
// shares use it) when the work ends, or LeakSanitizer reports it.
struct OpensslThreadCleanup
{
    OpensslThreadCleanup() = default;
    OpensslThreadCleanup(const OpensslThreadCleanup&) = delete;
    OpensslThreadCleanup& operator=(const OpensslThreadCleanup&) = delete;
    ~OpensslThreadCleanup() { OPENSSL_thread_stop(); }
};

} // namespace

ProbeJob::ProbeJob(ProbeTarget target, ProbeOptions options, QObject* parent)
    : TypedJob<ProbeResult>(
          [target = std::move(target),
           options = std::move(options)](const JobControl& control) -> Result<ProbeResult> {
              const OpensslThreadCleanup cleanup;
              return run(target, options, &control);
          },
          parent)
{}

ProbeResult ProbeJob::run(const ProbeTarget& target, const ProbeOptions& options,
                          const JobControl* control)
{
    QEventLoop loop;
    TlsProber prober(target, options);
    QObject::connect(&prober, &TlsProber::finished, &loop, &QEventLoop::quit);
    if (control != nullptr) {
        QObject::connect(&prober, &TlsProber::progress, &loop,
                         [control](const QString& step, double fraction, const QString& message) {
                             control->reportProgress(step, fraction, message);
                         });
    }
    // The job's cancel flag is a plain atomic: look at it from the loop.
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
    return prober.result();
}

} // namespace certdeck::probe
