// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProbeAssessment.h"

#include "probe/TlsInspection.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace certdeck::probe {

ProbeAssessment assessProbe(const ProbeResult& result, const QDateTime& now,
                            const TlsInspection* inspection)
{
    ProbeAssessment a;
    a.verdict = probeVerdict(result);
    FindingInputs inputs;
    inputs.probe = &result;
    inputs.now = now;
    inputs.inspection = inspection;
    a.findings = assessEndpoint(inputs);
    a.grade = gradeEndpoint(a.findings, hstsLongEnough(inspection));
    return a;
}

QJsonObject findingJson(const Finding& f)
{
    return {{QStringLiteral("code"), f.code},
            {QStringLiteral("severity"), findingSeverityName(f.severity)},
            {QStringLiteral("title"), f.title},
            {QStringLiteral("evidence"), f.evidence},
            {QStringLiteral("remediation"), f.remediation}};
}

ProbeAssessment assessEndpointResult(const EndpointResult& result, const QDateTime& now,
                                     const TlsInspection* inspection,
                                     const crypto::ChainReport* chain, const ClientProfile* client)
{
    ProbeAssessment a;
    a.verdict = endpointVerdict(result);
    FindingInputs inputs;
    inputs.nodes = &result.nodes;
    inputs.now = now;
    // A fleet scan carries its inspection in the result.
    if (inspection == nullptr) {
        inspection = result.inspection.get();
    }
    inputs.inspection = inspection;
    inputs.chain = chain;
    if (client != nullptr) {
        inputs.client = *client;
    }
    a.findings = assessEndpoint(inputs);
    a.grade = gradeEndpoint(a.findings, hstsLongEnough(inspection));
    // What the findings call critical (a revoked staple, an untrusted chain)
    // is critical for the monitoring verdict too.
    for (const Finding& f : a.findings) {
        if (f.severity == FindingSeverity::Critical) {
            a.verdict = ProbeVerdict::Critical;
        }
    }
    return a;
}

namespace {

inventory::ProbeRecord record(qint64 endpointId, QJsonObject json,
                              const ProbeAssessment& assessment, const QDateTime& atUtc);

} // namespace

inventory::ProbeRecord probeRecord(qint64 endpointId, const EndpointResult& result,
                                   const ProbeAssessment& assessment, const QDateTime& atUtc)
{
    return record(endpointId, endpointResultJson(result), assessment, atUtc);
}

inventory::ProbeRecord probeRecord(qint64 endpointId, const ProbeResult& result,
                                   const ProbeAssessment& assessment, const QDateTime& atUtc)
{
    return record(endpointId, probeResultJson(result), assessment, atUtc);
}

namespace {

inventory::ProbeRecord record(qint64 endpointId, QJsonObject json,
                              const ProbeAssessment& assessment, const QDateTime& atUtc)
{
    json.insert(QStringLiteral("endpointId"), endpointId);
    json.insert(QStringLiteral("verdict"), probeVerdictName(assessment.verdict));
    QJsonArray findings;
    for (const Finding& f : assessment.findings) {
        findings.append(findingJson(f));
    }
    json.insert(QStringLiteral("findings"), findings);
    json.insert(QStringLiteral("grade"), assessment.grade.letter);
    json.insert(QStringLiteral("gradeCaps"), QJsonArray::fromStringList(assessment.grade.capped));

    inventory::ProbeRecord rec;
    rec.endpointId = endpointId;
    rec.atUtc = atUtc;
    rec.status = probeVerdictName(assessment.verdict);
    rec.grade = assessment.grade.letter;
    rec.reportJson = QJsonDocument(json).toJson(QJsonDocument::Compact);
    return rec;
}

} // namespace

} // namespace certdeck::probe
