// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/internal/Log.h"

namespace certdeck::crypto {

// Warning as the default level: quiet even in a program that never calls
// logging::configure().
Q_LOGGING_CATEGORY(lcCrypto, "certdeck.crypto", QtWarningMsg)

} // namespace certdeck::crypto
