// SPDX-License-Identifier: GPL-3.0-or-later
// One endpoint (a real nginx, TLS 1.0-1.3 with legacy and modern suites)
// enumerated by TlsProber and by sslscan in the same run, on bare loopback,
// through a counting relay (0 ms) and through a delaying relay (20 ms each
// way). Prints wall time (median of N runs), connections opened and the
// sslscan/prober ratio, and whether both found the same (protocol, suite)
// pairs. Not a test: no thresholds, run it by hand or with bench_probe.sh.
#include "BenchRelay.h"
#include "BenchSupport.h"
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "ScannerOracle.h"
#include "TestPki.h"
#include "probe/scan/TlsProber.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <algorithm>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;
using namespace certdeck::bench;

namespace {

struct Run
{
    qint64 ms = 0;
    int connections = 0;
    QSet<QString> pairs;
};

Run runProber(quint16 port)
{
    ProbeTarget t;
    t.host = QStringLiteral("127.0.0.1");
    t.port = port;
    t.sni = QStringLiteral("localhost");
    ProbeOptions o;
    // The same work as sslscan's cipher enumeration: protocols and suites,
    // plus the order and group checks it also does.
    TlsProber prober(t, o);
    QEventLoop loop;
    QObject::connect(&prober, &TlsProber::finished, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    prober.start();
    loop.exec();
    Run r;
    r.ms = clock.elapsed();
    const ProbeResult probed = prober.result().value_or(ProbeResult{});
    r.connections = probed.connections;
    r.pairs = proberPairs(probed);
    return r;
}

Run runSslscan(quint16 port, const QString& dir)
{
    // Asynchronous, so this process's relay keeps forwarding meanwhile.
    const QString xml = dir + QStringLiteral("/bench-sslscan.xml");
    QFile::remove(xml);
    QProcess p;
    QEventLoop loop;
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    p.start(QStringLiteral("sslscan"),
            {QStringLiteral("--no-colour"), QStringLiteral("--xml=") + xml,
             QStringLiteral("--sni-name=localhost"), QStringLiteral("127.0.0.1:%1").arg(port)});
    loop.exec();
    Run r;
    r.ms = clock.elapsed();
    QFile f(xml);
    if (f.open(QIODevice::ReadOnly)) {
        r.pairs = sslscanPairs(ScannerOracle::parseSslscanXml(f.readAll()));
    }
    return r;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int runs = 3;
    const QStringList args = app.arguments();
    if (const qsizetype i = args.indexOf(QStringLiteral("--runs")); i >= 0 && i + 1 < args.size()) {
        runs = std::max(1, args.at(i + 1).toInt());
    }
    FixtureDir dir;
    TestPki pki;
    TestPki::Options opt;
    opt.keyType = TestPki::KeyType::Rsa2048;
    if (!pki.create(dir.path(), opt) || !pki.issueStandardSet()) {
        out() << "test PKI failed: " << pki.errorString() << "\n";
        return 1;
    }
    NginxFixture nginx;
    if (!nginx.start(probeNginxTls(pki.good.fullchain, pki.good.key))) {
        out() << "nginx failed: " << nginx.errorString() << "\n";
        return 1;
    }
    DelayRelay counting(0);
    DelayRelay delayed(20);
    const quint16 countingPort = counting.addRoute(nginx.port());
    const quint16 delayedPort = delayed.addRoute(nginx.port());
    if (countingPort == 0 || delayedPort == 0) {
        out() << "relay failed to listen\n";
        return 1;
    }
    out() << "One endpoint (nginx, TLS 1.0-1.3), median of " << runs << " runs\n"
          << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("path"), -22)
                 .arg(QStringLiteral("tool"), -9)
                 .arg(QStringLiteral("wall ms"), 9)
                 .arg(QStringLiteral("conns"), 6)
                 .arg(QStringLiteral("sslscan/prober"), 15);
    struct Path
    {
        QString name;
        quint16 port;
        DelayRelay* relay;
    };
    bool same = true;
    for (const Path& path : {Path{QStringLiteral("loopback"), nginx.port(), nullptr},
                             Path{QStringLiteral("relay 0 ms (counting)"), countingPort, &counting},
                             Path{QStringLiteral("relay 20 ms each way"), delayedPort, &delayed}}) {
        QList<qint64> proberMs;
        QList<qint64> scanMs;
        int proberConns = 0;
        int scanConns = 0;
        for (int i = 0; i < runs; ++i) {
            if (path.relay) {
                path.relay->resetCount();
            }
            const Run p = runProber(path.port);
            proberMs << p.ms;
            proberConns = path.relay ? path.relay->connections() : p.connections;
            if (path.relay) {
                path.relay->resetCount();
            }
            const Run s = runSslscan(path.port, dir.path());
            scanMs << s.ms;
            scanConns = path.relay ? path.relay->connections() : -1;
            if (p.pairs != s.pairs) {
                same = false;
                out() << "  results differ on " << path.name << ": prober " << p.pairs.size()
                      << " pairs, sslscan " << s.pairs.size() << "\n";
            }
        }
        const qint64 pm = median(proberMs);
        const qint64 sm = median(scanMs);
        out() << QStringLiteral("%1 %2 %3 %4\n")
                     .arg(path.name, -22)
                     .arg(QStringLiteral("prober"), -9)
                     .arg(pm, 9)
                     .arg(proberConns, 6)
              << QStringLiteral("%1 %2 %3 %4 %5\n")
                     .arg(QString(), -22)
                     .arg(QStringLiteral("sslscan"), -9)
                     .arg(sm, 9)
                     .arg(scanConns < 0 ? QStringLiteral("?") : QString::number(scanConns), 6)
                     .arg(ratio(double(sm), double(pm)), 15);
        out().flush();
    }
    out() << "same (protocol, suite) pairs as sslscan: " << (same ? "yes" : "NO") << "\n";
    return same ? 0 : 1;
}
