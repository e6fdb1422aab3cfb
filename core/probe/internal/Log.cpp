// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/internal/Log.h"

namespace certdeck::probe {

// Warning as the default level: quiet even in a program that never calls
// logging::configure().
Q_LOGGING_CATEGORY(lcProbe, "certdeck.probe", QtWarningMsg)

} // namespace certdeck::probe
