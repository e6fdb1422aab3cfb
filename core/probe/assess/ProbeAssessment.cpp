// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProbeAssessment.h"

#include "crypto/ChainReport.h"
#include "probe/inspect/TlsInspection.h"

namespace certdeck::probe {

namespace {

bool anyNodeAnswered(const EndpointResult& e)
{
    return std::any_of(e.nodes.cbegin(), e.nodes.cend(),
                       [](const ProbeResult& n) { return anyProtocolAccepted(n); });
}

ProbeVerdict verdictOf(FindingSeverity s)
{
    switch (s) {
    case FindingSeverity::Critical:
        return ProbeVerdict::Critical;
    case FindingSeverity::Warning:
        return ProbeVerdict::Warning;
    case FindingSeverity::Info:
        break;
    }
    return ProbeVerdict::Ok;
}

/// Why the served chain could not be judged, or empty when it was.
QString missingChainReason(const Evidence& e)
{
    if (e.chain != nullptr) {
        return {};
    }
    if (!e.chainError.isEmpty()) {
        return e.chainError;
    }
    if (e.inspection == nullptr) {
        return QStringLiteral("the served chain was not fetched");
    }
    if (e.inspection->cancelled) {
        return QStringLiteral("the check was cancelled before the chain was read");
    }
    if (!e.inspection->handshakeOk || e.inspection->chainDer.isEmpty()) {
        QString why = QStringLiteral("no OpenSSL handshake completed with the node that answered "
                                     "the probe");
        if (!e.inspection->errors.isEmpty()) {
            why += QStringLiteral(" (%1)").arg(e.inspection->errors.constFirst().message);
        }
        return why;
    }
    return QStringLiteral("the served chain was not verified");
}

} // namespace

ProbeAssessment assess(const Evidence& e)
{
    ProbeAssessment a;
    if (e.endpoint == nullptr) {
        a.verdict = ProbeVerdict::Unknown;
        return a;
    }
    FindingInputs inputs;
    inputs.nodes = &e.endpoint->nodes;
    inputs.now = e.now;
    inputs.expiryWarnDays = e.expiryWarnDays;
    inputs.inspection = e.inspection;
    inputs.chain = e.chain;
    if (e.client != nullptr) {
        inputs.client = *e.client;
    }
    a.findings = assessEndpoint(inputs);
    if (e.served != nullptr) {
        a.findings << servedFindings(*e.served, e.recorded);
    }

    const bool reachable = anyNodeAnswered(*e.endpoint);
    const QString noChain = reachable ? missingChainReason(e) : QString();
    if (!noChain.isEmpty()) {
        a.findings << Finding{
            QStringLiteral("chain.unverified"), FindingSeverity::Warning,
            QStringLiteral("The certificate chain could not be checked"), noChain,
            QStringLiteral("Check that an OpenSSL client can complete a handshake with the "
                           "endpoint (openssl s_client -connect HOST:PORT -servername NAME), and "
                           "that the endpoint's trust bundle loads.")};
    }

    a.grade = gradeEndpoint(a.findings, hstsLongEnough(e.inspection));

    a.verdict = endpointVerdict(*e.endpoint);
    ProbeVerdict fromFindings = ProbeVerdict::Ok;
    for (const Finding& f : std::as_const(a.findings)) {
        fromFindings = std::max(fromFindings, verdictOf(f.severity));
    }
    if (fromFindings == ProbeVerdict::Critical || a.verdict == ProbeVerdict::Critical) {
        a.verdict = ProbeVerdict::Critical;
    } else if (!noChain.isEmpty()) {
        // Expiry, trust and revocation are unknown: neither OK nor a warning
        // the admin could act on.
        a.verdict = ProbeVerdict::Unknown;
    } else {
        a.verdict = std::max(a.verdict, fromFindings);
    }
    std::stable_sort(a.findings.begin(), a.findings.end(),
                     [](const Finding& x, const Finding& y) { return x.severity > y.severity; });
    return a;
}

QString verdictReasons(const ProbeAssessment& a)
{
    QStringList why;
    for (const Finding& f : a.findings) {
        if (f.severity == FindingSeverity::Info) {
            continue;
        }
        if (f.code == QLatin1String("chain.unverified")) {
            why << QStringLiteral("%1: %2").arg(f.title, f.evidence);
        } else {
            why << f.title;
        }
    }
    why.removeDuplicates();
    return why.join(QStringLiteral("; "));
}

QJsonObject findingJson(const Finding& f)
{
    return {{QStringLiteral("code"), f.code},
            {QStringLiteral("severity"), findingSeverityName(f.severity)},
            {QStringLiteral("title"), f.title},
            {QStringLiteral("evidence"), f.evidence},
            {QStringLiteral("remediation"), f.remediation}};
}

} // namespace certdeck::probe
