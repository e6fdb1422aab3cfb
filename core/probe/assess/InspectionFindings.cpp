// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/internal/InspectionFindings.h"

#include "probe/inspect/TlsInspection.h"

namespace certdeck::probe::internal {

namespace {

void add(QList<Finding>& out, const QString& code, FindingSeverity severity, const QString& title,
         const QString& evidence, const QString& remediation)
{
    out << Finding{code, severity, title, evidence, remediation};
}

QString day(const QDateTime& t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) + QStringLiteral(" UTC");
}

void hstsFindings(const TlsInspection& in, QList<Finding>& out)
{
    const HttpCheck& http = in.http;
    if (!http.answered) {
        return; // not an HTTP endpoint, or it did not answer: nothing to judge
    }
    const HstsPolicy& h = http.hsts;
    const QString hstsFix = QStringLiteral(
        "Send it on every HTTPS response, e.g. nginx: add_header Strict-Transport-Security "
        "\"max-age=31536000; includeSubDomains\" always;");
    if (!h.present) {
        add(out, QStringLiteral("hsts.missing"), FindingSeverity::Info,
            QStringLiteral("No HSTS header (Strict-Transport-Security)"),
            QStringLiteral("GET / answered \"%1\" without Strict-Transport-Security")
                .arg(http.statusLine),
            QStringLiteral("Browsers may be downgraded to plain HTTP on first contact. ") +
                hstsFix);
        return;
    }
    if (!h.error.isEmpty()) {
        add(out, QStringLiteral("hsts.malformed"), FindingSeverity::Warning,
            QStringLiteral("The HSTS header is malformed: browsers ignore it"),
            QStringLiteral("Strict-Transport-Security: %1 (%2)").arg(h.raw, h.error), hstsFix);
        return;
    }
    if (h.maxAge && *h.maxAge < kHstsGoodMaxAge) {
        add(out, QStringLiteral("hsts.short"), FindingSeverity::Info,
            QStringLiteral("HSTS max-age is shorter than 180 days"),
            QStringLiteral("max-age=%1 (%2 day(s))").arg(*h.maxAge).arg(*h.maxAge / 86400),
            QStringLiteral("Raise max-age to at least 15552000 (180 days), ideally 31536000, "
                           "once HTTPS works on every name it covers."));
    }
    if (h.preload && (!h.includeSubDomains || !h.maxAge || *h.maxAge < 31536000)) {
        add(out, QStringLiteral("hsts.preload-ineligible"), FindingSeverity::Info,
            QStringLiteral("HSTS asks for preloading but does not meet the preload list's rules"),
            QStringLiteral("Strict-Transport-Security: %1").arg(h.raw),
            QStringLiteral("The preload list needs max-age of at least 31536000 and "
                           "includeSubDomains; add both or drop `preload`."));
    }
}

void stapleFindings(const TlsInspection& in, const QDateTime& now, QList<Finding>& out)
{
    const StapleInfo& s = in.staple;
    if (!in.handshakeOk) {
        return;
    }
    if (!s.present) {
        add(out, QStringLiteral("ocsp.no-staple"), FindingSeverity::Info,
            QStringLiteral("No OCSP response is stapled"),
            QStringLiteral("the handshake asked for status_request and got none"),
            QStringLiteral("Enable stapling so clients need not ask the CA themselves, e.g. "
                           "nginx: ssl_stapling on; ssl_stapling_verify on; (nginx fetches the "
                           "first response lazily: one handshake after a restart has none)."));
        return;
    }
    if (s.status && *s.status == StapleStatus::Revoked && s.signatureValid) {
        QString evidence = QStringLiteral("the stapled response from %1 says revoked")
                               .arg(s.responder.isEmpty() ? QStringLiteral("the CA") : s.responder);
        if (s.revocationTime.isValid()) {
            evidence += QStringLiteral(" on %1").arg(day(s.revocationTime));
        }
        if (!s.revocationReason.isEmpty()) {
            evidence += QStringLiteral(" (%1)").arg(s.revocationReason);
        }
        add(out, QStringLiteral("ocsp.staple-revoked"), FindingSeverity::Critical,
            QStringLiteral("The served certificate is revoked"), evidence,
            QStringLiteral("Issue and deploy a new certificate now (and a new key if it was "
                           "compromised)."));
        return;
    }
    if (!s.problems.isEmpty()) {
        add(out, QStringLiteral("ocsp.staple-invalid"), FindingSeverity::Warning,
            QStringLiteral("The stapled OCSP response cannot be relied on"),
            s.problems.join(QStringLiteral("; ")),
            QStringLiteral("Check the server's stapling setup (ssl_stapling_file or the "
                           "responder it fetches from, and its clock); clients that require a "
                           "valid staple will fail."));
        return;
    }
    if (s.nextUpdate.isValid() && now.secsTo(s.nextUpdate) < 24 * 3600) {
        add(out, QStringLiteral("ocsp.staple-expiring"), FindingSeverity::Info,
            QStringLiteral("The stapled OCSP response expires within a day"),
            QStringLiteral("nextUpdate %1").arg(day(s.nextUpdate)),
            QStringLiteral("Make sure the server refreshes its staple (a fixed "
                           "ssl_stapling_file is never refreshed)."));
    }
}

void resumptionFindings(const TlsInspection& in, QList<Finding>& out)
{
    const ResumptionInfo& r = in.resumption;
    if (!in.handshakeOk || !r.anyConcluded() || r.anyResumed()) {
        return;
    }
    QStringList evidence;
    const auto note = [&evidence](const QString& what, const ResumptionCheck& c) {
        if (c.outcome != ResumptionOutcome::NotTested &&
            c.outcome != ResumptionOutcome::Unsupported) {
            evidence << QStringLiteral("%1: %2").arg(what, c.detail);
        }
    };
    note(QStringLiteral("TLS 1.3 PSK"), r.tls13Psk);
    note(QStringLiteral("session ID"), r.sessionId);
    note(QStringLiteral("session ticket"), r.ticket);
    add(out, QStringLiteral("resumption.none"), FindingSeverity::Info,
        QStringLiteral("Sessions are never resumed"), evidence.join(QStringLiteral("; ")),
        QStringLiteral("Every reconnect pays a full handshake. Enable a session cache or "
                       "tickets, e.g. nginx: ssl_session_cache shared:SSL:10m; "
                       "ssl_session_tickets on;"));
}

void alpnFindings(const TlsInspection& in, QList<Finding>& out)
{
    const AlpnCheck* h2 = in.alpnCheck(QStringLiteral("h2"));
    if (h2 == nullptr || !h2->tested || h2->accepted || !in.http.answered) {
        return; // only worth saying for a web server
    }
    add(out, QStringLiteral("alpn.no-h2"), FindingSeverity::Info,
        QStringLiteral("HTTP/2 is not offered"),
        QStringLiteral("ALPN offering only h2 selected nothing"),
        QStringLiteral("Enable HTTP/2 for faster page loads, e.g. nginx: listen 443 ssl http2;"));
}

} // namespace

void inspectionFindings(const TlsInspection& inspection, const QDateTime& now, QList<Finding>& out)
{
    if (!inspection.handshakeOk && !inspection.errors.isEmpty() && !inspection.cancelled) {
        const ProbeFailure& f = inspection.errors.constFirst();
        add(out, QStringLiteral("inspection.failed"), FindingSeverity::Info,
            QStringLiteral("The OpenSSL handshake inspection did not complete"),
            QStringLiteral("%1 during %2: %3").arg(probeFailureKindName(f.kind), f.step, f.message),
            QStringLiteral("The raw probe's findings still stand; staple, resumption and HSTS "
                           "are unknown."));
        return;
    }
    hstsFindings(inspection, out);
    stapleFindings(inspection, now, out);
    resumptionFindings(inspection, out);
    alpnFindings(inspection, out);
}

} // namespace certdeck::probe::internal
