// SPDX-License-Identifier: GPL-3.0-or-later
#include "UiLog.h"

namespace certdeck::ui {

Q_LOGGING_CATEGORY(lcUi, "certdeck.ui", QtWarningMsg)

} // namespace certdeck::ui
