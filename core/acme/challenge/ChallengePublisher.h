// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/protocol/AcmeIdentifier.h"
#include "common/Result.h"

#include <QByteArray>
#include <QString>
#include <functional>

namespace certdeck::acme {

/// Puts the proof for one challenge type where the CA will look (RFC 8555
/// section 8): HTTP-01 token files or a responder, DNS-01 TXT records. The
/// calls are asynchronous so a remote implementation (SSH webroot, DNS
/// update) can take its time; each calls `done` exactly once, on the
/// caller's thread, possibly before it returns.
class ChallengePublisher
{
public:
    using Done = std::function<void(const Status&)>;

    virtual ~ChallengePublisher() = default;

    /// "http-01", "dns-01".
    [[nodiscard]] virtual QString challengeType() const = 0;
    /// Publishes the proof for `identifier` (wildcards keep their "*."):
    /// `token` has been checked to be base64url; `keyAuthorization` is
    /// token "." thumbprint. `done` means the CA can look now.
    virtual void publish(const AcmeIdentifier& identifier, const QByteArray& token,
                         const QByteArray& keyAuthorization, Done done) = 0;
    /// Removes what publish() put in place; withdrawing something already
    /// gone succeeds.
    virtual void withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                          const QByteArray& keyAuthorization, Done done) = 0;
    /// Where it publishes, for progress and errors.
    [[nodiscard]] virtual QString describe() const = 0;
    /// Whether this challenge type can prove `identifier` at all (RFC 8555
    /// 7.1.3: wildcards only through dns-01; RFC 8738: IPs not through dns-01).
    [[nodiscard]] virtual bool canProve(const AcmeIdentifier& identifier) const
    {
        Q_UNUSED(identifier)
        return true;
    }
};

} // namespace certdeck::acme
