// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/internal/ChainPath.h"

#include "crypto/OpenSslError.h"

#include <algorithm>
#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace certdeck::crypto::internal {

namespace {

// A chain longer than this is a loop or an attack; real ones have 2-4 links.
constexpr int kMaxPathLength = 10;

bool inPath(const ChainPath& path, const Certificate& c)
{
    for (const Certificate& p : path.certs) {
        if (X509_cmp(p.handle(), c.handle()) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace

bool issuedBy(const Certificate& subject, const Certificate& issuer)
{
    if (subject.isNull() || issuer.isNull()) {
        return false;
    }
    // Name and AKI/SKI only: a missing keyCertSign is the verifier's finding
    // (NotCa) on the right link, not a reason to lose the link.
    const int rc = X509_check_issued(issuer.handle(), subject.handle());
    ERR_clear_error();
    return rc == X509_V_OK || rc == X509_V_ERR_KEYUSAGE_NO_CERTSIGN;
}

bool signatureVerifies(const Certificate& subject, const Certificate& issuer)
{
    EVP_PKEY* key = X509_get0_pubkey(issuer.handle());
    const bool ok = key != nullptr && X509_verify(subject.handle(), key) == 1;
    // A failed check is an answer here, not an error to report.
    ERR_clear_error();
    return ok;
}

bool isSelfSigned(const Certificate& cert)
{
    return !cert.isNull() && issuedBy(cert, cert) && signatureVerifies(cert, cert);
}

qsizetype findLeaf(const QList<Certificate>& served, ChainVerifyOptions::LeafPosition position)
{
    if (served.isEmpty()) {
        return -1;
    }
    if (position == ChainVerifyOptions::LeafPosition::First) {
        return 0;
    }
    // The leaf issued none of the others. Among several such certificates
    // (an unrelated one in the bag), a non-CA wins, then the first served.
    qsizetype firstCandidate = -1;
    for (qsizetype i = 0; i < served.size(); ++i) {
        bool issuesOther = false;
        for (qsizetype j = 0; j < served.size() && !issuesOther; ++j) {
            issuesOther = i != j && X509_cmp(served[i].handle(), served[j].handle()) != 0 &&
                          issuedBy(served[j], served[i]);
        }
        if (issuesOther) {
            continue;
        }
        if (!served[i].isCa()) {
            return i;
        }
        if (firstCandidate < 0) {
            firstCandidate = i;
        }
    }
    return firstCandidate >= 0 ? firstCandidate : 0;
}

ChainPath buildPath(const ChainInput& input, const TrustStore& trust,
                    ChainVerifyOptions::LeafPosition position)
{
    ChainPath path;
    path.leafServedIndex = findLeaf(input.served, position);
    if (path.leafServedIndex < 0) {
        return path;
    }
    const Certificate& leaf = input.served.at(path.leafServedIndex);
    path.certs << leaf;
    path.sources << (trust.contains(leaf) && !input.served.contains(leaf)
                         ? ChainLink::Source::TrustStore
                         : ChainLink::Source::Served);
    while (path.certs.size() < kMaxPathLength) {
        const Certificate top = path.certs.last();
        if (trust.contains(top)) {
            path.reachedAnchor = true;
            path.sources.last() = ChainLink::Source::TrustStore;
            break;
        }
        if (isSelfSigned(top)) {
            path.endsSelfSigned = true;
            break;
        }
        // Every candidate by name and key identifier, anchors first. With one
        // candidate (the usual case) OpenSSL's check of its signature is
        // enough; among several, one whose signature verifies wins, so a bad
        // signature is only reported when no candidate fits.
        const QList<Certificate> anchors = trust.issuersByName(top);
        QList<std::pair<Certificate, ChainLink::Source>> candidates;
        const std::pair<const QList<Certificate>*, ChainLink::Source> sets[] = {
            {&anchors, ChainLink::Source::TrustStore},
            {&input.served, ChainLink::Source::Served},
            {&input.extra, ChainLink::Source::Aia}};
        for (const auto& [set, from] : sets) {
            for (const Certificate& c : *set) {
                const bool seen = std::any_of(candidates.cbegin(), candidates.cend(),
                                              [&c](const auto& known) { return known.first == c; });
                if (!seen && !c.isNull() && !inPath(path, c) && issuedBy(top, c)) {
                    candidates.append({c, from});
                }
            }
        }
        Certificate next;
        ChainLink::Source source = ChainLink::Source::Served;
        if (candidates.size() == 1) {
            std::tie(next, source) = candidates.first();
        }
        for (const auto& [c, from] : candidates) {
            if (next.isNull() && signatureVerifies(top, c)) {
                next = c;
                source = from;
            }
        }
        if (next.isNull() && !candidates.isEmpty()) {
            std::tie(next, source) = candidates.first();
        }
        if (next.isNull()) {
            break;
        }
        path.certs << next;
        path.sources << source;
    }
    return path;
}

} // namespace certdeck::crypto::internal
