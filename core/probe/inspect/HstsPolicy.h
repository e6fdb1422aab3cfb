// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace certdeck::probe {

/// A Strict-Transport-Security header as a browser reads it (RFC 6797 6.1),
/// plus the `preload` token the browsers' preload lists ask for.
struct HstsPolicy
{
    bool present = false; ///< the response carried the header
    /// delta-seconds of max-age; unset when missing or malformed. Values past
    /// what qint64 holds are clamped (RFC 6797 allows any size).
    std::optional<qint64> maxAge;
    bool includeSubDomains = false;
    bool preload = false;
    QString raw; ///< the header value as received (first header if several)
    /// Why a browser ignores this header ("max-age is missing", "directive
    /// 'max-age' appears twice"); empty when it is valid.
    QString error;

    /// Present, well-formed and with a max-age: what a browser enforces.
    [[nodiscard]] bool valid() const { return present && error.isEmpty() && maxAge.has_value(); }
};

/// Parses one Strict-Transport-Security header value. Pure function: no I/O,
/// never throws, bounded by the input's length. Directive names are
/// case-insensitive; unknown directives are ignored; a repeated directive, a
/// missing or non-numeric max-age, an unterminated quoted string or a stray
/// character makes the header invalid (RFC 6797 6.1: the UA then ignores it).
[[nodiscard]] HstsPolicy parseHstsHeader(const QByteArray& value);

/// 180 days, the max-age the A+ grade and the preload lists ask for.
constexpr qint64 kHstsGoodMaxAge = 180LL * 24 * 3600;

} // namespace certdeck::probe
