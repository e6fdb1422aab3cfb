// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProbeAssessment.h"

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

inventory::ProbeRecord probeRecord(qint64 endpointId, const ProbeResult& result,
                                   const ProbeAssessment& assessment, const QDateTime& atUtc)
{
    QJsonObject json = probeResultJson(result);
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

} // namespace certdeck::probe
