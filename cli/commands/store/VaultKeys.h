// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CliSupport.h"

#include <QByteArray>
#include <optional>

namespace certdeck::cli {

/// `vault keys`: every stored key with what uses it. With `passphrase`, the
/// vault is unlocked to show each key's type.
ExitCode listVaultKeys(CommandContext& ctx, const std::optional<QByteArray>& passphrase);

/// `vault keys prune [ID...]`: deletes the keys nothing uses (all of them, or
/// those named), in one transaction. Asks on the terminal first unless
/// `force`; without a terminal to ask on, refuses.
ExitCode pruneVaultKeys(CommandContext& ctx, const QStringList& ids, bool force);

} // namespace certdeck::cli
