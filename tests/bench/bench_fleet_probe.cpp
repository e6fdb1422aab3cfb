// SPDX-License-Identifier: GPL-3.0-or-later
// A fleet of N TLS endpoints (default 500) probed by FleetScanner (what
// `certdeckctl scan` runs: concurrency 64, per-host 4) and by sslscan
// --targets (sequential) in the same run, on bare loopback and through a
// relay that delays each direction (default 20 ms). Two fleets, each one
// nginx with the same TLS setup as bench_probe:
//   ports: N ports on 127.0.0.1 (one host: the per-host bound of 4 applies
//          to the whole fleet),
//   hosts: N loopback addresses 127.0.1.1... on one port (N hosts).
// Two kinds of work: "suites" (protocols and cipher suites only, sslscan
// with its other checks off) and "full" (ours: also server order and
// groups; sslscan: its default run). Prints wall time, connections the
// server accepted (nginx stub_status, the same count for both tools), the
// sslscan/ours ratio, and whether both found the same (protocol, suite)
// pairs per endpoint. sslscan can be measured on a subset and extrapolated
// linearly (it scans one target after another); the output says so.
// Not a test: no thresholds, run it by hand or with bench_fleet_probe.sh.
#include "BenchRelay.h"
#include "BenchSupport.h"
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "ScannerOracle.h"
#include "TestPki.h"
#include "probe/scan/FleetScanner.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <algorithm>
#include <memory>
#include <sys/resource.h>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;
using namespace certdeck::bench;

namespace {

struct Endpoint
{
    QString host;
    quint16 port = 0;
    QString key() const { return host + u':' + QString::number(port); }
};

/// One nginx serving the whole fleet, with its stub_status port.
struct Fleet
{
    QString name;
    std::unique_ptr<NginxFixture> nginx;
    quint16 statusPort = 0;
    QList<Endpoint> direct;
    QList<Endpoint> relayed;
};

QString hostAddress(int i)
{
    return QStringLiteral("127.0.%1.%2").arg(1 + i / 250).arg(1 + i % 250);
}

bool startFleet(Fleet& fleet, const TestPki& pki, int count, bool distinctHosts)
{
    for (int attempt = 0; attempt < 3; ++attempt) {
        fleet.nginx = std::make_unique<NginxFixture>();
        fleet.direct.clear();
        QList<quint16> ports;
        fleet.statusPort = freeLoopbackPort();
        ports << fleet.statusPort;
        QString tls = probeNginxTls(pki.good.fullchain, pki.good.key);
        if (distinctHosts) {
            for (int i = 0; i < count; ++i) {
                tls += QStringLiteral("listen %1:{port} ssl;\n").arg(hostAddress(i));
            }
        } else {
            // The fixture's own port is the first endpoint.
            while (ports.size() < count) {
                const quint16 p = freeLoopbackPort();
                if (p != 0 && !ports.contains(p)) {
                    ports << p;
                    tls += QStringLiteral("listen 127.0.0.1:%1 ssl;\n").arg(p);
                }
            }
        }
        if (!fleet.nginx->start(tls, stubStatusServer(fleet.statusPort))) {
            out() << "nginx (" << fleet.name << ") failed, attempt " << attempt + 1 << ": "
                  << fleet.nginx->errorString().left(400) << "\n";
            out().flush();
            continue;
        }
        if (distinctHosts) {
            for (int i = 0; i < count; ++i) {
                fleet.direct << Endpoint{hostAddress(i), fleet.nginx->port()};
            }
        } else {
            fleet.direct << Endpoint{QStringLiteral("127.0.0.1"), fleet.nginx->port()};
            for (qsizetype i = 1; i < ports.size(); ++i) {
                fleet.direct << Endpoint{QStringLiteral("127.0.0.1"), ports.at(i)};
            }
        }
        return true;
    }
    return false;
}

struct FleetRun
{
    QString tool;
    int scanned = 0;
    qint64 ms = 0;
    qint64 serverConnections = 0;
    int failed = 0;
    int peak = 0;
    /// (protocol, suite) pairs per endpoint index.
    QHash<int, QSet<QString>> pairs;
};

FleetRun runOurs(const QList<Endpoint>& endpoints, bool full, quint16 statusPort)
{
    QList<ScanItem> items;
    QHash<QString, int> index;
    for (qsizetype i = 0; i < endpoints.size(); ++i) {
        ScanItem item;
        item.target.host = endpoints.at(i).host;
        item.target.port = endpoints.at(i).port;
        item.target.sni = QStringLiteral("localhost");
        items << item;
        index.insert(endpoints.at(i).key(), int(i));
    }
    ScanOptions options; // concurrency 64, per-host 4: certdeckctl scan's defaults
    options.probe.serverOrder = full;
    options.probe.groups = full;
    FleetRun run;
    run.tool = QStringLiteral("certdeck");
    run.scanned = int(endpoints.size());
    const qint64 before = nginxAccepts(statusPort);
    QEventLoop loop;
    FleetScanner scanner(items, options);
    QObject::connect(&scanner, &FleetScanner::endpointDone, &loop,
                     [&](const ScanItem& item, const EndpointResult& e) {
                         // Each target is an IP literal: one node.
                         const QSet<QString> pairs =
                             e.nodes.isEmpty() ? QSet<QString>{} : proberPairs(e.nodes.first());
                         if (pairs.isEmpty()) {
                             ++run.failed;
                         }
                         run.pairs.insert(
                             index.value(Endpoint{item.target.host, item.target.port}.key()),
                             pairs);
                     });
    QObject::connect(&scanner, &FleetScanner::finished, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    scanner.start();
    if (!scanner.isFinished()) {
        loop.exec();
    }
    run.ms = clock.elapsed();
    run.peak = scanner.peakConnections();
    run.serverConnections = nginxAccepts(statusPort) - before;
    return run;
}

FleetRun runSslscan(const QList<Endpoint>& endpoints, bool full, quint16 statusPort,
                    const QString& dir)
{
    FleetRun run;
    run.tool = QStringLiteral("sslscan");
    run.scanned = int(endpoints.size());
    QByteArray targets;
    QHash<QString, int> index;
    for (qsizetype i = 0; i < endpoints.size(); ++i) {
        targets += endpoints.at(i).key().toLatin1() + '\n';
        index.insert(endpoints.at(i).key(), int(i));
    }
    const QString targetsFile = dir + QStringLiteral("/fleet-targets.txt");
    const QString xml = dir + QStringLiteral("/fleet-sslscan.xml");
    QFile::remove(xml);
    QFile t(targetsFile);
    if (!t.open(QIODevice::WriteOnly | QIODevice::Truncate) || t.write(targets) < 0) {
        out() << "cannot write " << targetsFile << "\n";
        return run;
    }
    t.close();
    QStringList args{QStringLiteral("--no-colour"), QStringLiteral("--xml=") + xml,
                     QStringLiteral("--sni-name=localhost"),
                     QStringLiteral("--targets=") + targetsFile};
    if (!full) {
        args << QStringLiteral("--no-groups") << QStringLiteral("--no-heartbleed")
             << QStringLiteral("--no-renegotiation") << QStringLiteral("--no-compression")
             << QStringLiteral("--no-fallback") << QStringLiteral("--no-check-certificate");
    }
    const qint64 before = nginxAccepts(statusPort);
    QProcess p;
    p.setStandardOutputFile(QProcess::nullDevice());
    p.setStandardErrorFile(dir + QStringLiteral("/fleet-sslscan.err"));
    QElapsedTimer clock;
    clock.start();
    // The relay runs on its own thread: blocking here holds nothing up.
    p.start(QStringLiteral("sslscan"), args);
    if (!p.waitForFinished(-1)) {
        out() << "sslscan did not run: " << p.errorString() << "\n";
    }
    run.ms = clock.elapsed();
    run.serverConnections = nginxAccepts(statusPort) - before;
    QFile f(xml);
    if (f.open(QIODevice::ReadOnly)) {
        const auto byTarget = ScannerOracle::parseSslscanXmlByTarget(f.readAll());
        for (auto it = byTarget.cbegin(); it != byTarget.cend(); ++it) {
            const QSet<QString> pairs = sslscanPairs(it.value());
            if (pairs.isEmpty()) {
                ++run.failed;
            }
            run.pairs.insert(index.value(it.key(), -1), pairs);
        }
    }
    run.failed += run.scanned - int(run.pairs.size());
    return run;
}

/// Endpoints (by index) whose pairs differ between the two runs, over the
/// endpoints the smaller run scanned.
int differences(const FleetRun& a, const FleetRun& b, QString* example)
{
    int n = 0;
    const FleetRun& small = a.scanned <= b.scanned ? a : b;
    const FleetRun& large = a.scanned <= b.scanned ? b : a;
    for (int i = 0; i < small.scanned; ++i) {
        const QSet<QString> x = small.pairs.value(i);
        const QSet<QString> y = large.pairs.value(i);
        if (x != y) {
            if (n == 0 && example) {
                *example = QStringLiteral("endpoint %1: %2 has %3 pairs, %4 has %5")
                               .arg(i)
                               .arg(small.tool)
                               .arg(x.size())
                               .arg(large.tool)
                               .arg(y.size());
            }
            ++n;
        }
    }
    return n;
}

int argValue(const QStringList& args, const QString& name, int fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
}

void raiseFileLimit()
{
    // One nginx and the relay each hold N listening sockets.
    rlimit l{};
    if (getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
        l.rlim_cur = l.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &l);
    }
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int count = std::clamp(argValue(args, QStringLiteral("--count"), 500), 1, 5000);
    const int delayMs = std::max(0, argValue(args, QStringLiteral("--delay"), 20));
    // sslscan endpoints measured per path (0: all), extrapolated to --count.
    const int loopSubset = argValue(args, QStringLiteral("--loopback-subset"), 0);
    const int relaySubset = argValue(args, QStringLiteral("--relay-subset"), 25);
    const qsizetype li = args.indexOf(QStringLiteral("--layouts"));
    const QStringList layouts = li >= 0 && li + 1 < args.size()
                                    ? args.at(li + 1).split(u',')
                                    : QStringList{QStringLiteral("ports"), QStringLiteral("hosts")};
    raiseFileLimit();

    FixtureDir dir;
    TestPki pki;
    TestPki::Options opt;
    opt.keyType = TestPki::KeyType::Rsa2048;
    if (!pki.create(dir.path(), opt) || !pki.issueStandardSet()) {
        out() << "test PKI failed: " << pki.errorString() << "\n";
        return 1;
    }
    QList<std::shared_ptr<Fleet>> fleets;
    DelayRelay relay(delayMs, true);
    for (const QString& layout : layouts) {
        auto fleet = std::make_shared<Fleet>();
        fleet->name = layout;
        if (!startFleet(*fleet, pki, count, layout == QLatin1String("hosts"))) {
            return 1;
        }
        for (const Endpoint& e : std::as_const(fleet->direct)) {
            const quint16 p = relay.addRoute(QHostAddress(e.host), QHostAddress(e.host), e.port);
            if (p == 0) {
                out() << "relay cannot listen on " << e.host << "\n";
                return 1;
            }
            fleet->relayed << Endpoint{e.host, p};
        }
        fleets << fleet;
    }
    // sslscan gets the first fleet: it scans one target after another, so
    // the layout does not change its time.
    const Fleet& scanFleet = *fleets.constFirst();

    out() << machineLine() << "\n"
          << "Fleet of " << count << " endpoints (nginx, TLS 1.0-1.3, RSA 2048); ours: "
          << "FleetScanner concurrency 64, per-host 4; sslscan --targets (sequential) on the '"
          << scanFleet.name << "' fleet\n"
          << "conns = connections nginx accepted (stub_status); sslscan figures marked * are "
             "measured on the first K endpoints and extrapolated linearly to "
          << count << "\n\n"
          << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
                 .arg(QStringLiteral("path"), -14)
                 .arg(QStringLiteral("work"), -7)
                 .arg(QStringLiteral("tool (fleet)"), -20)
                 .arg(QStringLiteral("K"), 5)
                 .arg(QStringLiteral("wall ms"), 10)
                 .arg(QStringLiteral("conns"), 8)
                 .arg(QStringLiteral("sslscan/ours"), 13);
    out().flush();

    bool allSame = true;
    QStringList summary;
    struct Path
    {
        QString name;
        bool relayed;
        int subset;
    };
    for (const Path& path : {Path{QStringLiteral("loopback"), false, loopSubset},
                             Path{QStringLiteral("relay %1 ms").arg(delayMs), true, relaySubset}}) {
        for (const bool full : {false, true}) {
            const QString work = full ? QStringLiteral("full") : QStringLiteral("suites");
            const QList<Endpoint>& scanList = path.relayed ? scanFleet.relayed : scanFleet.direct;
            const int k = path.subset > 0 ? std::min<int>(path.subset, int(scanList.size()))
                                          : int(scanList.size());
            const FleetRun s =
                runSslscan(scanList.mid(0, k), full, scanFleet.statusPort, dir.path());
            const double scale = double(count) / double(k);
            const double sMs = double(s.ms) * scale;
            const double sConns = double(s.serverConnections) * scale;
            const QString mark = k < count ? QStringLiteral("*") : QString();
            out() << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                         .arg(path.name, -14)
                         .arg(work, -7)
                         .arg(QStringLiteral("sslscan (%1)").arg(scanFleet.name), -20)
                         .arg(k, 5)
                         .arg(QString::number(qint64(sMs)) + mark, 10)
                         .arg(QString::number(qint64(sConns)) + mark, 8);
            out().flush();
            for (const auto& fleet : std::as_const(fleets)) {
                const FleetRun o =
                    runOurs(path.relayed ? fleet->relayed : fleet->direct, full, fleet->statusPort);
                out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
                             .arg(QString(), -14)
                             .arg(QString(), -7)
                             .arg(QStringLiteral("certdeck (%1)").arg(fleet->name), -20)
                             .arg(o.scanned, 5)
                             .arg(o.ms, 10)
                             .arg(o.serverConnections, 8)
                             .arg(ratio(sMs, double(o.ms)), 13);
                QString example;
                const int diff = differences(o, s, &example);
                if (diff > 0 || o.failed > 0 || s.failed > 0) {
                    allSame = false;
                    out() << "    " << diff << " of " << std::min(o.scanned, s.scanned)
                          << " endpoints differ from sslscan; failed: ours " << o.failed
                          << ", sslscan " << s.failed << (example.isEmpty() ? "" : "; ") << example
                          << "\n";
                }
                summary << QStringLiteral("%1 %2 %3: %4 (conns %5)")
                               .arg(path.name, work, fleet->name, ratio(sMs, double(o.ms)))
                               .arg(ratio(sConns, double(o.serverConnections)));
                out().flush();
            }
        }
    }
    out() << "\nsslscan/ours wall-time ratios (connection ratio in brackets):\n  "
          << summary.join(QStringLiteral("\n  ")) << "\n"
          << "same (protocol, suite) pairs per endpoint as sslscan: " << (allSame ? "yes" : "NO")
          << "\n";
    return allSame ? 0 : 1;
}
