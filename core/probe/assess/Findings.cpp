// SPDX-License-Identifier: GPL-3.0-or-later
#include "Findings.h"

#include "crypto/ChainReport.h"
#include "probe/assess/NodeComparison.h"
#include "probe/inspect/TlsInspection.h"
#include "probe/internal/InspectionFindings.h"
#include "probe/wire/CipherSuiteRegistry.h"

#include <QHash>
#include <algorithm>

namespace certdeck::probe {

namespace {

// Caps in order, lowest first; see GRADING.md. A code not listed caps by
// its severity alone (critical -> F).
const QHash<QString, QString>& capByCode()
{
    static const QHash<QString, QString> caps = {
        {QStringLiteral("cipher.weak"), QStringLiteral("C")},
        {QStringLiteral("renegotiation.insecure"), QStringLiteral("C")},
        {QStringLiteral("protocol.tls10"), QStringLiteral("B")},
        {QStringLiteral("protocol.tls11"), QStringLiteral("B")},
        {QStringLiteral("cipher.no-forward-secrecy"), QStringLiteral("B")},
        {QStringLiteral("kex.dh-small"), QStringLiteral("B")},
        {QStringLiteral("chain.wrong-order"), QStringLiteral("B")},
        {QStringLiteral("protocol.no-tls13"), QStringLiteral("A-")},
        {QStringLiteral("ocsp.staple-invalid"), QStringLiteral("A-")},
    };
    return caps;
}

int gradeRank(const QString& letter)
{
    static const QStringList order = {QStringLiteral("F"), QStringLiteral("C"),
                                      QStringLiteral("B"), QStringLiteral("A-"),
                                      QStringLiteral("A"), QStringLiteral("A+")};
    return int(order.indexOf(letter));
}

void add(QList<Finding>& out, const QString& code, FindingSeverity severity, const QString& title,
         const QString& evidence, const QString& remediation)
{
    out << Finding{code, severity, title, evidence, remediation};
}

QString suiteList(const QList<quint16>& codes)
{
    const auto& reg = CipherSuiteRegistry::instance();
    QStringList names;
    for (quint16 c : codes) {
        const CipherSuite* s = reg.find(c);
        names << (s ? s->ianaName : cipherSuiteCode(c));
    }
    names.removeDuplicates();
    return names.join(QStringLiteral(", "));
}

struct Advice
{
    const char* suffix; ///< unreachable.<suffix>, node.<suffix>
    const char* title;
    const char* remedy;
};

Advice adviceFor(ProbeFailureKind kind)
{
    switch (kind) {
    case ProbeFailureKind::Timeout:
        return {"timeout", "The endpoint does not answer (timeout)",
                "A firewall probably drops the traffic, or the host is down: check the path and "
                "the service."};
    case ProbeFailureKind::Refused:
        return {"refused", "Nothing listens on the port (connection refused)",
                "Start the service or correct the port in the inventory."};
    case ProbeFailureKind::Reset:
        return {"reset", "The connection is reset",
                "A middlebox or the server kills the connection: check the load balancer and the "
                "server's logs."};
    case ProbeFailureKind::DnsFailure:
        return {"dns", "The name does not resolve",
                "Fix the DNS record, or set an address override for the endpoint."};
    case ProbeFailureKind::Unreachable:
        return {"network", "No route to the host",
                "Check routing and firewalls between this machine and the endpoint."};
    default:
        break;
    }
    return {"handshake", "No TLS handshake succeeded",
            "Check that the port serves TLS and that a certificate and protocols are configured."};
}

bool acceptsAny(const ProbeResult& r)
{
    return std::any_of(r.protocols.cbegin(), r.protocols.cend(),
                       [](const ProtocolProbe& p) { return p.accepted; });
}

// Why nothing was accepted: the first error, or each version's refusal (an
// alert by name) when no error was recorded.
ProbeFailure whyUnreachable(const ProbeResult& r)
{
    if (!r.errors.isEmpty()) {
        return r.errors.first();
    }
    QStringList refusals;
    for (const ProtocolProbe& p : r.protocols) {
        if (p.tested && !p.refusal.isEmpty()) {
            refusals << QStringLiteral("%1: %2").arg(tlsVersionName(p.version), p.refusal);
        }
    }
    return ProbeFailure{ProbeFailureKind::Other,
                        QStringLiteral("handshake"),
                        refusals.isEmpty() ? QStringLiteral("no protocol version was accepted")
                                           : QStringLiteral("no protocol version was accepted (%1)")
                                                 .arg(refusals.join(QStringLiteral(", "))),
                        {}};
}

void reachabilityFindings(const ProbeResult& r, QList<Finding>& out)
{
    if (acceptsAny(r)) {
        return;
    }
    const ProbeFailure first = whyUnreachable(r);
    const Advice a = adviceFor(first.kind);
    add(out, QStringLiteral("unreachable.") + QString::fromLatin1(a.suffix),
        FindingSeverity::Critical, QString::fromLatin1(a.title),
        QStringLiteral("%1 during %2: %3")
            .arg(probeFailureKindName(first.kind), first.step, first.message),
        QString::fromLatin1(a.remedy));
}

// One node of several cannot be reached while others can: the clients sent
// to it fail, so it is as critical as a whole endpoint down.
void nodeReachabilityFinding(const ProbeResult& node, int total, QList<Finding>& out)
{
    const ProbeFailure first = whyUnreachable(node);
    const Advice a = adviceFor(first.kind);
    add(out, QStringLiteral("node.") + QString::fromLatin1(a.suffix), FindingSeverity::Critical,
        QStringLiteral("Node %1 of %2: %3")
            .arg(node.address)
            .arg(total)
            .arg(QString::fromLatin1(a.title)),
        QStringLiteral("%1: %2 during %3: %4")
            .arg(node.address, probeFailureKindName(first.kind), first.step, first.message),
        QStringLiteral("Clients sent to this address fail. ") + QString::fromLatin1(a.remedy) +
            QStringLiteral(" Or take the address out of DNS / the load balancer."));
}

void protocolFindings(const ProbeResult& r, QList<Finding>& out)
{
    const auto accepted = [&](TlsVersion v) {
        const ProtocolProbe* p = r.protocol(v);
        return p != nullptr && p->accepted;
    };
    const bool anyAccepted = std::any_of(r.protocols.cbegin(), r.protocols.cend(),
                                         [](const ProtocolProbe& p) { return p.accepted; });
    if (accepted(TlsVersion::Ssl3)) {
        add(out, QStringLiteral("protocol.sslv3"), FindingSeverity::Critical,
            QStringLiteral("SSLv3 is enabled"),
            QStringLiteral("the server completed an SSLv3 handshake"),
            QStringLiteral("Disable SSLv3 (POODLE), e.g. nginx: ssl_protocols TLSv1.2 TLSv1.3;"));
    }
    for (TlsVersion v : {TlsVersion::Tls10, TlsVersion::Tls11}) {
        if (accepted(v)) {
            add(out,
                v == TlsVersion::Tls10 ? QStringLiteral("protocol.tls10")
                                       : QStringLiteral("protocol.tls11"),
                FindingSeverity::Warning, QStringLiteral("%1 is enabled").arg(tlsVersionName(v)),
                QStringLiteral("the server completed a %1 handshake").arg(tlsVersionName(v)),
                QStringLiteral("Disable TLS 1.0 and 1.1 (deprecated by RFC 8996), e.g. nginx: "
                               "ssl_protocols TLSv1.2 TLSv1.3;"));
        }
    }
    const ProtocolProbe* t13 = r.protocol(TlsVersion::Tls13);
    if (anyAccepted && t13 != nullptr && t13->tested && !t13->accepted) {
        add(out, QStringLiteral("protocol.no-tls13"), FindingSeverity::Info,
            QStringLiteral("TLS 1.3 is not offered"),
            QStringLiteral("TLSv1.3 refused: %1").arg(t13->refusal),
            QStringLiteral("Enable TLS 1.3 (OpenSSL 1.1.1 or newer), e.g. nginx: ssl_protocols "
                           "TLSv1.2 TLSv1.3;"));
    }
    for (const ProtocolProbe& p : r.protocols) {
        if (p.accepted && p.secureRenegotiation && !*p.secureRenegotiation) {
            add(out, QStringLiteral("renegotiation.insecure"), FindingSeverity::Warning,
                QStringLiteral("Secure renegotiation is not supported"),
                QStringLiteral("%1 ServerHello carries no renegotiation_info (RFC 5746)")
                    .arg(tlsVersionName(p.version)),
                QStringLiteral("Upgrade the TLS library of the server; old OpenSSL/NSS builds lack "
                               "RFC 5746."));
            break;
        }
    }
    for (const ProtocolProbe& p : r.protocols) {
        if (p.accepted && p.compression != 0) {
            add(out, QStringLiteral("compression.enabled"), FindingSeverity::Critical,
                QStringLiteral("TLS compression is enabled (CRIME)"),
                QStringLiteral("%1 ServerHello chose compression method %2")
                    .arg(tlsVersionName(p.version))
                    .arg(p.compression),
                QStringLiteral("Disable TLS compression in the server's TLS library."));
            break;
        }
    }
}

void cipherFindings(const ProbeResult& r, QList<Finding>& out)
{
    const auto& reg = CipherSuiteRegistry::instance();
    QList<quint16> insecure, weak, noFs, cbc;
    for (const ProtocolProbe& p : r.protocols) {
        if (!p.accepted) {
            continue;
        }
        for (quint16 code : p.suites) {
            const CipherSuite* s = reg.find(code);
            if (s == nullptr) {
                continue;
            }
            if (s->strength == SuiteStrength::Insecure) {
                insecure << code;
            } else if (s->strength == SuiteStrength::Weak) {
                weak << code;
            }
            if (!s->isTls13() && !s->forwardSecret() && s->strength != SuiteStrength::Insecure) {
                noFs << code;
            }
            if (s->mac != QLatin1String("AEAD") && s->strength != SuiteStrength::Insecure) {
                cbc << code;
            }
        }
    }
    if (!insecure.isEmpty()) {
        add(out, QStringLiteral("cipher.insecure"), FindingSeverity::Critical,
            QStringLiteral("Insecure cipher suites are accepted (NULL, anonymous, export, RC4 or "
                           "DES)"),
            suiteList(insecure),
            QStringLiteral("Remove them from the cipher list, e.g. nginx: ssl_ciphers "
                           "ECDHE+AESGCM:ECDHE+CHACHA20;"));
    }
    if (!weak.isEmpty()) {
        add(out, QStringLiteral("cipher.weak"), FindingSeverity::Warning,
            QStringLiteral("64-bit block ciphers are accepted (Sweet32)"), suiteList(weak),
            QStringLiteral("Remove 3DES and IDEA suites from the cipher list."));
    }
    if (!noFs.isEmpty()) {
        add(out, QStringLiteral("cipher.no-forward-secrecy"), FindingSeverity::Warning,
            QStringLiteral("Suites without forward secrecy are accepted"), suiteList(noFs),
            QStringLiteral("Offer only ECDHE/DHE key exchange: a stolen server key would decrypt "
                           "recorded traffic."));
    }
    if (!cbc.isEmpty()) {
        add(out, QStringLiteral("cipher.cbc"), FindingSeverity::Info,
            QStringLiteral("Non-AEAD (CBC) suites are accepted"), suiteList(cbc),
            QStringLiteral("Prefer AES-GCM and ChaCha20-Poly1305; keep CBC only for old "
                           "clients you must serve."));
    }
    if (r.dhBits && *r.dhBits < 2048) {
        const bool tiny = *r.dhBits < 1024;
        add(out, tiny ? QStringLiteral("kex.dh-tiny") : QStringLiteral("kex.dh-small"),
            tiny ? FindingSeverity::Critical : FindingSeverity::Warning,
            QStringLiteral("The DHE group has only %1 bits").arg(*r.dhBits),
            QStringLiteral("ServerKeyExchange prime of %1 bits").arg(*r.dhBits),
            QStringLiteral("Use a 2048-bit or larger group (ssl_dhparam with `certdeckctl "
                           "dhparam 2048`), or drop DHE suites for ECDHE."));
    }
}

void clientFindings(const ProbeResult& r, const ClientProfile& client, QList<Finding>& out)
{
    for (const ProtocolProbe& p : r.protocols) {
        if (!p.accepted || !client.versions.contains(p.version)) {
            continue;
        }
        for (quint16 s : p.suites) {
            if (client.suites.contains(s)) {
                return;
            }
        }
    }
    add(out, QStringLiteral("client.no-overlap"), FindingSeverity::Critical,
        QStringLiteral("%1 cannot connect: no protocol and suite in common").arg(client.name),
        QStringLiteral("the client offers %1 suite(s) over %2")
            .arg(client.suites.size())
            .arg(client.versions.size() == 1
                     ? tlsVersionName(client.versions.first())
                     : QStringLiteral("%1 protocol versions").arg(client.versions.size())),
        QStringLiteral("Add one suite the client supports (in a protocol it speaks) to the "
                       "server's list, or upgrade the client."));
}

QString linkName(const crypto::ChainLink& link)
{
    const crypto::Certificate& c = link.certificate;
    const QString name = c.commonName().isEmpty() ? c.subject() : c.commonName();
    return link.role == crypto::ChainLink::Role::Leaf
               ? QStringLiteral("the certificate %1").arg(name)
               : QStringLiteral("the intermediate %1").arg(name);
}

// What core/revocation found for each link (OCSP, CRL or the staple): a
// revoked certificate is refused by clients that check, and an attacker
// holding a compromised key can still use it against those that do not.
void revocationFindings(const crypto::ChainReport& chain, QList<Finding>& out)
{
    QStringList revoked;
    QStringList unknown;
    for (const crypto::ChainLink& link : chain.built) {
        switch (link.revocation) {
        case crypto::RevocationStatus::Revoked:
            revoked << QStringLiteral("%1: %2").arg(linkName(link), link.revocationDetail);
            break;
        case crypto::RevocationStatus::Unknown:
        case crypto::RevocationStatus::Error:
            unknown << QStringLiteral("%1: %2").arg(linkName(link), link.revocationDetail);
            break;
        case crypto::RevocationStatus::NotChecked:
        case crypto::RevocationStatus::Good:
            break;
        }
    }
    if (!revoked.isEmpty()) {
        add(out, QStringLiteral("cert.revoked"), FindingSeverity::Critical,
            QStringLiteral("A certificate of the chain is revoked"),
            revoked.join(QStringLiteral("; ")),
            QStringLiteral("Issue a new certificate (new key if the old one may be compromised) "
                           "and deploy it now."));
    }
    if (!unknown.isEmpty()) {
        add(out, QStringLiteral("revocation.unknown"), FindingSeverity::Warning,
            QStringLiteral("The revocation status could not be established"),
            unknown.join(QStringLiteral("; ")),
            QStringLiteral("Check that the CA's OCSP responder or CRL is reachable from here; "
                           "clients that insist on a status will fail the same way."));
    }
}

void chainFindings(const crypto::ChainReport& chain, const QDateTime& now, int warnDays,
                   QList<Finding>& out)
{
    if (chain.built.isEmpty() && chain.served.isEmpty()) {
        return;
    }
    const qsizetype firstChainFinding = out.size();
    const crypto::Certificate leaf =
        chain.built.isEmpty() ? chain.served.first() : chain.built.first().certificate;
    const QDateTime notAfter = leaf.notAfter().toUTC();
    const QDateTime notBefore = leaf.notBefore().toUTC();
    const QString name = leaf.commonName().isEmpty() ? leaf.subject() : leaf.commonName();
    if (notAfter <= now) {
        add(out, QStringLiteral("cert.expired"), FindingSeverity::Critical,
            QStringLiteral("The certificate has expired"),
            QStringLiteral("%1 expired on %2 (UTC), %3 day(s) ago")
                .arg(name, notAfter.toString(QStringLiteral("yyyy-MM-dd HH:mm")))
                .arg(notAfter.daysTo(now)),
            QStringLiteral("Renew and deploy now (Renew & Deploy)."));
    } else if (now.secsTo(notAfter) < qint64(warnDays) * 86400) {
        add(out, QStringLiteral("cert.expiring"), FindingSeverity::Warning,
            QStringLiteral("The certificate expires in %1 day(s)").arg(now.daysTo(notAfter)),
            QStringLiteral("%1 expires on %2 (UTC)")
                .arg(name, notAfter.toString(QStringLiteral("yyyy-MM-dd HH:mm"))),
            QStringLiteral("Renew within the renewal window."));
    }
    if (notBefore > now) {
        const qint64 ahead = now.secsTo(notBefore);
        add(out, QStringLiteral("cert.not-yet-valid"), FindingSeverity::Critical,
            QStringLiteral("The certificate is not valid yet"),
            QStringLiteral("%1 is valid from %2 (UTC)")
                .arg(name, notBefore.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))),
            ahead < 86400 ? QStringLiteral("It starts in %1 minute(s): check the clock of this "
                                           "machine and of the issuing CA (NTP) before anything "
                                           "else.")
                                .arg((ahead + 59) / 60)
                          : QStringLiteral("Deploy the certificate that is valid now."));
    }
    // An issuer's dates matter as much as the leaf's: clients refuse the
    // whole chain when an intermediate has lapsed.
    for (qsizetype i = 1; i < chain.built.size(); ++i) {
        const crypto::ChainLink& link = chain.built.at(i);
        const crypto::Certificate& c = link.certificate;
        const QString issuerName = c.commonName().isEmpty() ? c.subject() : c.commonName();
        const QString role = link.role == crypto::ChainLink::Role::Anchor
                                 ? QStringLiteral("trust anchor")
                                 : QStringLiteral("intermediate");
        if (c.notAfter().toUTC() <= now) {
            add(out, QStringLiteral("chain.expired"), FindingSeverity::Critical,
                QStringLiteral("An issuing certificate of the chain has expired"),
                QStringLiteral("the %1 %2 expired on %3 (UTC)")
                    .arg(role, issuerName,
                         c.notAfter().toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm"))),
                QStringLiteral("Serve the current intermediate from the CA (re-download the "
                               "full chain) and renew if the CA itself rolled over."));
        } else if (c.notBefore().toUTC() > now) {
            add(out, QStringLiteral("chain.not-yet-valid"), FindingSeverity::Critical,
                QStringLiteral("An issuing certificate of the chain is not valid yet"),
                QStringLiteral("the %1 %2 is valid from %3 (UTC)")
                    .arg(role, issuerName,
                         c.notBefore().toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm"))),
                QStringLiteral("Check this machine's clock, then serve the intermediate that is "
                               "valid now."));
        }
    }
    revocationFindings(chain, out);
    bool unknownAuthority = false;
    for (const crypto::ChainLink& link : chain.built) {
        for (const crypto::LinkFinding& f : link.findings) {
            if (f.problem == crypto::LinkProblem::HostnameMismatch) {
                add(out, QStringLiteral("cert.hostname-mismatch"), FindingSeverity::Critical,
                    QStringLiteral("The certificate does not cover %1").arg(chain.hostname),
                    f.message,
                    QStringLiteral("Issue a certificate whose SANs include the name clients "
                                   "use."));
            } else if (f.problem == crypto::LinkProblem::UnknownIssuer ||
                       f.problem == crypto::LinkProblem::SelfSignedUntrusted) {
                unknownAuthority = true;
            }
        }
    }
    bool incomplete = false;
    for (const crypto::ServedFinding& f : chain.servedFindings) {
        switch (f.problem) {
        case crypto::ServedProblem::MissingIntermediate:
            incomplete = true;
            add(out, QStringLiteral("chain.incomplete"), FindingSeverity::Critical,
                QStringLiteral("The server does not send its intermediate certificate"), f.message,
                QStringLiteral("Serve fullchain.pem, not cert.pem (nginx: ssl_certificate "
                               "fullchain.pem;)."));
            break;
        case crypto::ServedProblem::WrongOrder:
            add(out, QStringLiteral("chain.wrong-order"), FindingSeverity::Warning,
                QStringLiteral("The chain is served in the wrong order"), f.message,
                QStringLiteral("Put the leaf first, then each issuer in turn."));
            break;
        case crypto::ServedProblem::RootIncluded:
            add(out, QStringLiteral("chain.root-included"), FindingSeverity::Info,
                QStringLiteral("The root certificate is served too"), f.message,
                QStringLiteral("Harmless, but wasteful: leave the root out of the served "
                               "chain."));
            break;
        default:
            break;
        }
    }
    if (!chain.trusted && unknownAuthority && !incomplete) {
        add(out, QStringLiteral("chain.untrusted"), FindingSeverity::Critical,
            QStringLiteral("The chain does not lead to a trusted authority"), chain.summary,
            QStringLiteral("Use a certificate from a publicly trusted CA, or distribute your "
                           "internal CA to every client."));
    }
    // Whatever else makes clients refuse the chain (a bad signature, an
    // issuer that is no CA, a weak key, name constraints...) must not pass
    // as a good grade: say it with the verifier's own words.
    const bool explained =
        std::any_of(out.cbegin() + firstChainFinding, out.cend(),
                    [](const Finding& f) { return f.severity == FindingSeverity::Critical; });
    if (!chain.trusted && !explained) {
        QStringList why;
        for (const crypto::ChainLink& link : chain.built) {
            for (const crypto::LinkFinding& f : link.findings) {
                if (f.severity == crypto::Severity::Error) {
                    why << f.message;
                }
            }
        }
        why.removeDuplicates();
        add(out, QStringLiteral("chain.invalid"), FindingSeverity::Critical,
            QStringLiteral("Clients will refuse the served chain"),
            why.isEmpty() ? chain.summary : why.join(QStringLiteral("; ")),
            QStringLiteral("Open the chain in the Certificates page (or certdeckctl chain "
                           "verify) and replace the certificate or intermediate it names."));
    }
}

// Every reachable node's own findings, one per code: the evidence names
// the nodes unless all of them share it word for word.
void mergeNodeFindings(const QList<const ProbeResult*>& up,
                       const std::optional<ClientProfile>& client, QList<Finding>& out)
{
    QList<Finding> merged;
    QList<QStringList> evidenceByNode; // parallel to merged: "node: evidence"
    QList<QStringList> plainEvidence;
    for (const ProbeResult* n : up) {
        QList<Finding> mine;
        protocolFindings(*n, mine);
        cipherFindings(*n, mine);
        if (client) {
            clientFindings(*n, *client, mine);
        }
        for (const Finding& f : std::as_const(mine)) {
            const auto it = std::find_if(merged.cbegin(), merged.cend(),
                                         [&](const Finding& m) { return m.code == f.code; });
            const qsizetype at = it - merged.cbegin();
            if (it == merged.cend()) {
                merged << f;
                evidenceByNode << QStringList();
                plainEvidence << QStringList();
            }
            evidenceByNode[at] << QStringLiteral("%1: %2").arg(n->address, f.evidence);
            plainEvidence[at] << f.evidence;
        }
    }
    for (qsizetype i = 0; i < merged.size(); ++i) {
        QStringList plain = plainEvidence.at(i);
        plain.removeDuplicates();
        if (plainEvidence.at(i).size() != up.size() || plain.size() != 1) {
            merged[i].evidence = evidenceByNode.at(i).join(QStringLiteral("; "));
        }
        out << merged.at(i);
    }
}

void nodeFindings(const QList<ProbeResult>& nodes, const std::optional<ClientProfile>& client,
                  QList<Finding>& out)
{
    QList<const ProbeResult*> up;
    for (const ProbeResult& n : nodes) {
        if (acceptsAny(n)) {
            up << &n;
        }
    }
    if (up.isEmpty()) {
        // The whole endpoint is down: the single-node codes, first node's reason.
        reachabilityFindings(nodes.constFirst(), out);
        if (!out.isEmpty()) {
            QStringList each;
            for (const ProbeResult& n : nodes) {
                const ProbeFailure why = whyUnreachable(n);
                each << QStringLiteral("%1: %2").arg(n.address, probeFailureKindName(why.kind));
            }
            out.last().evidence +=
                QStringLiteral(" (every node: %1)").arg(each.join(QStringLiteral(", ")));
        }
        return;
    }
    for (const ProbeResult& n : nodes) {
        if (!acceptsAny(n)) {
            nodeReachabilityFinding(n, int(nodes.size()), out);
        }
    }
    mergeNodeFindings(up, client, out);
    QStringList differences;
    for (const NodeDifference& d : compareNodes(nodes)) {
        if (d.aspect != QLatin1String("reachability")) {
            differences << d.text();
        }
    }
    if (!differences.isEmpty()) {
        add(out, QStringLiteral("nodes.differ"), FindingSeverity::Warning,
            QStringLiteral("The nodes behind the name are configured differently"),
            differences.join(QStringLiteral("; ")),
            QStringLiteral("Deploy the same TLS configuration to every node: a client's result "
                           "depends on which address it reaches."));
    }
}

} // namespace

QString findingSeverityName(FindingSeverity severity)
{
    switch (severity) {
    case FindingSeverity::Info:
        return QStringLiteral("info");
    case FindingSeverity::Warning:
        return QStringLiteral("warning");
    case FindingSeverity::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

QList<Finding> assessEndpoint(const FindingInputs& inputs)
{
    QList<Finding> out;
    const bool several = inputs.nodes != nullptr && inputs.nodes->size() > 1;
    const ProbeResult* single = inputs.probe;
    if (single == nullptr && inputs.nodes != nullptr && inputs.nodes->size() == 1) {
        single = &inputs.nodes->constFirst();
    }
    if (several) {
        nodeFindings(*inputs.nodes, inputs.client, out);
    } else if (single != nullptr) {
        const ProbeResult& r = *single;
        reachabilityFindings(r, out);
        protocolFindings(r, out);
        cipherFindings(r, out);
        if (inputs.client) {
            clientFindings(r, *inputs.client, out);
        }
    } else {
        return out;
    }
    if (inputs.chain != nullptr) {
        chainFindings(*inputs.chain, inputs.now, inputs.expiryWarnDays, out);
    }
    if (inputs.inspection != nullptr) {
        internal::inspectionFindings(*inputs.inspection, inputs.now, out);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
    return out;
}

bool hstsLongEnough(const TlsInspection* inspection)
{
    if (inspection == nullptr) {
        return false;
    }
    const HstsPolicy& h = inspection->http.hsts;
    return h.valid() && *h.maxAge >= kHstsGoodMaxAge;
}

Grade gradeEndpoint(const QList<Finding>& findings, bool hstsLongEnough)
{
    Grade g;
    g.letter = QStringLiteral("A");
    const auto cap = [&g](const QString& letter, const Finding& f) {
        g.capped << QStringLiteral("%1: %2 (%3)").arg(letter, f.code, f.title);
        if (gradeRank(letter) < gradeRank(g.letter)) {
            g.letter = letter;
        }
    };
    for (const Finding& f : findings) {
        if (f.severity == FindingSeverity::Critical) {
            cap(QStringLiteral("F"), f);
        } else if (const auto it = capByCode().constFind(f.code); it != capByCode().constEnd()) {
            cap(it.value(), f);
        }
    }
    if (g.capped.isEmpty() && hstsLongEnough) {
        g.letter = QStringLiteral("A+");
    }
    return g;
}

} // namespace certdeck::probe
