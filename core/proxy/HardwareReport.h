// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CpuFeatures.h"

#include <QString>
#include <QStringList>

namespace certdeck::proxy {

/// What crypto hardware the proxy runs on and what OpenSSL actually uses:
/// the CPU's instruction sets from CPUID, OpenSSL's capability vector (which
/// OPENSSL_ia32cap can mask), the QAT provider, and kernel TLS.
struct HardwareReport
{
    CpuFeatures cpu;
    /// OpenSSL's capability vector as it reports it ("OPENSSL_ia32cap=0x..:0x..").
    QString opensslCapabilities;
    /// The OPENSSL_ia32cap environment override, if any.
    QString capabilityOverride;
    /// Instruction sets the vector lets OpenSSL use ("AES-NI", "VAES"...).
    QStringList opensslUses;
    /// Instruction sets the CPU has but the vector masks off.
    QStringList opensslMasked;

    bool ktlsOffered = false; ///< the kernel lists the `tls` ULP
    QString ktls;             ///< one line for people
    bool qatLoaded = false;
    QString qat; ///< one line for people: loaded, or why software crypto is used

    /// Reads CPUID, OpenSSL's vector and /proc/sys/net/ipv4/tcp_available_ulp.
    [[nodiscard]] static HardwareReport detect();
    /// Tries to load OpenSSL provider `name` (empty: no QAT asked for) and
    /// fills qatLoaded/qat. Software crypto stays available either way.
    void loadQat(const QString& name);

    /// The report as lines for a log or the CLI.
    [[nodiscard]] QStringList lines() const;
};

} // namespace certdeck::proxy
