// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/ChainReport.h"
#include "crypto/ChainVerifier.h"
#include "crypto/TrustStore.h"

#include <QList>

namespace certdeck::crypto::internal {

/// The path found by matching issuer names, key identifiers and signatures.
struct ChainPath
{
    QList<Certificate> certs; ///< leaf first
    QList<ChainLink::Source> sources;
    qsizetype leafServedIndex = -1; ///< where the leaf was in the served list
    bool reachedAnchor = false;     ///< the last cert is a trust anchor
    bool endsSelfSigned = false;    ///< the last cert signed itself (and is no anchor)
};

/// `issuer` issued `subject`: names, AKI/SKI and key usage agree.
[[nodiscard]] bool issuedBy(const Certificate& subject, const Certificate& issuer);
/// The signature of `subject` verifies with `issuer`'s public key.
[[nodiscard]] bool signatureVerifies(const Certificate& subject, const Certificate& issuer);
/// Self-issued and its own signature verifies.
[[nodiscard]] bool isSelfSigned(const Certificate& cert);

/// Picks the leaf of `served` as `position` says; -1 when served is empty.
[[nodiscard]] qsizetype findLeaf(const QList<Certificate>& served,
                                 ChainVerifyOptions::LeafPosition position);

/// Builds the path from the leaf, preferring trust anchors, then served
/// certificates, then extra ones; an issuer whose signature verifies wins
/// over one that only matches by name.
[[nodiscard]] ChainPath buildPath(const ChainInput& input, const TrustStore& trust,
                                  ChainVerifyOptions::LeafPosition position);

} // namespace certdeck::crypto::internal
