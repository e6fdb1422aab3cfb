// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/internal/Log.h"

namespace certdeck {

// Warning as the default level: quiet even in a program that never calls
// logging::configure().
Q_LOGGING_CATEGORY(lcCommon, "certdeck.common", QtWarningMsg)

} // namespace certdeck
