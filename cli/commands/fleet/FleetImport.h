// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CliSupport.h"

namespace certdeck::cli {

/// certdeckctl fleet import: reads nginx -T output, a host list or CSV, a
/// certbot folder, a PEM folder or a CertDeck JSON export, shows what would
/// be added, and (without --dry-run) adds it in one transaction.
ExitCode runFleetImport(CommandContext& ctx, const QStringList& args);

/// certdeckctl fleet export: the inventory as JSON (no private keys) or the
/// fleet table as CSV.
ExitCode runFleetExport(CommandContext& ctx, const QStringList& args);

} // namespace certdeck::cli
