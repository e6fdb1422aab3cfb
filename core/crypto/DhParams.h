// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Job.h"
#include "common/Result.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/PrivateKey.h"

#include <QByteArray>

namespace certdeck::crypto {

/// Finite-field Diffie-Hellman parameters (a safe prime and generator 2) for
/// servers that still offer DHE suites (nginx ssl_dhparam). A cheap-to-copy
/// value sharing the OpenSSL object. Only 2048, 3072 and 4096 bits can be
/// generated: anything smaller is weak and anything else is not asked for.
class DhParams
{
public:
    DhParams() = default;
    /// Takes ownership of `params`.
    explicit DhParams(ossl::PKeyPtr params);
    DhParams(const DhParams& other);
    DhParams& operator=(const DhParams& other);
    DhParams(DhParams&&) noexcept = default;
    DhParams& operator=(DhParams&&) noexcept = default;
    ~DhParams() = default;

    /// True for the sizes generate() accepts: 2048, 3072, 4096.
    [[nodiscard]] static bool isAllowedSize(int bits);

    /// Generates on the calling thread (seconds for 2048, minutes for 4096).
    /// `onProgress` sees the safe-prime search and can stop it (Cancelled).
    [[nodiscard]] static Result<DhParams> generate(int bits,
                                                   const PrimeSearchCallback& onProgress = {});
    /// The same as a cancellable Job with progress; the caller starts it.
    /// A size that is not allowed makes the job finish with InvalidInput.
    [[nodiscard]] static TypedJob<DhParams>* generateJob(int bits, QObject* parent = nullptr);

    /// Reads "-----BEGIN DH PARAMETERS-----" (PKCS#3) PEM.
    [[nodiscard]] static Result<DhParams> fromPem(const QByteArray& pem,
                                                  const QString& origin = {});

    [[nodiscard]] bool isNull() const { return !m_params; }
    [[nodiscard]] EVP_PKEY* handle() const { return m_params.get(); }
    /// Size of the prime in bits.
    [[nodiscard]] int bits() const;
    /// "-----BEGIN DH PARAMETERS-----" PEM, as `openssl dhparam` writes it.
    [[nodiscard]] QByteArray toPem() const;

private:
    ossl::PKeyPtr m_params;
};

} // namespace certdeck::crypto
