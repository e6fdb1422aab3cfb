// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

// Debug lines of core/revocation ("certdeck.revocation"). They name URLs,
// serial numbers and statuses: public facts. Nothing secret passes here.
Q_DECLARE_LOGGING_CATEGORY(lcRevocation)
