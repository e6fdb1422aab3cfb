// SPDX-License-Identifier: GPL-3.0-or-later
#include "OsKeyring.h"

#include "inventory/internal/Log.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QMutex>
#include <QThread>
#include <memory>
#include <qt6keychain/keychain.h>
#include <semaphore>

namespace certdeck::inventory {

namespace {

// QtKeychain queues every job on one executor object that lives in the
// thread that first used it, and libsecret answers through that thread's
// GLib main context: jobs started from short-lived pool threads could wait
// forever. So all jobs run here, on one thread with its own event loop.
class KeyringThread
{
public:
    static KeyringThread& instance()
    {
        static KeyringThread t;
        return t;
    }
    ~KeyringThread()
    {
        m_thread.quit();
        m_thread.wait(5000);
    }
    KeyringThread(const KeyringThread&) = delete;
    KeyringThread& operator=(const KeyringThread&) = delete;

    [[nodiscard]] QObject* context() const { return m_context; }

private:
    KeyringThread()
    {
        m_thread.setObjectName(QStringLiteral("certdeck-keyring"));
        m_context = new QObject;
        m_context->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
        m_thread.start();
    }
    QThread m_thread;
    QObject* m_context = nullptr;
};

// What one job ended with; shared with the keyring thread, so a caller that
// timed out leaves nothing dangling.
struct Outcome
{
    std::binary_semaphore done{0};
    QKeychain::Error error = QKeychain::OtherError;
    QString errorString;
    QByteArray data;
};

enum class Op
{
    Read,
    Write,
    Delete
};

std::shared_ptr<Outcome> runJob(Op op, const QString& service, const QString& key,
                                const QByteArray& data, int timeoutMs, bool* timedOut)
{
    QElapsedTimer clock;
    clock.start();
    auto outcome = std::make_shared<Outcome>();
    QObject* ctx = KeyringThread::instance().context();
    QMetaObject::invokeMethod(
        ctx,
        [outcome, op, service, key, data, ctx] {
            QKeychain::Job* job = nullptr;
            if (op == Op::Read) {
                job = new QKeychain::ReadPasswordJob(service);
            } else if (op == Op::Write) {
                auto* w = new QKeychain::WritePasswordJob(service);
                w->setBinaryData(data);
                job = w;
            } else {
                job = new QKeychain::DeletePasswordJob(service);
            }
            job->setInsecureFallback(false); // never a plain file
            job->setAutoDelete(true);
            job->setKey(key);
            QObject::connect(job, &QKeychain::Job::finished, ctx, [outcome, op](QKeychain::Job* j) {
                outcome->error = j->error();
                outcome->errorString = j->errorString();
                if (op == Op::Read && j->error() == QKeychain::NoError) {
                    outcome->data = static_cast<QKeychain::ReadPasswordJob*>(j)->binaryData();
                }
                outcome->done.release();
            });
            job->start();
        },
        Qt::QueuedConnection);
    *timedOut = !outcome->done.try_acquire_for(std::chrono::milliseconds(timeoutMs));
    // The entry's name and the outcome; the secret never.
    static const char* const names[] = {"read", "write", "delete"};
    qCDebug(lcInventory).noquote()
        << "OS keyring" << names[static_cast<int>(op)] << service + u'/' + key << "->"
        << (*timedOut ? QStringLiteral("no answer")
            : outcome->error == QKeychain::NoError
                ? QStringLiteral("ok")
                : QStringLiteral("error %1 (%2)").arg(outcome->error).arg(outcome->errorString))
        << "in" << clock.elapsed() << "ms";
    return outcome;
}

Error keyringError(const QString& what, const Outcome& o)
{
    switch (o.error) {
    case QKeychain::EntryNotFound:
        return Error{ErrorCode::NotFound, what + QStringLiteral(": no such entry in the keyring"),
                     o.errorString};
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return Error{ErrorCode::PermissionDenied,
                     what + QStringLiteral(": the keyring refused access"), o.errorString};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return Error{ErrorCode::Unsupported,
                     what + QStringLiteral(": no OS keyring is available (no Secret Service on "
                                           "the session bus)"),
                     o.errorString};
    default:
        return Error{ErrorCode::Io, what + QStringLiteral(": the keyring failed"), o.errorString};
    }
}

Error timeoutError(const QString& what, int timeoutMs)
{
    return Error{ErrorCode::Timeout,
                 what + QStringLiteral(": the keyring did not answer within %1 s (locked, or "
                                       "waiting for an unlock prompt?)")
                            .arg(timeoutMs / 1000.0),
                 {}};
}

} // namespace

OsKeyring::OsKeyring(QString service, int timeoutMs)
    : m_service(std::move(service))
    , m_timeoutMs(timeoutMs)
{}

Status OsKeyring::write(const QString& key, const QByteArray& secret) const
{
    const QString what = QStringLiteral("Storing %1 in the OS keyring").arg(key);
    bool timedOut = false;
    auto o = runJob(Op::Write, m_service, key, secret, m_timeoutMs, &timedOut);
    if (timedOut) {
        return tl::unexpected(timeoutError(what, m_timeoutMs));
    }
    if (o->error != QKeychain::NoError) {
        return tl::unexpected(keyringError(what, *o));
    }
    return {};
}

Result<QByteArray> OsKeyring::read(const QString& key) const
{
    const QString what = QStringLiteral("Reading %1 from the OS keyring").arg(key);
    bool timedOut = false;
    auto o = runJob(Op::Read, m_service, key, {}, m_timeoutMs, &timedOut);
    if (timedOut) {
        return tl::unexpected(timeoutError(what, m_timeoutMs));
    }
    if (o->error != QKeychain::NoError) {
        return tl::unexpected(keyringError(what, *o));
    }
    return o->data;
}

Status OsKeyring::remove(const QString& key) const
{
    const QString what = QStringLiteral("Removing %1 from the OS keyring").arg(key);
    bool timedOut = false;
    auto o = runJob(Op::Delete, m_service, key, {}, m_timeoutMs, &timedOut);
    if (timedOut) {
        return tl::unexpected(timeoutError(what, m_timeoutMs));
    }
    if (o->error != QKeychain::NoError && o->error != QKeychain::EntryNotFound) {
        return tl::unexpected(keyringError(what, *o));
    }
    return {};
}

Status OsKeyring::probe() const
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS") &&
        qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        return fail(ErrorCode::Unsupported,
                    QStringLiteral("No D-Bus session here (DBUS_SESSION_BUS_ADDRESS and "
                                   "XDG_RUNTIME_DIR are unset)"));
    }
    // Reading an entry that does not exist: a working keyring says "not
    // found"; anything else says why there is none.
    auto r = read(QStringLiteral("certdeck-probe-entry"));
    if (r || r.error().code == ErrorCode::NotFound) {
        return {};
    }
    Error e = r.error();
    if (e.code != ErrorCode::Timeout) {
        e.code = ErrorCode::Unsupported;
        e.message = QStringLiteral("No usable OS keyring here");
    }
    return tl::unexpected(e);
}

} // namespace certdeck::inventory
