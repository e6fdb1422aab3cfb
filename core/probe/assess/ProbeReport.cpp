// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProbeReport.h"

#include "probe/assess/NodeComparison.h"
#include "probe/inspect/InspectionReport.h"
#include "probe/wire/CipherSuiteRegistry.h"
#include "probe/wire/NamedGroup.h"

#include <QJsonArray>
#include <algorithm>

namespace certdeck::probe {

namespace {

bool isWeakProtocol(TlsVersion v)
{
    return v == TlsVersion::Ssl3 || v == TlsVersion::Tls10 || v == TlsVersion::Tls11;
}

QJsonObject suiteJson(quint16 code)
{
    const CipherSuite* s = CipherSuiteRegistry::instance().find(code);
    QJsonObject o{{QStringLiteral("code"), cipherSuiteCode(code)}};
    if (s) {
        o.insert(QStringLiteral("iana"), s->ianaName);
        o.insert(QStringLiteral("openssl"), s->opensslName);
        o.insert(QStringLiteral("strength"), suiteStrengthName(s->strength));
        o.insert(QStringLiteral("keyExchange"), s->keyExchange);
        o.insert(QStringLiteral("authentication"), s->authentication);
        o.insert(QStringLiteral("cipher"), s->cipher);
        o.insert(QStringLiteral("bits"), s->bits);
        o.insert(QStringLiteral("mac"), s->mac);
    }
    return o;
}

} // namespace

QString probeVerdictName(ProbeVerdict verdict)
{
    switch (verdict) {
    case ProbeVerdict::Ok:
        return QStringLiteral("ok");
    case ProbeVerdict::Warning:
        return QStringLiteral("warning");
    case ProbeVerdict::Unknown:
        return QStringLiteral("unknown");
    case ProbeVerdict::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

ProbeVerdict probeVerdict(const ProbeResult& result)
{
    if (!anyProtocolAccepted(result)) {
        return ProbeVerdict::Critical;
    }
    return probeWeaknesses(result).isEmpty() ? ProbeVerdict::Ok : ProbeVerdict::Warning;
}

/// What makes the result a warning (exit 1): legacy protocols, suites rated
/// weak or insecure in the registry, no secure renegotiation, compression.
QStringList probeWeaknesses(const ProbeResult& r)
{
    QStringList out;
    const auto& reg = CipherSuiteRegistry::instance();
    for (const ProtocolProbe& p : r.protocols) {
        if (p.accepted && isWeakProtocol(p.version)) {
            out << QStringLiteral("%1 is enabled").arg(tlsVersionName(p.version));
        }
        if (p.secureRenegotiation && !*p.secureRenegotiation) {
            out << QStringLiteral("%1 has no secure renegotiation (RFC 5746)")
                       .arg(tlsVersionName(p.version));
        }
        if (p.compression != 0) {
            out << QStringLiteral("%1 compresses records (CRIME)").arg(tlsVersionName(p.version));
        }
        for (quint16 code : p.suites) {
            const CipherSuite* s = reg.find(code);
            if (s &&
                (s->strength == SuiteStrength::Weak || s->strength == SuiteStrength::Insecure)) {
                out << QStringLiteral("%1 %2 is %3")
                           .arg(tlsVersionName(p.version), s->ianaName,
                                suiteStrengthName(s->strength));
            }
        }
    }
    return out;
}

bool anyProtocolAccepted(const ProbeResult& r)
{
    return std::any_of(r.protocols.cbegin(), r.protocols.cend(),
                       [](const ProtocolProbe& p) { return p.accepted; });
}

QJsonObject probeResultJson(const ProbeResult& r)
{
    QJsonArray protocols;
    for (const ProtocolProbe& p : r.protocols) {
        QJsonArray suites;
        for (quint16 code : p.suites) {
            suites.append(suiteJson(code));
        }
        protocols.append(
            QJsonObject{{QStringLiteral("version"), tlsVersionName(p.version)},
                        {QStringLiteral("tested"), p.tested},
                        {QStringLiteral("accepted"), p.accepted},
                        {QStringLiteral("refusal"), p.refusal},
                        {QStringLiteral("serverOrder"), serverOrderName(p.order)},
                        {QStringLiteral("secureRenegotiation"),
                         p.secureRenegotiation ? QJsonValue(*p.secureRenegotiation) : QJsonValue()},
                        {QStringLiteral("compression"), p.compression},
                        {QStringLiteral("suites"), suites}});
    }
    QJsonArray groups;
    for (quint16 g : r.groups) {
        groups.append(namedGroupName(g));
    }
    QJsonArray tested;
    for (quint16 g : r.groupsTested) {
        tested.append(namedGroupName(g));
    }
    QJsonArray errors;
    for (const ProbeFailure& f : r.errors) {
        errors.append(QJsonObject{{QStringLiteral("kind"), probeFailureKindName(f.kind)},
                                  {QStringLiteral("step"), f.step},
                                  {QStringLiteral("message"), f.message},
                                  {QStringLiteral("detail"), f.detail}});
    }
    QJsonObject o{{QStringLiteral("host"), r.host},
                  {QStringLiteral("port"), r.port},
                  {QStringLiteral("sni"), r.sni},
                  {QStringLiteral("address"), r.address},
                  {QStringLiteral("reachable"), r.reachable},
                  {QStringLiteral("protocols"), protocols},
                  {QStringLiteral("groups"), groups},
                  {QStringLiteral("groupsTested"), tested},
                  {QStringLiteral("groupsVersion"),
                   r.groupsVersion ? tlsVersionName(*r.groupsVersion) : QString()},
                  {QStringLiteral("connections"), r.connections},
                  {QStringLiteral("wallTimeMs"), r.wallTimeMs},
                  {QStringLiteral("weaknesses"), QJsonArray::fromStringList(probeWeaknesses(r))},
                  {QStringLiteral("errors"), errors}};
    o.insert(QStringLiteral("dhBits"), r.dhBits ? QJsonValue(*r.dhBits) : QJsonValue());
    return o;
}

ProbeVerdict endpointVerdict(const EndpointResult& result)
{
    if (result.nodes.isEmpty()) {
        return ProbeVerdict::Critical;
    }
    ProbeVerdict worst = ProbeVerdict::Ok;
    for (const ProbeResult& n : result.nodes) {
        worst = std::max(worst, probeVerdict(n));
    }
    if (worst == ProbeVerdict::Ok && !compareNodes(result.nodes).isEmpty()) {
        worst = ProbeVerdict::Warning;
    }
    return worst;
}

QStringList endpointProblems(const EndpointResult& result)
{
    QStringList out;
    if (result.nodes.isEmpty()) {
        out << QStringLiteral("nothing was probed");
        return out;
    }
    const bool several = result.nodes.size() > 1;
    for (const ProbeResult& n : result.nodes) {
        const QString prefix = several ? n.address + QStringLiteral(": ") : QString();
        if (!anyProtocolAccepted(n)) {
            out << prefix + (n.errors.isEmpty()
                                 ? QStringLiteral("no protocol was accepted")
                                 : QStringLiteral("%1: %2").arg(
                                       probeFailureKindName(n.errors.constFirst().kind),
                                       n.errors.constFirst().message));
            continue;
        }
        for (const QString& w : probeWeaknesses(n)) {
            out << prefix + w;
        }
    }
    for (const NodeDifference& d : compareNodes(result.nodes)) {
        if (d.aspect != QLatin1String("reachability")) {
            out << QStringLiteral("nodes differ in ") + d.text();
        }
    }
    return out;
}

QJsonObject endpointResultJson(const EndpointResult& result)
{
    QJsonObject o = result.nodes.isEmpty() ? QJsonObject{{QStringLiteral("host"), result.host},
                                                         {QStringLiteral("port"), result.port},
                                                         {QStringLiteral("sni"), result.sni},
                                                         {QStringLiteral("reachable"), false}}
                                           : probeResultJson(result.nodes.constFirst());
    QJsonArray nodes;
    for (const ProbeResult& n : result.nodes) {
        nodes.append(probeResultJson(n));
    }
    QJsonArray differences;
    for (const NodeDifference& d : compareNodes(result.nodes)) {
        QJsonArray variants;
        for (const NodeDifference::Variant& v : d.variants) {
            variants.append(
                QJsonObject{{QStringLiteral("value"), v.value},
                            {QStringLiteral("nodes"), QJsonArray::fromStringList(v.nodes)}});
        }
        differences.append(QJsonObject{{QStringLiteral("aspect"), d.aspect},
                                       {QStringLiteral("text"), d.text()},
                                       {QStringLiteral("variants"), variants}});
    }
    o.insert(QStringLiteral("resolver"), result.resolver);
    o.insert(QStringLiteral("dnsOutcome"), result.dnsOutcome);
    o.insert(QStringLiteral("nodes"), nodes);
    o.insert(QStringLiteral("differences"), differences);
    o.insert(QStringLiteral("endpointWallTimeMs"), result.wallTimeMs);
    if (result.inspection) {
        o.insert(QStringLiteral("inspection"), tlsInspectionJson(*result.inspection));
    }
    return o;
}

} // namespace certdeck::probe
