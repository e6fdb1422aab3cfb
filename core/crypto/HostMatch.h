// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"

#include <QString>

namespace certdeck::crypto {

/// Whether `certificate` is valid for `name` (a DNS name or an IP address)
/// as a TLS client checks it (RFC 6125: subjectAltName, a wildcard one
/// label deep; the CN only when there is no DNS SAN): true or false, or an
/// error when `name` is malformed or the check could not run.
[[nodiscard]] Result<bool> certificateMatchesName(const Certificate& certificate,
                                                  const QString& name);

/// The names a certificate is valid for, as an admin reads them: its DNS and
/// IP subjectAltNames, else its CN.
[[nodiscard]] QStringList certificateNames(const Certificate& certificate);

} // namespace certdeck::crypto
