// SPDX-License-Identifier: GPL-3.0-or-later
#include "Result.h"

namespace certdeck {

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Internal:
        return QStringLiteral("internal");
    case ErrorCode::InvalidInput:
        return QStringLiteral("invalid-input");
    case ErrorCode::NotFound:
        return QStringLiteral("not-found");
    case ErrorCode::Io:
        return QStringLiteral("io");
    case ErrorCode::Network:
        return QStringLiteral("network");
    case ErrorCode::Timeout:
        return QStringLiteral("timeout");
    case ErrorCode::Protocol:
        return QStringLiteral("protocol");
    case ErrorCode::Crypto:
        return QStringLiteral("crypto");
    case ErrorCode::Database:
        return QStringLiteral("database");
    case ErrorCode::Conflict:
        return QStringLiteral("conflict");
    case ErrorCode::Cancelled:
        return QStringLiteral("cancelled");
    case ErrorCode::Unsupported:
        return QStringLiteral("unsupported");
    case ErrorCode::PermissionDenied:
        return QStringLiteral("permission-denied");
    }
    return QStringLiteral("internal");
}

} // namespace certdeck
