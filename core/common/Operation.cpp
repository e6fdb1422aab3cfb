// SPDX-License-Identifier: GPL-3.0-or-later
#include "Operation.h"

#include <QMetaObject>

namespace certdeck {

namespace {

Error cancelledError()
{
    return Error{ErrorCode::Cancelled, QStringLiteral("cancelled"), {}};
}

} // namespace

Operation::Operation(QObject* parent)
    : QObject(parent)
    , m_status(tl::unexpected<Error>(
          Error{ErrorCode::Internal, QStringLiteral("the operation has not finished yet"), {}}))
{}

Operation::~Operation() = default;

void Operation::start()
{
    if (m_started) {
        return;
    }
    m_started = true;
    if (m_cancelled) {
        finish(tl::unexpected<Error>(cancelledError()));
        return;
    }
    onStart();
}

void Operation::cancel()
{
    if (m_cancelled || m_ending) {
        return;
    }
    m_cancelled = true;
    if (m_started) {
        onCancel();
    }
}

Status Operation::status() const
{
    return m_status;
}

void Operation::finish(const Status& status)
{
    if (m_ending) {
        return;
    }
    m_ending = true;
    m_status = status;
    // The user was told it is cancelled: whatever the work says now (often
    // the error the abort itself caused), that is the outcome.
    if (m_cancelled && (m_status || m_status.error().code != ErrorCode::Cancelled)) {
        m_status = tl::unexpected<Error>(cancelledError());
    }
    // Always through the event loop: finished() never fires inside start()
    // or cancel(), and it is dropped with the object if that dies first.
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_finished = true;
            emit finished(m_status);
        },
        Qt::QueuedConnection);
}

void Operation::reportProgress(const QString& step, double fraction, const QString& message)
{
    if (!m_ending) {
        emit progress(step, fraction, message);
    }
}

} // namespace certdeck
