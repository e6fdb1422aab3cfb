// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

namespace certdeck::ui {

// "certdeck.ui": warnings always; debug and info only with --verbose or
// CERTDECK_LOG (common/Logging.h). Never log a key, passphrase or token.
Q_DECLARE_LOGGING_CATEGORY(lcUi)

} // namespace certdeck::ui
