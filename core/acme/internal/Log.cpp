// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/internal/Log.h"

namespace certdeck::acme {

// Warning as the default level: quiet even in a program that never calls
// logging::configure().
Q_LOGGING_CATEGORY(lcAcme, "certdeck.acme", QtWarningMsg)

} // namespace certdeck::acme
