// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"

#include <QPointer>
#include <functional>

namespace certdeck {

/// An Operation around one callback-style asynchronous call on this thread's
/// event loop (AcmeClient's account calls, an ARI lookup): `begin` starts the
/// call and hands its outcome to `done` once; `abort` stops what is in flight
/// (AcmeClient::abortAll()), and finished() then carries Cancelled. `done`
/// may be called after the operation is gone; it then does nothing.
///
///     CallbackOperation<AccountInfo> find(
///         [&client](auto done) { AcmeAccounts::find(client, done); },
///         [&client] { client.abortAll(); });
template <class T>
class CallbackOperation : public TypedOperation<T>
{
public:
    using Done = std::function<void(const Result<T>&)>;
    using Begin = std::function<void(Done done)>;
    using Abort = std::function<void()>;

    CallbackOperation(Begin begin, Abort abort, QObject* parent = nullptr)
        : TypedOperation<T>(parent)
        , m_begin(std::move(begin))
        , m_abort(std::move(abort))
    {}

protected:
    void onStart() override
    {
        QPointer<CallbackOperation> self(this);
        m_begin([self](const Result<T>& result) {
            if (self) {
                self->finishWith(result);
            }
        });
    }
    void onCancel() override
    {
        if (m_abort) {
            m_abort();
        }
        this->finishWith(fail(ErrorCode::Cancelled, QStringLiteral("cancelled")));
    }

private:
    Begin m_begin;
    Abort m_abort;
};

} // namespace certdeck
