// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QtGlobal>

namespace certdeck::probe {

/// A TLS alert as received (RFC 8446 6, RFC 5246 7.2).
struct TlsAlert
{
    quint8 level = 0;       ///< 1 warning, 2 fatal
    quint8 description = 0; ///< AlertDescription code

    /// "handshake_failure", "protocol_version"...; "alert_123" when unregistered.
    [[nodiscard]] QString name() const;
    /// "fatal", "warning", or "level_7".
    [[nodiscard]] QString levelName() const;
    /// True for the alerts a server sends when it simply does not accept what
    /// was offered (handshake_failure, protocol_version, insufficient_security,
    /// illegal_parameter...), as opposed to internal errors.
    [[nodiscard]] bool isRefusal() const;
};

} // namespace certdeck::probe
