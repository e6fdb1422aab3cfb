// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/assess/ServedCertificates.h"
#include "probe/scan/ProbeRequest.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace certdeck::services {

/// The trust anchors an endpoint's chain is verified against: a PEM bundle
/// (kept in the inventory, or read from --ca-file), or, when `pem` is
/// empty, the system trust store.
struct TrustAnchors
{
    QByteArray pem;
    /// Where they come from, in plain words, shown with the chain findings:
    /// "system trust store", "trust bundle 'internal-ca' (group payments)",
    /// "--ca-file /etc/ssl/internal.pem".
    QString source = QStringLiteral("system trust store");

    [[nodiscard]] bool isSystem() const { return pem.isEmpty(); }
};

/// One endpoint to check: its inventory id (0 for an ad-hoc probe), where
/// to connect, and the anchors that apply to it.
struct ScanTarget
{
    qint64 endpointId = 0;
    probe::ProbeTarget target;
    TrustAnchors anchors;
    /// The endpoint's current certificate in the inventory, if it has one:
    /// what each node serves is compared with it (served.differs).
    std::optional<probe::RecordedCertificate> recorded;
};

} // namespace certdeck::services
