// SPDX-License-Identifier: GPL-3.0-or-later
#include "EndpointCheck.h"

#include "probe/assess/ProbeReport.h"
#include "probe/inspect/InspectionReport.h"
#include "probe/inspect/TlsInspection.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace certdeck::services {

namespace {

QJsonObject chainJson(const crypto::ChainReport& chain)
{
    QJsonArray links;
    for (const crypto::ChainLink& l : chain.built) {
        QJsonArray findings;
        for (const crypto::LinkFinding& f : l.findings) {
            findings.append(QJsonObject{{QStringLiteral("severity"), severityName(f.severity)},
                                        {QStringLiteral("message"), f.message}});
        }
        const crypto::Certificate& c = l.certificate;
        links.append(
            QJsonObject{{QStringLiteral("role"), crypto::linkRoleName(l.role)},
                        {QStringLiteral("subject"), c.subject()},
                        {QStringLiteral("serial"), c.serialHex()},
                        {QStringLiteral("notAfter"), c.notAfter().toUTC().toString(Qt::ISODate)},
                        {QStringLiteral("findings"), findings},
                        {QStringLiteral("revocation"), crypto::revocationStatusName(l.revocation)},
                        {QStringLiteral("revocationDetail"), l.revocationDetail}});
    }
    return {{QStringLiteral("host"), chain.hostname},
            {QStringLiteral("trusted"), chain.trusted},
            {QStringLiteral("summary"), chain.summary},
            {QStringLiteral("links"), links}};
}

} // namespace

QJsonObject endpointCheckJson(const EndpointCheck& check)
{
    QJsonObject json = probe::endpointResultJson(check.probe);
    if (check.target.endpointId != 0) {
        json.insert(QStringLiteral("endpointId"), check.target.endpointId);
    }
    if (const probe::TlsInspection* in = check.inspection()) {
        json.insert(QStringLiteral("inspection"), probe::tlsInspectionJson(*in));
    }
    QJsonObject chain = check.chain ? chainJson(*check.chain) : QJsonObject{};
    chain.insert(QStringLiteral("trustAnchors"), check.target.anchors.source);
    if (!check.chainError.isEmpty()) {
        chain.insert(QStringLiteral("error"), check.chainError);
    }
    json.insert(QStringLiteral("chain"), chain);
    // Served versus recorded: what each node served, and what the inventory
    // records for the endpoint.
    QJsonArray served;
    for (const probe::ServedLeaf& s : check.served) {
        QJsonObject node{{QStringLiteral("address"), s.address}};
        if (s.sha256Hex.isEmpty()) {
            node.insert(QStringLiteral("error"), s.error);
        } else {
            node.insert(QStringLiteral("sha256"), s.sha256Hex);
            node.insert(QStringLiteral("serial"), s.serialHex);
            node.insert(QStringLiteral("subject"), s.subject);
            node.insert(QStringLiteral("notAfter"), s.notAfterUtc.toString(Qt::ISODate));
        }
        served.append(node);
    }
    json.insert(QStringLiteral("served"), served);
    if (const auto& r = check.target.recorded) {
        json.insert(
            QStringLiteral("recorded"),
            QJsonObject{{QStringLiteral("certificateId"), r->id},
                        {QStringLiteral("sha256"), r->sha256Hex},
                        {QStringLiteral("serial"), r->serialHex},
                        {QStringLiteral("subject"), r->subject},
                        {QStringLiteral("notAfter"), r->notAfterUtc.toString(Qt::ISODate)}});
    }
    json.insert(QStringLiteral("findings"), probe::findingsJson(check.assessment.findings));
    json.insert(QStringLiteral("grade"), check.assessment.grade.letter);
    json.insert(QStringLiteral("gradeCaps"),
                QJsonArray::fromStringList(check.assessment.grade.capped));
    json.insert(QStringLiteral("verdict"), probe::probeVerdictName(check.assessment.verdict));
    json.insert(QStringLiteral("checkedAt"), check.atUtc.toUTC().toString(Qt::ISODate));
    return json;
}

QString checkSummary(const EndpointCheck& check)
{
    const probe::ProbeAssessment& a = check.assessment;
    if (a.verdict == probe::ProbeVerdict::Ok && !check.probe.nodes.isEmpty()) {
        QStringList versions;
        for (const probe::ProtocolProbe& pp : check.probe.nodes.constFirst().protocols) {
            if (pp.accepted) {
                versions << probe::tlsVersionName(pp.version);
            }
        }
        QString line = versions.join(QStringLiteral(", "));
        if (check.probe.nodes.size() > 1) {
            line += QStringLiteral(" (%1 nodes alike)").arg(check.probe.nodes.size());
        }
        return line;
    }
    QStringList why;
    if (probe::endpointVerdict(check.probe) != probe::ProbeVerdict::Ok) {
        why = probe::endpointProblems(check.probe);
    }
    for (const probe::Finding& f : a.findings) {
        if (f.severity == probe::FindingSeverity::Info) {
            continue;
        }
        // Reachability and weaknesses are in the handshake's own words above.
        if (f.code.startsWith(QLatin1String("unreachable.")) ||
            f.code.startsWith(QLatin1String("node.")) || why.contains(f.title)) {
            continue;
        }
        why << (f.code == QLatin1String("chain.unverified")
                    ? QStringLiteral("%1: %2").arg(f.title, f.evidence)
                    : f.title);
    }
    why.removeDuplicates();
    return why.join(QStringLiteral("; "));
}

inventory::ProbeRecord probeRecord(const EndpointCheck& check)
{
    inventory::ProbeRecord rec;
    rec.endpointId = check.target.endpointId;
    rec.atUtc = check.atUtc;
    rec.status = probe::probeVerdictName(check.assessment.verdict);
    rec.grade = check.assessment.grade.letter;
    rec.reportJson = QJsonDocument(endpointCheckJson(check)).toJson(QJsonDocument::Compact);
    return rec;
}

} // namespace certdeck::services
