// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace certdeck::acme {

/// One entry of a problem's "subproblems" (RFC 8555 6.7.1): what went wrong
/// for one identifier of an order.
struct AcmeSubproblem
{
    QString type; ///< full URN, "urn:ietf:params:acme:error:connection"
    QString detail;
    QString identifierType; ///< "dns", "ip"; empty when the server named none
    QString identifierValue;
};

/// An RFC 7807 problem document as ACME servers send them
/// (application/problem+json), turned into plain words by toError().
struct AcmeProblem
{
    QString type; ///< full URN or URI; "about:blank" when absent
    QString title;
    QString detail;
    int status = 0; ///< the "status" member, else the HTTP status
    QList<AcmeSubproblem> subproblems;

    /// Parses a problem document; nullopt when `body` is not a JSON object
    /// with at least "type" or "detail" (then it is no problem document).
    [[nodiscard]] static std::optional<AcmeProblem> parse(const QByteArray& body, int httpStatus);

    /// The part after "urn:ietf:params:acme:error:" ("badNonce"), or the
    /// whole type for other URIs.
    [[nodiscard]] QString shortType() const;
    [[nodiscard]] bool is(const char* acmeShortType) const;

    /// An Error whose message says, in plain words, what `action` ran into
    /// and for which identifiers, and whose detail keeps the server's own
    /// words and type URNs as evidence.
    [[nodiscard]] Error toError(const QString& action) const;

    /// Plain words for an ACME error type (short or full form); empty for
    /// types this client does not know.
    [[nodiscard]] static QString plainWords(const QString& type);
};

} // namespace certdeck::acme
