// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CliSupport.h"

namespace certdeck::cli {

/// certdeckctl fleet attach ENDPOINT CERT: makes a certificate the
/// endpoint's current one (an "issued" version, audited certificate.attach).
/// CERT is an inventory id, a SHA-256 fingerprint or a PEM/DER file (recorded
/// first as "imported"). A certificate that does not cover the name clients
/// send, an expired or a revoked one (without --force) is refused before
/// anything is written.
ExitCode runFleetAttach(CommandContext& ctx, const QStringList& args);

} // namespace certdeck::cli
