// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServedCertificates.h"

#include <QStringList>

namespace certdeck::probe {

QString servedLeafText(const QString& serialHex, const QDateTime& notAfterUtc)
{
    return QStringLiteral("serial %1, expires %2")
        .arg(serialHex.isEmpty() ? QStringLiteral("?") : serialHex,
             notAfterUtc.isValid() ? notAfterUtc.toString(Qt::ISODate) : QStringLiteral("?"));
}

QList<Finding> servedFindings(const QList<ServedLeaf>& served,
                              const std::optional<RecordedCertificate>& recorded)
{
    QList<const ServedLeaf*> known;
    for (const ServedLeaf& s : served) {
        if (!s.sha256Hex.isEmpty()) {
            known << &s;
        }
    }
    if (known.isEmpty()) {
        return {};
    }
    QStringList perNode;
    bool allSame = true;
    bool allRecorded = true;
    for (const ServedLeaf* s : std::as_const(known)) {
        perNode << QStringLiteral("%1 serves %2")
                       .arg(s->address, servedLeafText(s->serialHex, s->notAfterUtc));
        allSame = allSame && s->sha256Hex == known.constFirst()->sha256Hex;
        allRecorded = allRecorded && recorded &&
                      s->sha256Hex.compare(recorded->sha256Hex, Qt::CaseInsensitive) == 0;
    }
    if (recorded) {
        if (allRecorded) {
            return {};
        }
        return {
            Finding{QStringLiteral("served.differs"), FindingSeverity::Warning,
                    QStringLiteral("A node serves another certificate than the inventory records"),
                    QStringLiteral("%1; the inventory records %2 (certificate #%3)")
                        .arg(perNode.join(QStringLiteral("; ")),
                             servedLeafText(recorded->serialHex, recorded->notAfterUtc))
                        .arg(recorded->id),
                    QStringLiteral("Deploy the recorded certificate to every node and reload the "
                                   "server, or attach the certificate that is served if it is the "
                                   "right one.")}};
    }
    if (allSame) {
        return {};
    }
    return {Finding{QStringLiteral("served.nodes-differ"), FindingSeverity::Warning,
                    QStringLiteral("The nodes serve different certificates"),
                    perNode.join(QStringLiteral("; ")),
                    QStringLiteral("Deploy the same certificate to every node behind the name.")}};
}

} // namespace certdeck::probe
