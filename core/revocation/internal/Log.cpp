// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/internal/Log.h"

namespace certdeck::revocation {

// Warning as the default level: quiet even in a program that never calls
// logging::configure().
Q_LOGGING_CATEGORY(lcRevocation, "certdeck.revocation", QtWarningMsg)

} // namespace certdeck::revocation
