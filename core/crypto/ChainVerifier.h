// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/ChainReport.h"
#include "crypto/TrustStore.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::crypto {

/// What to check a chain against.
struct ChainVerifyOptions
{
    /// Where the leaf is in the served list.
    enum class LeafPosition
    {
        First,  ///< the first certificate (a TLS server's Certificate message)
        Detect, ///< the one that issued none of the others (a file in any order)
    };
    LeafPosition leafPosition = LeafPosition::First;
    /// A link that expires within this many days gets an ExpiresSoon warning.
    int expiringSoonDays = 30;
};

/// The certificates to check.
struct ChainInput
{
    QList<Certificate> served; ///< as served or as in the file, in order
    QList<Certificate> extra;  ///< more candidate issuers, e.g. fetched through AIA
    /// DNS name or IP address (v4 or v6) the leaf must be valid for; empty: not checked.
    QString host;
    /// Why fetching a missing issuer failed; shown with the UnknownIssuer finding.
    QStringList aiaErrors;
};

/// Builds the path from the leaf to a trust anchor and verifies it with
/// OpenSSL (X509_V_FLAG_X509_STRICT, purpose sslserver, host or IP, security
/// level 2), collecting every error at every depth so each link gets all its
/// findings in plain words, then judges the served chain itself (missing
/// intermediate, order, duplicates, extra certificates, root included).
///
/// Pure and thread-safe: no I/O, no global state, time given by the caller.
class ChainVerifier
{
public:
    [[nodiscard]] static ChainReport verify(const ChainInput& input, const TrustStore& trust,
                                            const QDateTime& now,
                                            const ChainVerifyOptions& options = {});

    /// The one-line summary of `report` ("Trusted chain to X", "Not trusted:
    /// why", "..., with a warning: what"), from its trusted flag and its
    /// worst findings; for callers that add findings later (core/revocation).
    [[nodiscard]] static QString summarize(const ChainReport& report);

    /// The certificate at the top of the best path whose issuer is neither
    /// given nor a trust anchor: the one whose AIA caIssuers to fetch. Null
    /// when the path reaches an anchor or ends at a self-signed certificate.
    [[nodiscard]] static Certificate missingIssuerOf(const ChainInput& input,
                                                     const TrustStore& trust,
                                                     const ChainVerifyOptions& options = {});
};

} // namespace certdeck::crypto
