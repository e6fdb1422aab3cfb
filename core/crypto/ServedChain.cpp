// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/internal/ServedChain.h"

namespace certdeck::crypto::internal {

namespace {

QString shortName(const Certificate& c)
{
    const QString cn = c.commonName();
    return cn.isEmpty() ? c.subject() : cn;
}

qsizetype indexIn(const QList<ChainLink>& built, const Certificate& c)
{
    for (qsizetype i = 0; i < built.size(); ++i) {
        if (built[i].certificate == c) {
            return i;
        }
    }
    return -1;
}

QString roleWord(qsizetype chainIndex, qsizetype chainSize)
{
    if (chainIndex == 0) {
        return QStringLiteral("leaf");
    }
    return chainIndex == chainSize - 1 ? QStringLiteral("root") : QStringLiteral("intermediate");
}

} // namespace

QList<ServedFinding> judgeServedChain(const ChainInput& input, const ChainPath& path,
                                      const QList<ChainLink>& built)
{
    QList<ServedFinding> out;
    const QList<Certificate>& served = input.served;

    // Missing intermediates: links the server should have sent.
    QStringList fetched;
    for (const ChainLink& l : built) {
        if (l.source == ChainLink::Source::Aia) {
            fetched << shortName(l.certificate);
        }
    }
    const bool leafOnly = served.size() == 1;
    if (!fetched.isEmpty()) {
        out << ServedFinding{
            ServedProblem::MissingIntermediate, Severity::Error,
            leafOnly ? QStringLiteral("Missing intermediate: only the leaf is served (the server "
                                      "sends cert.pem instead of fullchain.pem); %1 had to be "
                                      "fetched through AIA")
                           .arg(fetched.join(QStringLiteral(", ")))
                     : QStringLiteral("Missing intermediate: %1 is not served and had to be "
                                      "fetched through AIA")
                           .arg(fetched.join(QStringLiteral(", "))),
            QStringLiteral("clients that do not fetch AIA (Firefox, curl, most APIs) reject "
                           "this chain")};
    } else if (!path.reachedAnchor && !path.endsSelfSigned && path.certs.size() == 1 &&
               !built.isEmpty()) {
        out << ServedFinding{
            ServedProblem::MissingIntermediate,
            Severity::Error,
            QStringLiteral("Missing intermediate: the issuer of the leaf (%1) is not served%2")
                .arg(path.certs.first().issuer(),
                     leafOnly ? QStringLiteral(" (the server sends cert.pem instead of "
                                               "fullchain.pem)")
                              : QString()),
            {}};
    }

    // Duplicates, included roots, unrelated certificates, order.
    QList<qsizetype> chainOrder; // chain index of each served certificate on the path
    bool leafFirst = true;
    for (qsizetype i = 0; i < served.size(); ++i) {
        const Certificate& c = served[i];
        const qsizetype earlier = served.indexOf(c);
        if (earlier < i) {
            out << ServedFinding{ServedProblem::Duplicate,
                                 Severity::Warning,
                                 QStringLiteral("Certificate #%1 (%2) is served twice, also as "
                                                "#%3")
                                     .arg(i + 1)
                                     .arg(shortName(c))
                                     .arg(earlier + 1),
                                 {}};
            continue;
        }
        const qsizetype at = indexIn(built, c);
        const bool selfSigned = isSelfSigned(c);
        if (selfSigned && i != path.leafServedIndex) {
            out << ServedFinding{ServedProblem::RootIncluded,
                                 Severity::Info,
                                 QStringLiteral("The root %1 is served; clients must already "
                                                "have it, so sending it only costs bytes")
                                     .arg(shortName(c)),
                                 {}};
        } else if (at < 0) {
            out << ServedFinding{
                ServedProblem::Unrelated, Severity::Warning,
                QStringLiteral("Certificate #%1 (%2) is not part of the chain to the leaf")
                    .arg(i + 1)
                    .arg(shortName(c)),
                QStringLiteral("subject %1, issuer %2").arg(c.subject(), c.issuer())};
        }
        if (at >= 0) {
            if (chainOrder.isEmpty() && at != 0) {
                leafFirst = false;
            }
            chainOrder << at;
        }
    }
    bool ascending = leafFirst;
    for (qsizetype i = 1; i < chainOrder.size(); ++i) {
        ascending = ascending && chainOrder[i] > chainOrder[i - 1];
    }
    if (!ascending) {
        QStringList got;
        for (const qsizetype at : chainOrder) {
            got << roleWord(at, built.size());
        }
        out << ServedFinding{ServedProblem::WrongOrder, Severity::Warning,
                             QStringLiteral("Served in the wrong order (%1); the leaf must come "
                                            "first, then each certificate's issuer")
                                 .arg(got.join(QStringLiteral(", "))),
                             QStringLiteral("TLS 1.2 clients may reject a chain out of order "
                                            "(RFC 5246 section 7.4.2)")};
    }
    return out;
}

} // namespace certdeck::crypto::internal
