// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <optional>

namespace certdeck::acme {

/// RFC 7515 section 2 base64url: URL alphabet, no padding.
[[nodiscard]] QByteArray base64Url(const QByteArray& data);

/// Decodes unpadded (or padded) base64url; nullopt on any character outside
/// the alphabet, so a damaged token or key is reported, not half-decoded.
[[nodiscard]] std::optional<QByteArray> fromBase64Url(const QByteArray& text);

/// True when `text` is non-empty and uses only the base64url alphabet. ACME
/// tokens must pass this before they become a file name or a URL path.
[[nodiscard]] bool isBase64UrlToken(const QByteArray& text);

} // namespace certdeck::acme
