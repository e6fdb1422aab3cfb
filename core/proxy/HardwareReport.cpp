// SPDX-License-Identifier: GPL-3.0-or-later
#include "HardwareReport.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <openssl/crypto.h>
#include <openssl/provider.h>

namespace certdeck::proxy {

namespace {

struct VectorBit
{
    const char* name;
    int word; ///< 0: CPUID.1 EDX:ECX, 1: CPUID.7 EBX:ECX (OpenSSL's layout)
    int bit;
    bool CpuFeatures::*cpu;
};

// OpenSSL's OPENSSL_ia32cap layout (its man page): word 0 holds CPUID.1 EDX
// in bits 0-31 and ECX in 32-63; word 1 holds CPUID.7 EBX in 0-31 and ECX in 32-63.
constexpr VectorBit kBits[] = {
    {"AES-NI", 0, 32 + 25, &CpuFeatures::aesni},
    {"PCLMULQDQ", 0, 32 + 1, &CpuFeatures::pclmulqdq},
    {"AVX2", 1, 5, &CpuFeatures::avx2},
    {"SHA-NI", 1, 29, &CpuFeatures::shaNi},
    {"AVX-512", 1, 16, &CpuFeatures::avx512f},
    {"AVX-512 IFMA", 1, 21, &CpuFeatures::avx512ifma},
    {"VAES", 1, 32 + 9, &CpuFeatures::vaes},
    {"VPCLMULQDQ", 1, 32 + 10, &CpuFeatures::vpclmulqdq},
};

} // namespace

HardwareReport HardwareReport::detect()
{
    HardwareReport r;
    r.cpu = CpuFeatures::detect();
    const QString info = QString::fromLatin1(OpenSSL_version(OPENSSL_CPU_INFO));
    const QRegularExpression re(
        QStringLiteral("OPENSSL_ia32cap=0x([0-9a-fA-F]+):0x([0-9a-fA-F]+)"));
    const auto m = re.match(info);
    r.capabilityOverride = qEnvironmentVariable("OPENSSL_ia32cap");
    if (m.hasMatch()) {
        r.opensslCapabilities = m.captured(0);
        const quint64 words[2] = {m.captured(1).toULongLong(nullptr, 16),
                                  m.captured(2).toULongLong(nullptr, 16)};
        for (const VectorBit& b : kBits) {
            const bool used = ((words[b.word] >> b.bit) & 1U) != 0;
            const bool present = r.cpu.*(b.cpu);
            if (used && present) {
                r.opensslUses << QString::fromLatin1(b.name);
            } else if (present) {
                r.opensslMasked << QString::fromLatin1(b.name);
            }
        }
    } else {
        r.opensslCapabilities = info.isEmpty() ? QStringLiteral("not reported") : info;
    }

    QFile ulp(QStringLiteral("/proc/sys/net/ipv4/tcp_available_ulp"));
    QString offered;
    if (ulp.open(QIODevice::ReadOnly)) {
        offered = QString::fromLatin1(ulp.readAll()).simplified();
    }
    r.ktlsOffered = offered.split(u' ').contains(QStringLiteral("tls"));
    r.ktls = r.ktlsOffered
                 ? QStringLiteral("kernel TLS: on (the kernel offers the tls ULP; OpenSSL moves "
                                  "AES-GCM records into the kernel)")
                 : QStringLiteral("kernel TLS: off (the kernel offers only [%1], no tls ULP: "
                                  "records are encrypted in user space)")
                       .arg(offered.isEmpty() ? QStringLiteral("nothing") : offered);
    r.qat = QStringLiteral("QAT: not configured (software crypto)");
    return r;
}

void HardwareReport::loadQat(const QString& name)
{
    if (name.isEmpty()) {
        return;
    }
    const QStringList devices =
        QDir(QStringLiteral("/dev")).entryList({QStringLiteral("qat_*")}, QDir::System);
    // retain_fallbacks = 1: the default provider still serves everything the
    // QAT provider does not (and everything when it is missing).
    // Kept loaded for the life of the process: handshakes may use it any time.
    static ossl::ProviderPtr provider;
    if (!provider) {
        provider.reset(OSSL_PROVIDER_try_load(nullptr, name.toUtf8().constData(), 1));
    }
    if (!provider) {
        const QString why = ossl::drainErrors();
        qatLoaded = false;
        qat = QStringLiteral("QAT: provider '%1' could not be loaded (%2); %3; using software "
                             "crypto (%4)")
                  .arg(name, why.isEmpty() ? QStringLiteral("not installed") : why,
                       devices.isEmpty() ? QStringLiteral("no /dev/qat_* device")
                                         : QStringLiteral("devices: ") + devices.join(u' '),
                       opensslUses.isEmpty() ? QStringLiteral("no CPU crypto extensions")
                                             : opensslUses.join(QStringLiteral(", ")));
        return;
    }
    qatLoaded = true;
    qat = QStringLiteral("QAT: provider '%1' loaded%2")
              .arg(name, devices.isEmpty()
                             ? QStringLiteral(", but no /dev/qat_* device: it will fall back to "
                                              "software")
                             : QStringLiteral(" (") + devices.join(u' ') + u')');
}

QStringList HardwareReport::lines() const
{
    QStringList out;
    QStringList cpuFlags;
    for (const auto& f : cpu.flags()) {
        if (f.present) {
            cpuFlags << f.name;
        }
    }
    out << QStringLiteral("CPU: %1 %2; crypto instructions: %3")
               .arg(cpu.architecture, cpu.model,
                    cpuFlags.isEmpty() ? QStringLiteral("none") : cpuFlags.join(u' '));
    out << QStringLiteral("OpenSSL %1: %2; uses %3%4")
               .arg(QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION_STRING)),
                    opensslCapabilities,
                    opensslUses.isEmpty() ? QStringLiteral("no extensions")
                                          : opensslUses.join(u' '),
                    opensslMasked.isEmpty() ? QString()
                                            : QStringLiteral("; masked by OPENSSL_ia32cap: ") +
                                                  opensslMasked.join(u' '));
    out << ktls << qat;
    return out;
}

} // namespace certdeck::proxy
