// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/challenge/ChallengePublisher.h"

namespace certdeck::acme {

/// Where HTTP-01 key authorizations are published (RFC 8555 8.3): the
/// built-in responder, a local webroot, later a remote webroot over SSH.
/// The body served at /.well-known/acme-challenge/TOKEN is the key
/// authorization itself.
class Http01Publisher : public ChallengePublisher
{
public:
    [[nodiscard]] QString challengeType() const override { return QStringLiteral("http-01"); }
    [[nodiscard]] bool canProve(const AcmeIdentifier& identifier) const override
    {
        return !identifier.isWildcard();
    }
};

} // namespace certdeck::acme
