// SPDX-License-Identifier: GPL-3.0-or-later
// The oracle is the kernel: /proc/cpuinfo lists the flags it found usable.
#include "common/CpuFeatures.h"

#include <QFile>
#include <QSet>
#include <QTest>

using namespace certdeck;

class TestCpuFeatures : public QObject
{
    Q_OBJECT
private slots:
    void matchesProcCpuinfo_data();
    void matchesProcCpuinfo();
    void flagsHaveDisplayNames();
};

namespace {
QSet<QByteArray> kernelFlags()
{
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("flags")) {
            const QList<QByteArray> parts = line.mid(line.indexOf(':') + 1).trimmed().split(' ');
            return QSet<QByteArray>(parts.begin(), parts.end());
        }
    }
    return {};
}
} // namespace

void TestCpuFeatures::matchesProcCpuinfo_data()
{
    QTest::addColumn<QByteArray>("kernelName");
    QTest::addColumn<QString>("displayName");
    QTest::newRow("aes") << QByteArray("aes") << QStringLiteral("AES-NI");
    QTest::newRow("pclmulqdq") << QByteArray("pclmulqdq") << QStringLiteral("PCLMULQDQ");
    QTest::newRow("vaes") << QByteArray("vaes") << QStringLiteral("VAES");
    QTest::newRow("vpclmulqdq") << QByteArray("vpclmulqdq") << QStringLiteral("VPCLMULQDQ");
    QTest::newRow("sha_ni") << QByteArray("sha_ni") << QStringLiteral("SHA-NI");
    QTest::newRow("avx2") << QByteArray("avx2") << QStringLiteral("AVX2");
    QTest::newRow("avx512f") << QByteArray("avx512f") << QStringLiteral("AVX-512");
    QTest::newRow("avx512ifma") << QByteArray("avx512ifma") << QStringLiteral("AVX-512 IFMA");
}

void TestCpuFeatures::matchesProcCpuinfo()
{
    QFETCH(QByteArray, kernelName);
    QFETCH(QString, displayName);
    const QSet<QByteArray> flags = kernelFlags();
    const CpuFeatures f = CpuFeatures::detect();
    if (flags.isEmpty() || f.architecture != QLatin1String("x86_64")) {
        QSKIP("no x86 /proc/cpuinfo flags line on this machine");
    }
    bool found = false;
    for (const auto& flag : f.flags()) {
        if (flag.name == displayName) {
            found = true;
            QCOMPARE(flag.present, flags.contains(kernelName));
        }
    }
    QVERIFY2(found, qPrintable(displayName));
}

void TestCpuFeatures::flagsHaveDisplayNames()
{
    const CpuFeatures f = CpuFeatures::detect();
    QVERIFY(!f.architecture.isEmpty());
    QCOMPARE(f.flags().size(), 8);
}

QTEST_GUILESS_MAIN(TestCpuFeatures)
#include "test_cpufeatures.moc"
