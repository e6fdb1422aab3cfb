// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/InspectionReport.h"

namespace certdeck::probe {

namespace {

QJsonValue dateOrNull(const QDateTime& t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODate)) : QJsonValue();
}

QJsonObject resumptionJson(const ResumptionCheck& c)
{
    return {{QStringLiteral("outcome"), resumptionOutcomeName(c.outcome)},
            {QStringLiteral("detail"), c.detail}};
}

QJsonObject failureJson(const ProbeFailure& f)
{
    return {{QStringLiteral("kind"), probeFailureKindName(f.kind)},
            {QStringLiteral("step"), f.step},
            {QStringLiteral("message"), f.message},
            {QStringLiteral("detail"), f.detail}};
}

} // namespace

QJsonObject tlsInspectionJson(const TlsInspection& in)
{
    QJsonArray chain;
    for (const QByteArray& der : in.chainDer) {
        chain.append(QString::fromLatin1(der.toBase64()));
    }
    QJsonArray alpn;
    for (const AlpnCheck& a : in.alpn) {
        alpn.append(QJsonObject{{QStringLiteral("protocol"), a.protocol},
                                {QStringLiteral("tested"), a.tested},
                                {QStringLiteral("accepted"), a.accepted}});
    }
    const StapleInfo& s = in.staple;
    QJsonObject staple{
        {QStringLiteral("requested"), s.requested},
        {QStringLiteral("present"), s.present},
        {QStringLiteral("status"),
         s.status ? QJsonValue(stapleStatusName(*s.status)) : QJsonValue()},
        {QStringLiteral("thisUpdate"), dateOrNull(s.thisUpdate)},
        {QStringLiteral("nextUpdate"), dateOrNull(s.nextUpdate)},
        {QStringLiteral("revocationTime"), dateOrNull(s.revocationTime)},
        {QStringLiteral("revocationReason"), s.revocationReason},
        {QStringLiteral("signatureValid"), s.signatureValid},
        {QStringLiteral("responder"), s.responder},
        {QStringLiteral("problems"), QJsonArray::fromStringList(s.problems)},
    };
    const HstsPolicy& h = in.http.hsts;
    QJsonObject hsts{
        {QStringLiteral("present"), h.present},
        {QStringLiteral("maxAge"), h.maxAge ? QJsonValue(double(*h.maxAge)) : QJsonValue()},
        {QStringLiteral("includeSubDomains"), h.includeSubDomains},
        {QStringLiteral("preload"), h.preload},
        {QStringLiteral("raw"), h.raw},
        {QStringLiteral("error"), h.error},
    };
    QJsonObject http{
        {QStringLiteral("tested"), in.http.tested},
        {QStringLiteral("answered"), in.http.answered},
        {QStringLiteral("statusLine"), in.http.statusLine},
        {QStringLiteral("server"), in.http.server},
        {QStringLiteral("hsts"), hsts},
    };
    QJsonArray errors;
    for (const ProbeFailure& f : in.errors) {
        errors.append(failureJson(f));
    }
    return {
        {QStringLiteral("address"), in.address},
        {QStringLiteral("sni"), in.sni},
        {QStringLiteral("handshake"), in.handshakeOk},
        {QStringLiteral("cancelled"), in.cancelled},
        {QStringLiteral("protocol"), in.protocol},
        {QStringLiteral("cipher"), in.cipher},
        {QStringLiteral("group"), in.group},
        {QStringLiteral("dhBits"), in.dhBits ? QJsonValue(*in.dhBits) : QJsonValue()},
        {QStringLiteral("secureRenegotiation"),
         in.secureRenegotiation ? QJsonValue(*in.secureRenegotiation) : QJsonValue()},
        {QStringLiteral("compression"), in.compression},
        {QStringLiteral("chain"), chain},
        {QStringLiteral("alpn"), alpn},
        {QStringLiteral("staple"), staple},
        {QStringLiteral("resumption"),
         QJsonObject{{QStringLiteral("sessionId"), resumptionJson(in.resumption.sessionId)},
                     {QStringLiteral("ticket"), resumptionJson(in.resumption.ticket)},
                     {QStringLiteral("tls13Psk"), resumptionJson(in.resumption.tls13Psk)}}},
        {QStringLiteral("http"), http},
        {QStringLiteral("connections"), in.connections},
        {QStringLiteral("wallTimeMs"), double(in.wallTimeMs)},
        {QStringLiteral("errors"), errors},
    };
}

QJsonArray findingsJson(const QList<Finding>& findings)
{
    QJsonArray out;
    for (const Finding& f : findings) {
        out.append(QJsonObject{{QStringLiteral("code"), f.code},
                               {QStringLiteral("severity"), findingSeverityName(f.severity)},
                               {QStringLiteral("title"), f.title},
                               {QStringLiteral("evidence"), f.evidence},
                               {QStringLiteral("remediation"), f.remediation}});
    }
    return out;
}

QJsonObject gradeJson(const Grade& grade)
{
    return {{QStringLiteral("letter"), grade.letter},
            {QStringLiteral("capped"), QJsonArray::fromStringList(grade.capped)}};
}

} // namespace certdeck::probe
