// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace certdeck::ossl {

/// Empties the calling thread's OpenSSL error queue into one line of evidence
/// ("error:0480006C:PEM routines::no start line; ..."). Call it right where
/// the failing OpenSSL call returned, never later.
[[nodiscard]] QString drainErrors();

} // namespace certdeck::ossl
