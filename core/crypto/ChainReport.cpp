// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChainReport.h"

namespace certdeck::crypto {

QString severityName(Severity s)
{
    switch (s) {
    case Severity::Ok:
        return QStringLiteral("ok");
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("error");
}

} // namespace certdeck::crypto
