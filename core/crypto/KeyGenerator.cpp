// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeyGenerator.h"

#include "common/OpensslThreadCleanup.h"

namespace certdeck::crypto {

namespace {

QString stepName(KeyType type)
{
    switch (type) {
    case KeyType::Rsa2048:
        return QStringLiteral("Generating an RSA 2048 key");
    case KeyType::Rsa3072:
        return QStringLiteral("Generating an RSA 3072 key");
    case KeyType::Rsa4096:
        return QStringLiteral("Generating an RSA 4096 key");
    case KeyType::EcdsaP256:
        return QStringLiteral("Generating an ECDSA P-256 key");
    case KeyType::EcdsaP384:
        return QStringLiteral("Generating an ECDSA P-384 key");
    case KeyType::Ed25519:
        return QStringLiteral("Generating an Ed25519 key");
    }
    return {};
}

Result<PrivateKey> generateWithProgress(KeyType type, const JobControl& control)
{
    const certdeck::OpensslThreadCleanup cleanup;
    const QString step = stepName(type);
    control.reportProgress(step, Job::Indeterminate, QStringLiteral("started"));
    const PrimeSearchCallback onProgress = [&control, &step](const PrimeSearchProgress& p) {
        if (control.isCancelled()) {
            return false;
        }
        control.reportProgress(step, Job::Indeterminate,
                               QStringLiteral("%1 prime candidates tested, %2 of 2 primes found")
                                   .arg(p.candidatesTested)
                                   .arg(p.primesFound));
        return true;
    };
    if (control.isCancelled()) {
        return fail(ErrorCode::Cancelled, QStringLiteral("key generation was cancelled"));
    }
    auto key = PrivateKey::generate(type, onProgress);
    if (key) {
        control.reportProgress(step, 1.0, QStringLiteral("done: %1").arg(key->description()));
    }
    return key;
}

} // namespace

KeyGenerator::KeyGenerator(KeyType type, QObject* parent)
    : TypedJob<PrivateKey>(
          [type](const JobControl& control) { return generateWithProgress(type, control); }, parent)
    , m_type(type)
{}

} // namespace certdeck::crypto
