// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

namespace certdeck {

/// The processor's crypto-relevant instruction sets, as the OS lets programs
/// use them (AVX2 and AVX-512 count only when the OS saves their registers).
struct CpuFeatures
{
    QString architecture; ///< "x86_64", "aarch64", ...
    QString vendor;       ///< CPUID vendor string, empty off x86
    QString model;        ///< brand string, empty off x86
    bool aesni = false;
    bool pclmulqdq = false;
    bool vaes = false;
    bool vpclmulqdq = false;
    bool shaNi = false;
    bool avx2 = false;
    bool avx512f = false;
    bool avx512ifma = false; ///< AVX-512 IFMA (52-bit multiply-add: OpenSSL's RSA)

    struct Flag
    {
        QString name;
        bool present;
    };
    /// The flags in a fixed order with display names (AES-NI, VAES, ...).
    [[nodiscard]] QList<Flag> flags() const;

    /// Reads CPUID once; cheap, safe from any thread.
    [[nodiscard]] static CpuFeatures detect();
};

} // namespace certdeck
