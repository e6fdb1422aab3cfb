// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl scan: checks every endpoint of the inventory (or one group)
// through services::ScanService — the same check, verdict and history
// record as `certdeckctl probe` and the console — and exits with the worst
// verdict (monitoring-plugin convention).
#include "CheckOptions.h"
#include "CliSupport.h"
#include "OperationRunner.h"
#include "ProbeExitCode.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "probe/assess/ProbeReport.h"
#include "probe/scan/AddressResolver.h"
#include "services/ScanService.h"
#include "services/ScanTargets.h"

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
    const CheckOptions checkOptions;
    checkOptions.addTo(p);
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("scan"), p.positionalArguments(), &code)) {
        return code;
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
    if (p.isSet(resolver)) {
        auto server = parseDnsServer(p.value(resolver));
        if (!server) {
            return usageError(ctx, QStringLiteral("--resolver: ") + server.error().message);
        }
        options.probe.resolver = *server;
    }

    services::ScanServiceOptions serviceOptions;
    std::optional<services::TrustAnchors> override;
    if (auto s = checkOptions.apply(p, serviceOptions, override); !s) {
        return usageError(ctx, s.error().message);
    }
    serviceOptions.fullInspection = p.isSet(inspect);

    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    inventory::EndpointFilter filter;
    filter.group = p.value(group);
    auto targets = services::scanTargets(**store, filter);
    if (!targets) {
        return reportError(ctx, targets.error());
    }
    if (targets->isEmpty()) {
        ctx.err << "certdeckctl: no endpoint to scan"
                << (filter.group.isEmpty() ? QString()
                                           : QStringLiteral(" in group '%1'").arg(filter.group))
                << "\n";
        ctx.err.flush();
        return ExitCode::Unknown;
    }
    if (override) {
        for (services::ScanTarget& t : *targets) {
            t.anchors = *override;
        }
    }
    const qsizetype total = targets->size();
    serviceOptions.scan = options;
    const bool record = !p.isSet(noRecord);
    (*store)->setActor(inventory::Store::osUserName());
    QJsonArray results;
    services::ScanService service(std::move(*targets), serviceOptions, record ? *store : nullptr);
    QObject::connect(&service, &services::ScanService::endpointChecked, &service,
                     [&](const services::EndpointCheck& c) {
                         if (ctx.json) {
                             results.append(services::endpointCheckJson(c));
                             return;
                         }
                         ctx.out << probeVerdictName(c.assessment.verdict).toUpper() << " "
                                 << inventory::endpointAddress(c.target.target.host,
                                                               c.target.target.port)
                                 << " - " << services::checkSummary(c) << " [grade "
                                 << c.assessment.grade.letter << "]\n";
                         ctx.out.flush();
                     });
    // Progress on stderr; Ctrl-C or SIGTERM cancels (every connection
    // closed at once; what was checked and recorded stays, nothing half-done).
    const Status ran = OperationRunner(ctx, QStringLiteral("scan")).run(service);
    if (!ran && ran.error().code == ErrorCode::Cancelled) {
        ctx.err << "certdeckctl: scan cancelled after " << service.results().size() << " of "
                << total << " endpoint(s)\n";
        ctx.err.flush();
        return ExitCode::Unknown;
    }
    const ProbeVerdict worst = service.worstVerdict();
    for (const QString& f : service.recordFailures()) {
        ctx.err << "certdeckctl: " << f << " (the result was not recorded)\n";
    }
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("endpoints"), results},
                            {QStringLiteral("peakConnections"), service.peakConnections()},
                            {QStringLiteral("verdict"), probeVerdictName(worst)}});
    }
    ctx.err << "certdeckctl: scanned " << total << " endpoint(s), at most "
            << service.peakConnections() << " connection(s) open at once\n";
    ctx.err.flush();
    if (!service.recordFailures().isEmpty()) {
        return ExitCode::Unknown;
    }
    return exitCodeFor(worst);
}

} // namespace

QList<SubcommandSpec> scanSubcommands()
{
    return {{QStringLiteral(""),
             QStringLiteral(
                 "[--group G] [--concurrency N] [--per-host N]\n"
                 "         [--timeout MS] [--resolver IP[:PORT]] [--inspect] [--ca-file FILE]\n"
                 "         [--warn-days DAYS] [--no-revocation] [--no-record] [--json]"),
             {QStringLiteral("group"), QStringLiteral("concurrency"), QStringLiteral("per-host"),
              QStringLiteral("timeout"), QStringLiteral("resolver"), QStringLiteral("inspect"),
              QStringLiteral("no-record"), QStringLiteral("ca-file"), QStringLiteral("warn-days"),
              QStringLiteral("no-revocation")},
             QStringLiteral(
                 "Checks every endpoint in the inventory the way `certdeckctl probe` checks\n"
                 "one, with at most N connections open at once in all and --per-host at once\n"
                 "to any one address: every A and AAAA address behind the name (an endpoint's\n"
                 "address override keeps one) with raw ClientHellos, then the served chain\n"
                 "through an OpenSSL handshake, verified for the endpoint's name against its\n"
                 "trust bundle (its own, else its group's, else the system store; --ca-file\n"
                 "overrides), with revocation (stapled OCSP, OCSP, CRL). --inspect adds\n"
                 "resumption, ALPN and HSTS. Each check is recorded in the endpoint's probe\n"
                 "history (one record with its nodes inside). One line per endpoint; the exit\n"
                 "code is the worst verdict (core/probe/assess/GRADING.md):\n"
                 "\n"
                 "  0  OK everywhere\n"
                 "  1  WARNING: expiring within --warn-days, a weak protocol or suite,\n"
                 "     insecure renegotiation, nodes that differ, revocation status unknown\n"
                 "  2  CRITICAL: unreachable (a node, or the name), expired or not yet valid,\n"
                 "     revoked, untrusted, missing intermediate, wrong host name\n"
                 "  3  UNKNOWN: a chain could not be read or verified; usage error, or the\n"
                 "     inventory cannot be read")}};
}

CERTDECK_COMMAND({QStringLiteral("scan"),
                  QStringLiteral("  scan [--group G]   probe every endpoint of the inventory "
                                 "(--concurrency, --per-host) and record the results\n"),
                  runScan, scanSubcommands()});

} // namespace certdeck::cli
