// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl probe: what one TLS endpoint really accepts (protocols, every
// cipher suite per protocol, server order, key-exchange groups), found with
// raw ClientHellos so it does not depend on what the local OpenSSL offers.
#include "CliSupport.h"
#include "ProbeExitCode.h"
#include "common/HostPort.h"
#include "crypto/ChainVerifier.h"
#include "crypto/TrustStore.h"
#include "probe/AddressResolver.h"
#include "probe/CipherSuiteRegistry.h"
#include "probe/ClientProfiles.h"
#include "probe/EndpointProber.h"
#include "probe/Findings.h"
#include "probe/InspectionReport.h"
#include "probe/NamedGroup.h"
#include "probe/NodeComparison.h"
#include "probe/ProbeAssessment.h"
#include "probe/ProbeReport.h"
#include "probe/TlsInspector.h"

#include <QEventLoop>
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
            << ", order: " << serverOrderName(p.order);
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

// --- OpenSSL-handshake inspection (TlsInspector): kept apart from the raw
// probe above so the two evolve independently.

std::optional<TlsInspection> runInspection(CommandContext& ctx, const ProbeTarget& target,
                                           const ProbeOptions& options, const ProbeResult& probe)
{
    ProbeTarget pinned = target;
    if (pinned.address.isEmpty()) {
        pinned.address = probe.address; // the node the raw probe looked at
    }
    QEventLoop loop;
    TlsInspector inspector(pinned, options);
    QObject::connect(&inspector, &TlsInspector::progress, &loop,
                     [&ctx](const QString& step, double fraction, const QString& message) {
                         ctx.err << "certdeckctl: inspect " << qRound(fraction * 100) << "% "
                                 << step << ": " << message << "\n";
                         ctx.err.flush();
                     });
    QObject::connect(&inspector, &TlsInspector::finished, &loop, &QEventLoop::quit);
    inspector.start();
    loop.exec(); // finished() always comes from the loop
    return inspector.result();
}

/// The served chain verified for the host name (the workbench's verifier),
/// or nullopt with `error` set when nothing can be verified.
std::optional<crypto::ChainReport> verifyServedChain(const TlsInspection& in, const QString& caFile,
                                                     QString* error)
{
    if (in.chainDer.isEmpty()) {
        return std::nullopt;
    }
    crypto::ChainInput input;
    for (const QByteArray& der : in.chainDer) {
        auto cert = crypto::Certificate::fromDer(der, QStringLiteral("served certificate"));
        if (!cert) {
            *error = cert.error().message;
            return std::nullopt;
        }
        input.served << *cert;
    }
    input.host = in.sni.isEmpty() ? in.host : in.sni;
    auto trust =
        caFile.isEmpty() ? crypto::TrustStore::system() : crypto::TrustStore::fromFile(caFile);
    if (!trust) {
        *error = trust.error().message;
        return std::nullopt;
    }
    return crypto::ChainVerifier::verify(input, *trust, QDateTime::currentDateTimeUtc());
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

/// The exit code of a probed endpoint; the reason on stderr when critical.
ExitCode endpointExitCode(CommandContext& ctx, const EndpointResult& e)
{
    const ProbeVerdict verdict = endpointVerdict(e);
    if (verdict == ProbeVerdict::Critical && !ctx.json) {
        const QStringList why = endpointProblems(e);
        ctx.err << "certdeckctl: " << e.host << ":" << e.port << ": "
                << (why.isEmpty() ? QStringLiteral("no protocol was accepted")
                                  : why.join(QStringLiteral("; ")))
                << "\n";
        ctx.err.flush();
    }
    return exitCodeFor(verdict);
}

/// Monitoring-plugin escalation from the inspection: a revoked staple is
/// CRITICAL; a staple that cannot be relied on or a malformed HSTS header is
/// a WARNING.
ExitCode inspectionExitCode(const TlsInspection& in)
{
    const StapleInfo& s = in.staple;
    if (s.present && s.status && *s.status == StapleStatus::Revoked && s.signatureValid) {
        return ExitCode::Critical;
    }
    if ((s.present && !s.problems.isEmpty()) ||
        (in.http.hsts.present && !in.http.hsts.error.isEmpty())) {
        return ExitCode::Warning;
    }
    return ExitCode::Ok;
}

ExitCode worse(ExitCode a, ExitCode b)
{
    return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
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
    const QCommandLineOption caFile(
        QStringLiteral("ca-file"),
        QStringLiteral("Verify the served chain against this PEM bundle instead of the system "
                       "store."),
        QStringLiteral("FILE"));
    const QCommandLineOption client(
        QStringLiteral("client"),
        QStringLiteral("Check that this client can connect: a built-in profile (mozilla-modern, "
                       "mozilla-intermediate, local-openssl) or a JSON profile file."),
        QStringLiteral("NAME|FILE"));
    p.addOptions({sni, ip, timeout, resolver, noInspect, caFile, client});
    p.addPositionalArgument(QStringLiteral("endpoint"), QStringLiteral("HOST[:PORT]"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (p.isSet(common.help)) {
        ctx.out << "Usage: certdeckctl probe HOST[:PORT] [--sni NAME] [--ip ADDR] "
                   "[--resolver IP[:PORT]]\n"
                   "         [--timeout MS] [--no-inspect] [--ca-file FILE] [--client NAME|FILE]\n"
                   "         [--json]\n\n"
                   "Enumerates the protocols (SSLv3..TLS 1.3), every accepted cipher suite per\n"
                   "protocol, whether the server imposes its order, the key-exchange groups and\n"
                   "the DHE prime size, with raw ClientHellos (at most 4 connections at once to\n"
                   "each address).\n"
                   "PORT defaults to 443. Every A and AAAA address of HOST is probed (a node\n"
                   "each, side by side) and the nodes compared; --ip probes one address only.\n"
                   "--resolver asks that DNS server instead of the system resolver.\n"
                   "Then, unless --no-inspect, the first node that answers is inspected through\n"
                   "real OpenSSL handshakes: the served chain (verified for the host name), the\n"
                   "stapled OCSP response, session resumption, ALPN (h2, http/1.1), and GET /\n"
                   "for HSTS and Server. Findings and a letter grade (core/probe/GRADING.md)\n"
                   "follow. --client names a client that must be able to connect (critical\n"
                   "client.no-overlap when it shares no protocol and suite with a node).\n\n"
                   "  0  reachable, no weak protocol or suite\n"
                   "  1  a weak protocol (SSLv3, TLS 1.0, 1.1) or a weak/insecure suite is "
                   "accepted,\n"
                   "     or renegotiation is insecure, or records are compressed,\n"
                   "     or the nodes behind the name differ, or the OCSP staple is invalid, or\n"
                   "     the HSTS header is malformed\n"
                   "  2  unreachable (a node, or the name does not resolve), or no handshake\n"
                   "     succeeded, or the stapled OCSP response says the certificate is revoked,\n"
                   "     or the --client cannot connect\n"
                   "  3  usage error\n\n"
                << exitCodeHelp();
        ctx.out.flush();
        return ExitCode::Ok;
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

    // certdeckctl runs commands before any event loop; this loop is the only
    // one in the process, so it nests in nothing.
    QEventLoop loop;
    EndpointProber prober(target, options);
    QObject::connect(&prober, &EndpointProber::progress, &loop,
                     [&ctx](const QString& step, double fraction, const QString& message) {
                         ctx.err << "certdeckctl: probe " << qRound(fraction * 100) << "% " << step
                                 << ": " << message << "\n";
                         ctx.err.flush();
                     });
    QObject::connect(&prober, &EndpointProber::finished, &loop, &QEventLoop::quit);
    prober.start();
    loop.exec();

    const EndpointResult& endpoint = prober.result();
    // The inspection looks at the first node that answered.
    const ProbeResult* inspected = nullptr;
    for (const ProbeResult& n : endpoint.nodes) {
        if (anyProtocolAccepted(n)) {
            inspected = &n;
            break;
        }
    }
    std::optional<TlsInspection> inspection;
    if (!p.isSet(noInspect) && inspected != nullptr) {
        inspection = runInspection(ctx, target, options, *inspected);
    }
    std::optional<crypto::ChainReport> chain;
    QString chainError;
    if (inspection) {
        chain = verifyServedChain(*inspection, p.value(caFile), &chainError);
    }
    const ProbeAssessment assessment = assessEndpointResult(
        endpoint, QDateTime::currentDateTimeUtc(), inspection ? &*inspection : nullptr,
        chain ? &*chain : nullptr, clientProfile ? &*clientProfile : nullptr);
    if (ctx.json) {
        QJsonObject json = endpointResultJson(endpoint);
        if (inspection) {
            QJsonObject insp = tlsInspectionJson(*inspection);
            if (chain) {
                insp.insert(QStringLiteral("chainTrusted"), chain->trusted);
                insp.insert(QStringLiteral("chainSummary"), chain->summary);
            }
            json.insert(QStringLiteral("inspection"), insp);
        }
        json.insert(QStringLiteral("findings"), findingsJson(assessment.findings));
        json.insert(QStringLiteral("grade"), gradeJson(assessment.grade));
        printJson(ctx.out, json);
    } else {
        printEndpoint(ctx.out, endpoint);
        if (inspection) {
            if (endpoint.nodes.size() > 1) {
                ctx.out << "\n== Inspection of node " << inspected->address << "\n";
            }
            printInspection(ctx.out, *inspection, chain ? &*chain : nullptr, chainError);
        }
        printFindings(ctx.out, assessment.findings, assessment.grade);
    }
    ExitCode verdictCode = endpointExitCode(ctx, endpoint);
    if (inspection) {
        verdictCode = worse(verdictCode, inspectionExitCode(*inspection));
    }
    // The client the admin named cannot connect: that is an outage for it.
    for (const Finding& f : assessment.findings) {
        if (f.code == QLatin1String("client.no-overlap")) {
            if (!ctx.json) {
                ctx.err << "certdeckctl: " << f.title << "\n";
                ctx.err.flush();
            }
            verdictCode = ExitCode::Critical;
        }
    }
    return verdictCode;
}

} // namespace

CERTDECK_COMMAND(
    {QStringLiteral("probe"),
     QStringLiteral("  probe HOST[:PORT]  protocols, cipher suites, server order and groups of "
                    "every node of a TLS endpoint, then its chain, OCSP staple,\n"
                    "                     resumption, ALPN and HSTS (--sni, --ip, --resolver, "
                    "--timeout, --no-inspect)\n"),
     runProbe});

} // namespace certdeck::cli
