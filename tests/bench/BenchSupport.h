// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Pieces the benchmarks share: output, medians, the nginx TLS setup that the
// probe benchmarks scan, (protocol, suite) pairs named the same way for the
// prober and for sslscan, and nginx's server-side connection counter.

#include "ScannerOracle.h"
#include "probe/scan/ProbeResult.h"

#include <QList>
#include <QSet>
#include <QString>
#include <QTextStream>

namespace certdeck::bench {

QTextStream& out();

[[nodiscard]] qint64 median(QList<qint64> values);

/// "12.3x", or "-" when `denominator` is 0.
[[nodiscard]] QString ratio(double numerator, double denominator);

/// nginx TLS directives for the probe benchmarks: TLS 1.0-1.3 with modern,
/// CBC and static-RSA suites (an RSA key; @SECLEVEL=0 for the old ones).
[[nodiscard]] QString probeNginxTls(const QString& fullchain, const QString& key);

/// A second nginx server block (for NginxFixture's `httpExtra`) answering
/// stub_status on 127.0.0.1:`port`: accepted connections, counted by the
/// server for every client alike.
[[nodiscard]] QString stubStatusServer(quint16 port);

/// nginx's accepted-connection count from stub_status on 127.0.0.1:`port`
/// (the request itself is not counted); -1 on failure.
[[nodiscard]] qint64 nginxAccepts(quint16 port);

/// "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" for each accepted pair.
[[nodiscard]] QSet<QString> proberPairs(const probe::ProbeResult& result);
/// The same names for sslscan's accepted suites.
[[nodiscard]] QSet<QString> sslscanPairs(const QList<test::OracleSuite>& suites);

/// A line naming the machine and the tools, to print before the figures.
[[nodiscard]] QString machineLine();

} // namespace certdeck::bench
