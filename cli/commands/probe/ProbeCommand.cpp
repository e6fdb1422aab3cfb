// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl probe: what one TLS endpoint really accepts (protocols, every
// cipher suite per protocol, server order, key-exchange groups), found with
// raw ClientHellos so it does not depend on what the local OpenSSL offers.
#include "CheckOptions.h"
#include "CliSupport.h"
#include "OperationRunner.h"
#include "ProbeExitCode.h"
#include "common/HostPort.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "probe/assess/Findings.h"
#include "probe/assess/NodeComparison.h"
#include "probe/assess/ProbeAssessment.h"
#include "probe/assess/ProbeReport.h"
#include "probe/inspect/InspectionReport.h"
#include "probe/scan/AddressResolver.h"
#include "probe/scan/ClientProfiles.h"
#include "probe/scan/EndpointProber.h"
#include "probe/wire/CipherSuiteRegistry.h"
#include "probe/wire/NamedGroup.h"
#include "services/ScanService.h"
#include "services/ScanTargets.h"

#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <optional>

namespace certdeck::cli {

namespace {

using namespace certdeck::probe;

void printHuman(QTextStream& out, const ProbeResult& r, const QStringList& weak)
{
    out << "Endpoint     " << r.host << ":" << r.port;
    if (!r.address.isEmpty() && r.address != r.host) {
        out << " (" << r.address << ")";
    }
    out << "\nSNI          " << (r.sni.isEmpty() ? QStringLiteral("-") : r.sni) << "\n";
    QStringList summary;
    for (const ProtocolProbe& p : r.protocols) {
        if (p.tested) {
            summary << tlsVersionName(p.version) +
                           (p.accepted            ? QStringLiteral(" yes")
                            : p.refusal.isEmpty() ? QStringLiteral(" no")
                                                  : QStringLiteral(" no (%1)").arg(p.refusal));
        }
    }
    out << "Protocols    "
        << (summary.isEmpty() ? QStringLiteral("-") : summary.join(QLatin1String(", "))) << "\n";
    const auto& reg = CipherSuiteRegistry::instance();
    for (auto it = r.protocols.crbegin(); it != r.protocols.crend(); ++it) {
        const ProtocolProbe& p = *it;
        if (!p.accepted) {
            continue;
        }
        out << "\n"
            << tlsVersionName(p.version) << "  " << p.suites.size()
            << (p.suites.size() == 1 ? " suite" : " suites")
            << ", order: " << serverOrderText(p.order);
        if (p.secureRenegotiation) {
            out << ", renegotiation: " << (*p.secureRenegotiation ? "secure" : "insecure");
        }
        if (p.compression != 0) {
            out << ", compression: " << p.compression;
        }
        out << "\n";
        for (quint16 code : p.suites) {
            const CipherSuite* s = reg.find(code);
            out << "  " << cipherSuiteCode(code) << "  "
                << (s ? s->ianaName : QStringLiteral("?")).leftJustified(46) << " "
                << (s && !s->opensslName.isEmpty() ? s->opensslName : QStringLiteral("-"))
                       .leftJustified(32)
                << " " << (s ? suiteStrengthName(s->strength) : QStringLiteral("?")) << "\n";
        }
    }
    QStringList groups;
    for (quint16 g : r.groups) {
        groups << namedGroupName(g);
    }
    out << "\nGroups       " << (groups.isEmpty() ? QStringLiteral("-") : groups.join(u','));
    if (r.groupsVersion) {
        out << "  (tested with " << tlsVersionName(*r.groupsVersion) << ")";
    }
    out << "\n";
    if (r.dhBits) {
        out << "DHE prime    " << *r.dhBits << " bits\n";
    }
    out << "Connections  " << r.connections << " in " << r.wallTimeMs << " ms\n";
    for (const QString& w : weak) {
        out << "WARNING      " << w << "\n";
    }
    for (const ProbeFailure& f : r.errors) {
        out << "ERROR        " << probeFailureKindName(f.kind) << " (" << f.step
            << "): " << f.message;
        if (!f.detail.isEmpty()) {
            out << " [" << f.detail << "]";
        }
        out << "\n";
    }
    out.flush();
}

QString acceptedVersions(const ProbeResult& r)
{
    QStringList v;
    for (const ProtocolProbe& p : r.protocols) {
        if (p.accepted) {
            v << tlsVersionName(p.version);
        }
    }
    return v.isEmpty() ? QStringLiteral("-") : v.join(QStringLiteral(", "));
}

/// Several nodes: a table of them, the differences, then each node's detail.
void printNodes(QTextStream& out, const EndpointResult& e)
{
    out << "Endpoint     " << e.host << ":" << e.port << "  " << e.nodes.size() << " nodes ("
        << e.resolver << ")\n\n";
    out << QStringLiteral("Node").leftJustified(40) << " "
        << QStringLiteral("Answer").leftJustified(16) << " "
        << QStringLiteral("Protocols").leftJustified(40) << " Suites\n";
    for (const ProbeResult& n : e.nodes) {
        qsizetype suites = 0;
        for (const ProtocolProbe& p : n.protocols) {
            suites += p.suites.size();
        }
        out << n.address.leftJustified(40) << " " << nodeReachability(n).leftJustified(16) << " "
            << acceptedVersions(n).leftJustified(40) << " " << suites << "\n";
    }
    const QList<NodeDifference> differences = compareNodes(e.nodes);
    out << "\n"
        << (differences.isEmpty() ? QStringLiteral("The nodes agree.")
                                  : QStringLiteral("The nodes differ:"))
        << "\n";
    for (const NodeDifference& d : differences) {
        out << "  " << d.text() << "\n";
    }
    for (const ProbeResult& n : e.nodes) {
        out << "\n== Node " << n.address << "\n";
        printHuman(out, n, probeWeaknesses(n));
    }
}

void printInspection(QTextStream& out, const TlsInspection& in, const crypto::ChainReport* chain,
                     const QString& chainError)
{
    out << "\n" << inspectionText(in, chain, chainError);
}

void printFindings(QTextStream& out, const QList<Finding>& findings, const Grade& grade)
{
    out << "\nGrade        " << grade.letter << "\n";
    for (const QString& c : grade.capped) {
        out << "  capped     " << c << "\n";
    }
    out << (findings.isEmpty() ? "Findings     none\n" : "Findings\n");
    for (const Finding& f : findings) {
        out << "  [" << findingSeverityName(f.severity) << "] " << f.code << ": " << f.title << "\n"
            << "      " << f.evidence << "\n"
            << "      fix: " << f.remediation << "\n";
    }
    out.flush();
}

void printEndpoint(QTextStream& out, const EndpointResult& e)
{
    if (e.nodes.size() > 1) {
        printNodes(out, e);
        return;
    }
    if (!e.nodes.isEmpty()) {
        printHuman(out, e.nodes.constFirst(), probeWeaknesses(e.nodes.constFirst()));
    }
}

/// What the inventory knows of an endpoint at the same host, port and SNI
/// (its anchors unless --ca-file gave some, its recorded certificate), so
/// `probe` judges it as `scan` and the console do; nothing when the inventory
/// has no such endpoint or cannot be read (never created just for this).
void adoptInventory(CommandContext& ctx, services::ScanTarget& target, bool keepAnchors)
{
    if (!ctx.dbPath.contains(QLatin1String("://")) && !QFileInfo::exists(ctx.dbPath)) {
        return;
    }
    auto store = ctx.store();
    if (!store) {
        return;
    }
    (void)services::adoptInventory(**store, target, keepAnchors);
}

ExitCode runProbe(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption sni(QStringLiteral("sni"),
                                 QStringLiteral("SNI name to send (default: the host name)."),
                                 QStringLiteral("NAME"));
    const QCommandLineOption ip(QStringLiteral("ip"),
                                QStringLiteral("Connect to this address instead of resolving."),
                                QStringLiteral("ADDR"));
    const QCommandLineOption timeout(
        QStringLiteral("timeout"),
        QStringLiteral("Limit for each step of each connection in ms (default 5000)."),
        QStringLiteral("MS"), QStringLiteral("5000"));
    const QCommandLineOption resolver(
        QStringLiteral("resolver"),
        QStringLiteral("Ask this DNS server (IP[:PORT]) for the host's addresses."),
        QStringLiteral("IP[:PORT]"));
    const QCommandLineOption noInspect(
        QStringLiteral("no-inspect"),
        QStringLiteral("Skip the OpenSSL-handshake inspection (chain, OCSP staple, resumption, "
                       "ALPN, HSTS)."));
    const QCommandLineOption client(
        QStringLiteral("client"),
        QStringLiteral("Check that this client can connect: a built-in profile (mozilla-modern, "
                       "mozilla-intermediate, local-openssl) or a JSON profile file."),
        QStringLiteral("NAME|FILE"));
    p.addOptions({sni, ip, timeout, resolver, noInspect, client});
    const CheckOptions checkOptions;
    checkOptions.addTo(p);
    p.addPositionalArgument(QStringLiteral("endpoint"), QStringLiteral("HOST[:PORT]"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("probe"), p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1) {
        return usageError(ctx, QStringLiteral("usage: certdeckctl probe HOST[:PORT] [options]"));
    }
    const auto hp = parseHostPort(pos.constFirst(), 443);
    if (!hp) {
        return usageError(ctx, hp.error().message);
    }
    if (p.isSet(ip) && QHostAddress(p.value(ip)).isNull()) {
        return usageError(ctx, QStringLiteral("--ip %1 is not an IP address").arg(p.value(ip)));
    }
    std::optional<dns::DnsServer> dnsServer;
    if (p.isSet(resolver)) {
        auto server = parseDnsServer(p.value(resolver));
        if (!server) {
            return usageError(ctx, QStringLiteral("--resolver: ") + server.error().message);
        }
        dnsServer = *server;
    }
    bool ok = false;
    const int timeoutMs = p.value(timeout).toInt(&ok);
    if (!ok || timeoutMs < 1 || timeoutMs > 600000) {
        return usageError(ctx, QStringLiteral("--timeout needs milliseconds from 1 to 600000"));
    }

    ProbeTarget target;
    target.host = hp->host;
    target.port = hp->port;
    target.sni = p.value(sni);
    target.address = p.value(ip);
    ProbeOptions options;
    options.connectTimeoutMs = timeoutMs;
    options.firstByteTimeoutMs = timeoutMs;
    options.replyTimeoutMs = timeoutMs;
    options.resolver = dnsServer;
    options.dnsTimeoutMs = timeoutMs;
    std::optional<ClientProfile> clientProfile;
    if (p.isSet(client)) {
        auto loaded = loadClientProfile(p.value(client));
        if (!loaded) {
            return usageError(ctx, loaded.error().message);
        }
        clientProfile = *loaded;
    }

    services::ScanServiceOptions serviceOptions;
    std::optional<services::TrustAnchors> caAnchors;
    if (auto s = checkOptions.apply(p, serviceOptions, caAnchors); !s) {
        return usageError(ctx, s.error().message);
    }
    services::ScanTarget scanTarget;
    scanTarget.target = target;
    if (caAnchors) {
        scanTarget.anchors = *caAnchors;
    }
    adoptInventory(ctx, scanTarget, caAnchors.has_value());
    serviceOptions.scan.probe = options;
    serviceOptions.scan.concurrency = options.maxConnections;
    serviceOptions.scan.perHost = options.maxConnections;
    serviceOptions.fullInspection = !p.isSet(noInspect);
    serviceOptions.client = clientProfile;

    services::ScanService service({scanTarget}, serviceOptions);
    ctx.err << "certdeckctl: probing " << inventory::endpointAddress(target.host, target.port)
            << " (chain checked against the " << scanTarget.anchors.source << ")\n";
    ctx.err.flush();
    // Progress on stderr ("inspect: handshake" for the OpenSSL inspection);
    // Ctrl-C cancels at once.
    const Status ran = OperationRunner(ctx, QStringLiteral("probe")).run(service);
    if (!ran && ran.error().code == ErrorCode::Cancelled) {
        return reportError(ctx, ran.error());
    }
    if (service.results().isEmpty()) {
        return reportError(
            ctx, service.status()
                     ? Error{ErrorCode::Internal, QStringLiteral("the probe gave no result"), {}}
                     : service.status().error());
    }
    const services::EndpointCheck& check = service.results().constFirst();
    const ProbeAssessment& assessment = check.assessment;
    if (ctx.json) {
        printJson(ctx.out, services::endpointCheckJson(check));
    } else {
        printEndpoint(ctx.out, check.probe);
        if (const TlsInspection* in = check.inspection()) {
            if (check.probe.nodes.size() > 1) {
                ctx.out << "\n== Inspection of node " << in->address << "\n";
            }
            printInspection(ctx.out, *in, check.chain ? &*check.chain : nullptr, check.chainError);
        }
        ctx.out << "\nTrust        " << scanTarget.anchors.source << "\n";
        printFindings(ctx.out, assessment.findings, assessment.grade);
        ctx.out << "\nVerdict      " << probeVerdictName(assessment.verdict).toUpper();
        const QString why = verdictReasons(assessment);
        if (!why.isEmpty()) {
            ctx.out << ": " << why;
        }
        ctx.out << "\n";
        ctx.out.flush();
    }
    if (assessment.verdict != ProbeVerdict::Ok && !ctx.json) {
        // The reason where a monitoring system looks for it.
        ctx.err << "certdeckctl: " << inventory::endpointAddress(target.host, target.port) << ": "
                << probeVerdictName(assessment.verdict).toUpper() << ": "
                << services::checkSummary(check) << "\n";
        ctx.err.flush();
    }
    return exitCodeFor(assessment.verdict);
}

} // namespace

QList<SubcommandSpec> probeSubcommands()
{
    return {
        {QStringLiteral(""),
         QStringLiteral(
             "HOST[:PORT] [--sni NAME] [--ip ADDR] [--resolver IP[:PORT]]\n"
             "         [--timeout MS] [--no-inspect] [--ca-file FILE] [--client NAME|FILE]\n"
             "         [--warn-days DAYS] [--no-revocation] [--json]"),
         {QStringLiteral("sni"), QStringLiteral("ip"), QStringLiteral("timeout"),
          QStringLiteral("resolver"), QStringLiteral("no-inspect"), QStringLiteral("client"),
          QStringLiteral("ca-file"), QStringLiteral("warn-days"), QStringLiteral("no-revocation")},
         QStringLiteral(
             "Enumerates the protocols (SSLv3..TLS 1.3), every accepted cipher suite per\n"
             "protocol, whether the server imposes its order, the key-exchange groups and\n"
             "the DHE prime size, with raw ClientHellos (at most 4 connections at once to\n"
             "each address).\n"
             "PORT defaults to 443. Every A and AAAA address of HOST is probed (a node\n"
             "each, side by side) and the nodes compared; --ip probes one address only.\n"
             "--resolver asks that DNS server instead of the system resolver.\n"
             "Then the first node that answers is inspected through a real OpenSSL\n"
             "handshake: the served chain, verified for the name (SNI, else host) against\n"
             "the endpoint's trust bundle when the inventory knows the endpoint, else the\n"
             "system store (--ca-file overrides), its revocation (stapled OCSP, OCSP,\n"
             "CRL), and unless --no-inspect: session resumption, ALPN (h2, http/1.1) and\n"
             "GET / for HSTS and Server. Findings, a letter grade and the verdict follow\n"
             "(core/probe/assess/GRADING.md): the same as `certdeckctl scan` and the console "
             "give.\n"
             "--client names a client that must be able to connect.\n"
             "\n"
             "  0  OK: nothing needs attention\n"
             "  1  WARNING: expiring within --warn-days, a weak protocol or suite,\n"
             "     insecure renegotiation, the nodes differ, an invalid OCSP staple,\n"
             "     a malformed HSTS header, revocation status unknown\n"
             "  2  CRITICAL: unreachable (a node, or the name does not resolve), expired\n"
             "     or not yet valid (leaf or intermediate), revoked, untrusted, missing\n"
             "     intermediate, wrong host name, or the --client cannot connect\n"
             "  3  UNKNOWN: the chain could not be read or verified; usage error")}};
}

CERTDECK_COMMAND(
    {QStringLiteral("probe"),
     QStringLiteral("  probe HOST[:PORT]  protocols, cipher suites, server order and groups of "
                    "every node of a TLS endpoint, then its chain, OCSP staple,\n"
                    "                     resumption, ALPN and HSTS (--sni, --ip, --resolver, "
                    "--timeout, --no-inspect)\n"),
     runProbe, probeSubcommands()});

} // namespace certdeck::cli
