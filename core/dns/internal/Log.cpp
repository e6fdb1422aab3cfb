// SPDX-License-Identifier: GPL-3.0-or-later
#include "dns/internal/Log.h"

namespace certdeck::dns {

// Warning as the default level: quiet even in a program that never calls
// logging::configure().
Q_LOGGING_CATEGORY(lcDns, "certdeck.dns", QtWarningMsg)

} // namespace certdeck::dns
