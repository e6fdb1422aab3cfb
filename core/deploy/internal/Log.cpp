// SPDX-License-Identifier: GPL-3.0-or-later
#include "deploy/internal/Log.h"

namespace certdeck::deploy {

// Warning as the default level: quiet even in a program that never calls
// logging::configure().
Q_LOGGING_CATEGORY(lcDeploy, "certdeck.deploy", QtWarningMsg)

} // namespace certdeck::deploy
