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

QString linkRoleName(ChainLink::Role role)
{
    switch (role) {
    case ChainLink::Role::Leaf:
        return QStringLiteral("leaf");
    case ChainLink::Role::Intermediate:
        return QStringLiteral("intermediate");
    case ChainLink::Role::Anchor:
        return QStringLiteral("anchor");
    }
    return {};
}

QString revocationStatusName(RevocationStatus status)
{
    switch (status) {
    case RevocationStatus::NotChecked:
        return QStringLiteral("not-checked");
    case RevocationStatus::Good:
        return QStringLiteral("good");
    case RevocationStatus::Revoked:
        return QStringLiteral("revoked");
    case RevocationStatus::Unknown:
        return QStringLiteral("unknown");
    case RevocationStatus::Error:
        return QStringLiteral("error");
    }
    return {};
}

} // namespace certdeck::crypto
