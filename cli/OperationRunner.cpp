// SPDX-License-Identifier: GPL-3.0-or-later
#include "OperationRunner.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QSocketNotifier>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace certdeck::cli {

namespace {

// The self-pipe: the handler only writes a byte, the event loop reads it.
std::atomic<int> g_signalWriteFd{-1};
std::atomic<int> g_signalsSeen{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

extern "C" void onTerminationSignal(int sig)
{
    const int saved = errno;
    if (g_signalsSeen.fetch_add(1) > 0) {
        // The second Ctrl-C: the user does not want to wait for the cleanup.
        static const char kMessage[] = "certdeckctl: interrupted again; exiting now\n";
        (void)!::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
        ::_exit(128 + sig);
    }
    const int fd = g_signalWriteFd.load();
    if (fd >= 0) {
        const auto byte = static_cast<unsigned char>(sig);
        (void)!::write(fd, &byte, 1);
    }
    errno = saved;
}

/// While it lives, SIGINT and SIGTERM call `onSignal` from the event loop.
class SignalsToLoop
{
public:
    explicit SignalsToLoop(std::function<void(int)> onSignal)
        : m_onSignal(std::move(onSignal))
    {
        if (::pipe2(m_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
            m_pipe[0] = m_pipe[1] = -1;
            return; // no cancel on Ctrl-C; the default disposition stays
        }
        g_signalsSeen = 0;
        g_signalWriteFd = m_pipe[1];
        m_notifier = std::make_unique<QSocketNotifier>(m_pipe[0], QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, m_notifier.get(), [this] {
            unsigned char byte = 0;
            while (::read(m_pipe[0], &byte, 1) == 1) {
                m_onSignal(byte);
            }
        });
        struct sigaction action = {};
        action.sa_handler = &onTerminationSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        m_installed = ::sigaction(SIGINT, &action, &m_oldInt) == 0 &&
                      ::sigaction(SIGTERM, &action, &m_oldTerm) == 0;
    }
    ~SignalsToLoop()
    {
        if (m_installed) {
            ::sigaction(SIGINT, &m_oldInt, nullptr);
            ::sigaction(SIGTERM, &m_oldTerm, nullptr);
        }
        g_signalWriteFd = -1;
        m_notifier.reset();
        for (int fd : m_pipe) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }
    SignalsToLoop(const SignalsToLoop&) = delete;
    SignalsToLoop& operator=(const SignalsToLoop&) = delete;

private:
    std::function<void(int)> m_onSignal;
    int m_pipe[2] = {-1, -1};
    std::unique_ptr<QSocketNotifier> m_notifier;
    struct sigaction m_oldInt = {};
    struct sigaction m_oldTerm = {};
    bool m_installed = false;
};

} // namespace

void printProgress(CommandContext& ctx, const QString& what, const QString& step, double fraction,
                   const QString& message)
{
    ctx.err << "certdeckctl: " << what;
    if (fraction >= 0.0) {
        ctx.err << ' ' << qRound(std::min(fraction, 1.0) * 100) << '%';
    }
    ctx.err << ' ' << step;
    if (!message.isEmpty() && message != step) {
        ctx.err << ": " << message;
    }
    ctx.err << "\n";
    ctx.err.flush();
}

OperationRunner::OperationRunner(CommandContext& ctx, QString what)
    : m_ctx(ctx)
    , m_what(std::move(what))
{}

OperationRunner& OperationRunner::throttleRepeats(int ms)
{
    m_repeatMs = ms;
    return *this;
}

Status OperationRunner::run(Operation& op)
{
    QEventLoop loop;
    QString lastStep;
    int linesOfStep = 0;
    QElapsedTimer sinceLine;
    QObject::connect(&op, &Operation::progress, &loop,
                     [&](const QString& step, double fraction, const QString& message) {
                         linesOfStep = step == lastStep ? linesOfStep + 1 : 1;
                         lastStep = step;
                         if (m_repeatMs > 0 && linesOfStep > 2 && fraction < 1.0 &&
                             sinceLine.isValid() && sinceLine.elapsed() < m_repeatMs) {
                             return;
                         }
                         sinceLine.start();
                         printProgress(m_ctx, m_what, step, fraction, message);
                     });
    QObject::connect(&op, &Operation::finished, &loop, [&loop](const Status&) { loop.quit(); });
    const SignalsToLoop signalsToLoop([this, &op](int sig) {
        m_ctx.err << "certdeckctl: " << m_what << ": "
                  << (sig == SIGTERM ? "terminated" : "interrupted")
                  << "; cancelling (Ctrl-C again exits at once)\n";
        m_ctx.err.flush();
        op.cancel();
    });
    op.start();
    if (!op.isFinished()) {
        loop.exec();
    }
    return op.status();
}

} // namespace certdeck::cli
