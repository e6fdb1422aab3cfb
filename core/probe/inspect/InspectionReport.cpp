// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/inspect/InspectionReport.h"

#include "crypto/ChainReport.h"

#include <QTextStream>

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
        {QStringLiteral("chainOnly"), in.chainOnly},
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

namespace {

QString resumptionText(const ResumptionCheck& c)
{
    const QString name = resumptionOutcomeName(c.outcome);
    return c.detail.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, c.detail);
}

} // namespace

QString inspectionText(const TlsInspection& in, const crypto::ChainReport* chain,
                       const QString& chainError)
{
    QString text;
    QTextStream out(&text);
    out << "Inspection (OpenSSL handshake, " << in.connections << " connections in "
        << in.wallTimeMs << " ms)\n";
    if (!in.handshakeOk) {
        out << "  Handshake    failed\n";
    } else {
        out << "  Negotiated   " << in.protocol << ", " << in.cipher;
        if (!in.group.isEmpty()) {
            out << ", " << in.group;
        }
        if (in.dhBits && !in.group.contains(u'D')) {
            out << " (" << *in.dhBits << "-bit DH)";
        }
        out << "\n";
        if (in.secureRenegotiation) {
            out << "  Renegotiation " << (*in.secureRenegotiation ? "secure" : "insecure") << "\n";
        }
        out << "  Compression  "
            << (in.compression.isEmpty() ? QStringLiteral("none") : in.compression) << "\n";
        out << "  Chain        " << in.chainDer.size() << " certificate(s) served";
        if (chain != nullptr) {
            out << "; " << (chain->trusted ? "trusted" : "NOT trusted") << ": " << chain->summary;
        } else if (!chainError.isEmpty()) {
            out << "; not verified: " << chainError;
        }
        out << "\n";
        const StapleInfo& s = in.staple;
        out << "  OCSP staple  ";
        if (!s.present) {
            out << "none\n";
        } else {
            out << (s.status ? stapleStatusName(*s.status) : QStringLiteral("?"));
            if (s.thisUpdate.isValid()) {
                out << ", this update " << s.thisUpdate.toString(Qt::ISODate);
            }
            if (s.nextUpdate.isValid()) {
                out << ", next update " << s.nextUpdate.toString(Qt::ISODate);
            }
            if (s.revocationTime.isValid()) {
                out << ", revoked " << s.revocationTime.toString(Qt::ISODate);
            }
            if (!s.revocationReason.isEmpty()) {
                out << " (" << s.revocationReason << ")";
            }
            out << ", signature " << (s.signatureValid ? "valid" : "NOT valid");
            if (!s.responder.isEmpty()) {
                out << ", by " << s.responder;
            }
            out << "\n";
            for (const QString& p : s.problems) {
                out << "               " << p << "\n";
            }
        }
        if (in.chainOnly) {
            out << "  Not checked  resumption, ALPN, HTTP and HSTS (one handshake only)\n";
        } else {
            out << "  Resumption   TLS 1.3 PSK: " << resumptionText(in.resumption.tls13Psk) << "\n"
                << "               session ID: " << resumptionText(in.resumption.sessionId) << "\n"
                << "               ticket: " << resumptionText(in.resumption.ticket) << "\n";
            QStringList alpn;
            for (const AlpnCheck& a : in.alpn) {
                alpn << a.protocol + (!a.tested    ? QStringLiteral(" not tested")
                                      : a.accepted ? QStringLiteral(" yes")
                                                   : QStringLiteral(" no"));
            }
            out << "  ALPN         " << (alpn.isEmpty() ? QStringLiteral("-") : alpn.join(u','))
                << "\n";
            const HttpCheck& http = in.http;
            out << "  HTTP         "
                << (http.answered ? http.statusLine : QStringLiteral("no answer")) << "\n";
            if (http.answered) {
                out << "  Server       "
                    << (http.server.isEmpty() ? QStringLiteral("-") : http.server) << "\n";
                const HstsPolicy& h = http.hsts;
                out << "  HSTS         ";
                if (!h.present) {
                    out << "none\n";
                } else if (!h.error.isEmpty()) {
                    out << "malformed: " << h.error << " [" << h.raw << "]\n";
                } else {
                    out << "max-age=" << h.maxAge.value_or(0)
                        << (h.includeSubDomains ? "; includeSubDomains" : "")
                        << (h.preload ? "; preload" : "") << "\n";
                }
            }
        }
    }
    for (const ProbeFailure& f : in.errors) {
        out << "  ERROR        " << probeFailureKindName(f.kind) << " (" << f.step
            << "): " << f.message;
        if (!f.detail.isEmpty()) {
            out << " [" << f.detail << "]";
        }
        out << "\n";
    }
    out.flush();
    return text;
}

} // namespace certdeck::probe
