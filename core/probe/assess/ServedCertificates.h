// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/assess/Findings.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <optional>

namespace certdeck::probe {

/// The leaf one node behind an endpoint served, as its handshake showed it.
struct ServedLeaf
{
    QString address;   ///< the node's IP
    QString sha256Hex; ///< empty when the node's leaf could not be read (see error)
    QString serialHex;
    QString subject;
    QDateTime notAfterUtc;
    QByteArray der; ///< the leaf itself, so the inventory can keep what was seen
    QString error;  ///< why the leaf is unknown ("timeout", "handshake failed: ...")
};

/// The certificate the inventory records as the endpoint's current one.
struct RecordedCertificate
{
    qint64 id = 0;
    QString sha256Hex;
    QString serialHex;
    QString subject;
    QDateTime notAfterUtc;
};

/// Served versus recorded (rules in GRADING.md):
/// - served.differs (warning): the inventory records a certificate and a node
///   serves another one; the evidence names what each node serves and what is
///   recorded, with serials and expiry;
/// - served.nodes-differ (warning): nothing is recorded and the nodes serve
///   different certificates.
/// Nodes whose leaf is unknown are left out (their reachability has its own
/// findings). Pure.
[[nodiscard]] QList<Finding> servedFindings(const QList<ServedLeaf>& served,
                                            const std::optional<RecordedCertificate>& recorded);

/// "serial 0A1B…, expires 2027-03-01" for evidence and the console.
[[nodiscard]] QString servedLeafText(const QString& serialHex, const QDateTime& notAfterUtc);

} // namespace certdeck::probe
