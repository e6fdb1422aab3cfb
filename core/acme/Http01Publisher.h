// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>
#include <functional>

namespace certdeck::acme {

/// Where HTTP-01 key authorizations are published (RFC 8555 8.3): the
/// built-in responder, a local webroot, later a remote webroot over SSH. The
/// calls are asynchronous so a remote implementation can take its time; each
/// calls `done` exactly once, on the caller's thread, possibly before it
/// returns.
class Http01Publisher
{
public:
    using Done = std::function<void(const Status&)>;

    virtual ~Http01Publisher() = default;

    /// Makes `keyAuthorization` the body served at
    /// /.well-known/acme-challenge/`token` for `identifier` ("dns:a.example").
    /// `token` has been checked to be base64url (no path characters).
    virtual void publish(const QString& identifier, const QByteArray& token,
                         const QByteArray& keyAuthorization, Done done) = 0;
    /// Removes what publish() put in place for `token`; withdrawing an
    /// unknown token succeeds.
    virtual void withdraw(const QByteArray& token, Done done) = 0;
    /// Where it publishes, for progress and errors ("responder on 127.0.0.1:80").
    [[nodiscard]] virtual QString describe() const = 0;
};

} // namespace certdeck::acme
