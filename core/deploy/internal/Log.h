// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

namespace certdeck::deploy {

// "certdeck.deploy": warnings always; debug and info only with --verbose or
// CERTDECK_LOG (common/Logging.h). Never log a key, passphrase, file content
// that may hold a key, or a command line that carries a secret.
Q_DECLARE_LOGGING_CATEGORY(lcDeploy)

} // namespace certdeck::deploy
