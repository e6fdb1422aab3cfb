// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/Certificate.h"

#include <QList>
#include <QString>
#include <algorithm>

namespace certdeck::crypto {

/// How bad a finding is. The UI shows each with a word and an icon, never
/// with colour alone.
enum class Severity
{
    Ok,
    Info,
    Warning,
    Error
};

/// What can be wrong with one link of a chain.
enum class LinkProblem
{
    Expired,
    NotYetValid,
    UnknownIssuer,       ///< no issuer found, not even through AIA
    SelfSignedUntrusted, ///< a self-signed certificate that is no trust anchor
    BadSignature,
    WeakKey, ///< RSA/DSA < 2048 bits, EC < 256 bits
    Sha1Signature,
    NameConstraints,
    HostnameMismatch, ///< leaf only
    NotCa,            ///< an issuer without basicConstraints CA:TRUE / keyCertSign
    WrongPurpose,     ///< EKU without serverAuth (leaf) or a CA that forbids it
    PathLength,
    ExpiresSoon, ///< warning, within the caller's threshold
    Revoked,     ///< filled by core/revocation
    /// warning from core/revocation: the status could not be told (unknown to
    /// the responder, nothing reachable, or an answer that does not verify)
    RevocationUnknown,
    Other, ///< any other OpenSSL verify error, named in the message
};

struct LinkFinding
{
    LinkProblem problem = LinkProblem::Other;
    Severity severity = Severity::Error;
    QString message; ///< plain words: "Expired 10 days ago, on 2026-11-15 (UTC)"
    QString detail;  ///< evidence: the OpenSSL verify error, the names compared...
};

/// Revocation status of one link; NotChecked until core/revocation fills it.
enum class RevocationStatus
{
    NotChecked,
    Good,
    Revoked,
    Unknown,
    Error
};

/// One card of the chain inspector.
struct ChainLink
{
    enum class Role
    {
        Leaf,
        Intermediate,
        Anchor
    };
    enum class Source
    {
        Served,     ///< in the file or the server's Certificate message
        Aia,        ///< fetched through AIA caIssuers
        TrustStore, ///< the anchor from the system store or a given bundle
    };

    Certificate certificate;
    Role role = Role::Leaf;
    Source source = Source::Served;
    QList<LinkFinding> findings;
    RevocationStatus revocation = RevocationStatus::NotChecked;
    QString revocationDetail;

    /// The worst severity among the findings (Ok when there are none).
    [[nodiscard]] Severity verdict() const
    {
        Severity worst = Severity::Ok;
        for (const LinkFinding& f : findings) {
            worst = std::max(worst, f.severity);
        }
        return worst;
    }
};

/// What is wrong with the chain as served (file order or TLS order).
enum class ServedProblem
{
    MissingIntermediate, ///< e.g. cert.pem served instead of fullchain.pem
    WrongOrder,
    Duplicate,
    Unrelated,    ///< a certificate that is not part of the path
    RootIncluded, ///< harmless but wasteful; info
    Empty,
};

struct ServedFinding
{
    ServedProblem problem = ServedProblem::MissingIntermediate;
    Severity severity = Severity::Error;
    QString message;
    QString detail;
};

/// The result of building and verifying a chain: the chain as served beside
/// the chain as built to a trust anchor, with a verdict per link.
struct ChainReport
{
    QString hostname;          ///< what the leaf was checked against (may be empty)
    QList<Certificate> served; ///< as given, in order
    QList<ChainLink> built;    ///< leaf first, anchor last (if one was reached)
    QList<ServedFinding> servedFindings;
    bool trusted = false; ///< a path to an anchor verified with no Error finding
    QString summary;      ///< one line: "Trusted chain to ISRG Root X1" / why not

    [[nodiscard]] Severity verdict() const
    {
        Severity worst = trusted ? Severity::Ok : Severity::Error;
        for (const ChainLink& l : built) {
            worst = std::max(worst, l.verdict());
        }
        for (const ServedFinding& f : servedFindings) {
            worst = std::max(worst, f.severity);
        }
        return worst;
    }
};

/// "ok", "info", "warning", "error": for --json and the audit log.
[[nodiscard]] QString severityName(Severity s);
/// "leaf", "intermediate", "anchor": for --json and text.
[[nodiscard]] QString linkRoleName(ChainLink::Role role);
/// "not-checked", "good", "revoked", "unknown", "error": for --json and text.
[[nodiscard]] QString revocationStatusName(RevocationStatus status);

} // namespace certdeck::crypto
