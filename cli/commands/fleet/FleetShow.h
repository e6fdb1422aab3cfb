// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CliSupport.h"

namespace certdeck::cli {

/// certdeckctl fleet show: one endpoint with its current certificate (chain
/// as recorded, issuer record, key reference, source, revocation), its
/// deploy target, its certificate history and its last probe.
ExitCode runFleetShow(CommandContext& ctx, const QStringList& args);

} // namespace certdeck::cli
