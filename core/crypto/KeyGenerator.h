// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Job.h"
#include "crypto/PrivateKey.h"

namespace certdeck::crypto {

/// Generates a private key off the calling thread. RSA reports its prime
/// search as progress (Indeterminate fraction: OpenSSL cannot say how many
/// candidates it will need) and stops within one candidate on cancel();
/// EC and Ed25519 keys take milliseconds and report one step.
///
///     auto* gen = new KeyGenerator(KeyType::Rsa4096, page);
///     gen->onFinished(page, [](const Result<PrivateKey>& key) { ... });
///     gen->start();
class KeyGenerator : public TypedJob<PrivateKey>
{
public:
    explicit KeyGenerator(KeyType type, QObject* parent = nullptr);

    [[nodiscard]] KeyType keyType() const { return m_type; }

private:
    KeyType m_type;
};

} // namespace certdeck::crypto
