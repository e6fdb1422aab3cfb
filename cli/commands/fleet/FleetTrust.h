// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CliSupport.h"
#include "inventory/Store.h"

#include <QCommandLineOption>

namespace certdeck::cli {

/// certdeckctl fleet trust add|replace|list|show|rm|group: trust bundles
/// (an internal CA's roots) kept in the inventory, and which group uses one.
ExitCode runFleetTrust(CommandContext& ctx, const QStringList& args);

/// `--trust-bundle NAME|none` of fleet add and edit.
[[nodiscard]] QCommandLineOption trustBundleOption();

/// Applies `--trust-bundle` when given: the bundle's id, or none.
[[nodiscard]] Status applyTrustBundle(const inventory::Store& store, const QCommandLineParser& p,
                                      const QCommandLineOption& option, inventory::Endpoint& e);

/// "trust bundle 'X'" / "trust bundle 'X' of group G" / "system trust store".
[[nodiscard]] QString trustDescription(const inventory::Store& store, const inventory::Endpoint& e);

} // namespace certdeck::cli
