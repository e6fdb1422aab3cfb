// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/internal/Log.h"

namespace certdeck::inventory {

// Warning as the default level: quiet even in a program that never calls
// logging::configure().
Q_LOGGING_CATEGORY(lcInventory, "certdeck.inventory", QtWarningMsg)

} // namespace certdeck::inventory
