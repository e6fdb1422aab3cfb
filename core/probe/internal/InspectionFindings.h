// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/assess/Findings.h"

namespace certdeck::probe {
struct TlsInspection;
}

namespace certdeck::probe::internal {

/// The findings of an OpenSSL-handshake inspection: HSTS, the OCSP staple,
/// session resumption, ALPN (appended to `out`).
void inspectionFindings(const TlsInspection& inspection, const QDateTime& now, QList<Finding>& out);

} // namespace certdeck::probe::internal
