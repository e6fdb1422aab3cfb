// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/scan/ProbeResult.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::probe {

/// One way in which the nodes behind a name disagree: the aspect, and each
/// value seen with the nodes that showed it.
struct NodeDifference
{
    struct Variant
    {
        QString value;
        QStringList nodes; ///< addresses
    };
    /// "reachability", "protocols", "TLSv1.2 suites", "TLSv1.2 server
    /// order", "TLSv1.2 suite order", "groups", "DHE prime".
    QString aspect;
    QList<Variant> variants;

    /// "protocols: TLSv1.2, TLSv1.3 on 127.0.0.1, ::1; TLSv1.3 on 127.0.0.2".
    [[nodiscard]] QString text() const;
};

/// How a node answered in one word: "reachable", or why not ("timeout",
/// "refused", "reset", "unreachable", "dns-failure", "handshake-alert",
/// "no handshake"...), from its first error.
[[nodiscard]] QString nodeReachability(const ProbeResult& node);

/// Where the nodes of one endpoint differ: reachability, accepted protocols,
/// suites per protocol (the suites not every node accepts, with the nodes
/// that do), whose order decides and the server's order itself, key-exchange
/// groups and the DHE prime size. Only reachable nodes are compared beyond
/// reachability, and an aspect only among nodes that have it (suites of a
/// version among the nodes that accept it; order only where it was found).
/// The served certificate is not compared: the raw-ClientHello probe does not
/// read it (TLS 1.3 encrypts it). Empty for fewer than two nodes. Pure.
[[nodiscard]] QList<NodeDifference> compareNodes(const QList<ProbeResult>& nodes);

} // namespace certdeck::probe
