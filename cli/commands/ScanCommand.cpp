// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl scan: probes every endpoint of the inventory (or one group) on
// one event loop, with a global and a per-host bound on open connections,
// records each result in the endpoint's probe history, and exits with the
// worst verdict (monitoring-plugin convention).
#include "CliSupport.h"
#include "ProbeExitCode.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "probe/AddressResolver.h"
#include "probe/FleetScanner.h"
#include "probe/ProbeAssessment.h"
#include "probe/ProbeReport.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace certdeck::cli {

namespace {

using namespace certdeck::probe;

bool readBound(const QCommandLineParser& p, const QCommandLineOption& o, int max, int* out)
{
    bool ok = false;
    const int v = p.value(o).toInt(&ok);
    if (!ok || v < 1 || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/// The text after "OK host:port - ": the accepted versions when clean, else
/// what makes it a warning or critical (each node named when there are
/// several, and the differences between them).
QString scanSummary(const EndpointResult& r, const ProbeAssessment& a)
{
    if (a.verdict != ProbeVerdict::Ok) {
        QStringList why = endpointProblems(r);
        // Critical by a finding alone (a revoked staple): name the finding.
        for (const Finding& f : a.findings) {
            if (f.severity == FindingSeverity::Critical && !why.contains(f.title)) {
                why << f.title;
            }
        }
        return why.join(QStringLiteral("; "));
    }
    QStringList versions;
    for (const ProtocolProbe& pp : r.nodes.constFirst().protocols) {
        if (pp.accepted) {
            versions << tlsVersionName(pp.version);
        }
    }
    QString line = versions.join(QStringLiteral(", "));
    if (r.nodes.size() > 1) {
        line += QStringLiteral(" (%1 nodes alike)").arg(r.nodes.size());
    }
    return line;
}

ExitCode runScan(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption group(QStringLiteral("group"),
                                   QStringLiteral("Only the endpoints of this group."),
                                   QStringLiteral("GROUP"));
    const QCommandLineOption concurrency(
        QStringLiteral("concurrency"),
        QStringLiteral("Connections open at once in all (default 64)."), QStringLiteral("N"),
        QStringLiteral("64"));
    const QCommandLineOption perHost(
        QStringLiteral("per-host"),
        QStringLiteral("Connections open at once to one address (default 4)."), QStringLiteral("N"),
        QStringLiteral("4"));
    const QCommandLineOption timeout(
        QStringLiteral("timeout"),
        QStringLiteral("Limit for each step of each connection in ms (default 5000)."),
        QStringLiteral("MS"), QStringLiteral("5000"));
    const QCommandLineOption inspect(
        QStringLiteral("inspect"),
        QStringLiteral("Also inspect each endpoint through real OpenSSL handshakes (OCSP staple, "
                       "resumption, ALPN, HSTS): about 8 more connections per endpoint."));
    const QCommandLineOption noRecord(QStringLiteral("no-record"),
                                      QStringLiteral("Do not write the probe history."));
    const QCommandLineOption resolver(
        QStringLiteral("resolver"),
        QStringLiteral("Ask this DNS server (IP[:PORT]) for the endpoints' addresses."),
        QStringLiteral("IP[:PORT]"));
    p.addOptions({group, concurrency, perHost, timeout, noRecord, resolver, inspect});
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (p.isSet(common.help)) {
        ctx.out << "Usage: certdeckctl scan [--group G] [--concurrency N] [--per-host N]\n"
                   "         [--timeout MS] [--resolver IP[:PORT]] [--inspect] [--no-record] "
                   "[--json]\n\n"
                   "Probes every endpoint in the inventory (protocols, cipher suites, order,\n"
                   "groups) with at most N connections open at once in all and --per-host at\n"
                   "once to any one address, and records each result in the endpoint's probe\n"
                   "history. Every A and AAAA address of a name is probed (an endpoint's\n"
                   "address override keeps one); the history holds one record per endpoint\n"
                   "with its nodes inside. One line per endpoint; the exit code is the worst\n"
                   "verdict:\n\n"
                   "  0  every endpoint reachable, nothing weak accepted\n"
                   "  1  a weak protocol or suite somewhere (see `certdeckctl probe`), or the\n"
                   "     nodes behind a name differ\n"
                   "  2  an endpoint or one of its nodes is unreachable, a name does not\n"
                   "     resolve, or no handshake succeeded\n"
                   "  3  usage error, or the inventory cannot be read\n\n"
                << exitCodeHelp();
        ctx.out.flush();
        return ExitCode::Ok;
    }
    common.apply(p, ctx);
    if (!p.positionalArguments().isEmpty()) {
        return usageError(ctx, QStringLiteral("usage: certdeckctl scan [options]"));
    }
    ScanOptions options;
    int timeoutMs = 0;
    if (!readBound(p, concurrency, 4096, &options.concurrency)) {
        return usageError(ctx, QStringLiteral("--concurrency needs a number from 1 to 4096"));
    }
    if (!readBound(p, perHost, 64, &options.perHost)) {
        return usageError(ctx, QStringLiteral("--per-host needs a number from 1 to 64"));
    }
    if (!readBound(p, timeout, 600000, &timeoutMs)) {
        return usageError(ctx, QStringLiteral("--timeout needs milliseconds from 1 to 600000"));
    }
    options.probe.connectTimeoutMs = timeoutMs;
    options.probe.firstByteTimeoutMs = timeoutMs;
    options.probe.replyTimeoutMs = timeoutMs;
    options.probe.dnsTimeoutMs = timeoutMs;
    options.probe.inspect = p.isSet(inspect);
    if (p.isSet(resolver)) {
        auto server = parseDnsServer(p.value(resolver));
        if (!server) {
            return usageError(ctx, QStringLiteral("--resolver: ") + server.error().message);
        }
        options.probe.resolver = *server;
    }

    auto store = inventory::Store::openUrl(ctx.dbPath);
    if (!store) {
        return reportError(ctx, store.error());
    }
    inventory::EndpointFilter filter;
    filter.group = p.value(group);
    auto endpoints = (*store)->listEndpoints(filter);
    if (!endpoints) {
        return reportError(ctx, endpoints.error());
    }
    if (endpoints->isEmpty()) {
        ctx.err << "certdeckctl: no endpoint to scan"
                << (filter.group.isEmpty() ? QString()
                                           : QStringLiteral(" in group '%1'").arg(filter.group))
                << "\n";
        ctx.err.flush();
        return ExitCode::Unknown;
    }
    QList<ScanItem> items;
    for (const inventory::Endpoint& e : std::as_const(*endpoints)) {
        ScanItem item;
        item.endpointId = e.id;
        item.target.host = e.host;
        item.target.port = e.port;
        item.target.sni = e.sniName;
        item.target.address = e.addressOverride;
        items << item;
    }

    const bool record = !p.isSet(noRecord);
    (*store)->setActor(inventory::Store::osUserName());
    ProbeVerdict worst = ProbeVerdict::Ok;
    QJsonArray results;
    int recordFailures = 0;
    QEventLoop loop;
    FleetScanner scanner(items, options);
    QObject::connect(
        &scanner, &FleetScanner::endpointDone, &loop,
        [&](const ScanItem& item, const EndpointResult& r) {
            const ProbeAssessment assessment = assessEndpointResult(r);
            // The assessment's verdict: the worst node, raised to critical by a
            // critical finding (an insecure suite, a revoked staple), as the
            // history and the console have it.
            const ProbeVerdict v = assessment.verdict;
            worst = std::max(worst, v);
            const QString where = inventory::endpointAddress(item.target.host, item.target.port);
            const QString why = scanSummary(r, assessment);
            // The history record and --json carry the same report: the
            // nodes, their findings and the grade.
            const inventory::ProbeRecord rec =
                probeRecord(item.endpointId, r, assessment, QDateTime::currentDateTimeUtc());
            if (record) {
                if (auto added = (*store)->addProbe(rec); !added) {
                    ++recordFailures;
                    ctx.err << "certdeckctl: " << where
                            << ": the result was not recorded: " << added.error().message << "\n";
                }
            }
            QJsonObject json = QJsonDocument::fromJson(rec.reportJson).object();
            json.insert(QStringLiteral("verdict"), probeVerdictName(v));
            if (ctx.json) {
                results.append(json);
            } else {
                ctx.out << probeVerdictName(v).toUpper() << " " << where << " - " << why
                        << " [grade " << assessment.grade.letter << "]\n";
                ctx.out.flush();
            }
        });
    QObject::connect(
        &scanner, &FleetScanner::progress, &loop, [&ctx](int done, int total, const QString& last) {
            ctx.err << "certdeckctl: scan " << done << "/" << total << " " << last << "\n";
            ctx.err.flush();
        });
    QObject::connect(&scanner, &FleetScanner::finished, &loop, &QEventLoop::quit);
    scanner.start();
    if (!scanner.isFinished()) {
        loop.exec();
    }
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("endpoints"), results},
                            {QStringLiteral("peakConnections"), scanner.peakConnections()},
                            {QStringLiteral("verdict"), probeVerdictName(worst)}});
    }
    ctx.err << "certdeckctl: scanned " << items.size() << " endpoint(s), at most "
            << scanner.peakConnections() << " connection(s) open at once\n";
    ctx.err.flush();
    if (recordFailures > 0) {
        return ExitCode::Unknown;
    }
    return exitCodeFor(worst);
}

} // namespace

CERTDECK_COMMAND({QStringLiteral("scan"),
                  QStringLiteral("  scan [--group G]   probe every endpoint of the inventory "
                                 "(--concurrency, --per-host) and record the results\n"),
                  runScan});

} // namespace certdeck::cli
