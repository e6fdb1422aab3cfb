// SPDX-License-Identifier: GPL-3.0-or-later
#include "services/internal/Log.h"

namespace certdeck::services {

// Warning as the default level: quiet even in a program that never calls
// logging::configure().
Q_LOGGING_CATEGORY(lcServices, "certdeck.services", QtWarningMsg)

} // namespace certdeck::services
