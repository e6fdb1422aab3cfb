// SPDX-License-Identifier: GPL-3.0-or-later
#include "CpuFeatures.h"

#include <QSysInfo>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define CERTDECK_X86 1
#endif

namespace certdeck {

QList<CpuFeatures::Flag> CpuFeatures::flags() const
{
    return {
        {QStringLiteral("AES-NI"), aesni},    {QStringLiteral("PCLMULQDQ"), pclmulqdq},
        {QStringLiteral("VAES"), vaes},       {QStringLiteral("VPCLMULQDQ"), vpclmulqdq},
        {QStringLiteral("SHA-NI"), shaNi},    {QStringLiteral("AVX2"), avx2},
        {QStringLiteral("AVX-512"), avx512f}, {QStringLiteral("AVX-512 IFMA"), avx512ifma},
    };
}

#ifdef CERTDECK_X86
namespace {

bool bit(unsigned reg, int n)
{
    return ((reg >> n) & 1U) != 0;
}

unsigned long long xgetbv0()
{
    unsigned eax = 0;
    unsigned edx = 0;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<unsigned long long>(edx) << 32) | eax;
}

} // namespace
#endif

CpuFeatures CpuFeatures::detect()
{
    CpuFeatures f;
    f.architecture = QSysInfo::currentCpuArchitecture();
#ifdef CERTDECK_X86
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid(0, &a, &b, &c, &d) == 0) {
        return f;
    }
    const unsigned maxLeaf = a;
    char vendor[13] = {};
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &d, 4);
    std::memcpy(vendor + 8, &c, 4);
    f.vendor = QString::fromLatin1(vendor);

    __get_cpuid(1, &a, &b, &c, &d);
    f.aesni = bit(c, 25);
    f.pclmulqdq = bit(c, 1);
    const bool osxsave = bit(c, 27);
    const bool avx = bit(c, 28);
    const unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
    const bool ymmSaved = (xcr0 & 0x6) == 0x6;
    const bool zmmSaved = (xcr0 & 0xe6) == 0xe6;

    if (maxLeaf >= 7) {
        __get_cpuid_count(7, 0, &a, &b, &c, &d);
        f.avx2 = avx && ymmSaved && bit(b, 5);
        f.shaNi = bit(b, 29);
        f.avx512f = zmmSaved && bit(b, 16);
        f.avx512ifma = zmmSaved && bit(b, 21);
        f.vaes = avx && ymmSaved && bit(c, 9);
        f.vpclmulqdq = avx && ymmSaved && bit(c, 10);
    }

    unsigned ext = __get_cpuid_max(0x80000000U, nullptr);
    if (ext >= 0x80000004U) {
        char brand[49] = {};
        for (unsigned i = 0; i < 3; ++i) {
            __get_cpuid(0x80000002U + i, &a, &b, &c, &d);
            std::memcpy(brand + i * 16, &a, 4);
            std::memcpy(brand + i * 16 + 4, &b, 4);
            std::memcpy(brand + i * 16 + 8, &c, 4);
            std::memcpy(brand + i * 16 + 12, &d, 4);
        }
        f.model = QString::fromLatin1(brand).trimmed();
    }
#endif
    return f;
}

} // namespace certdeck
