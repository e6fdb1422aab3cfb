// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace certdeck::crypto::internal {

/// Reads every "BEGIN CERTIFICATE" block of a PEM text, in order, or, when the
/// data holds no PEM marker, one DER certificate. Errors name the block's line
/// ("bundle.pem line 31: base64 body is truncated"). A small reader for trust
/// bundles; the workbench's full CertificateReader handles every other format.
[[nodiscard]] Result<QList<Certificate>> readCertificates(const QByteArray& data,
                                                          const QString& origin);

} // namespace certdeck::crypto::internal
