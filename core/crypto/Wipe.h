// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <openssl/crypto.h>

namespace certdeck::crypto {

/// Overwrites the bytes of a buffer that held key material (OPENSSL_cleanse:
/// not optimised away) and empties it. Detaches first, so call it on buffers
/// this code owns.
inline void wipe(QByteArray& bytes)
{
    if (!bytes.isEmpty()) {
        OPENSSL_cleanse(bytes.data(), static_cast<size_t>(bytes.size()));
    }
    bytes.clear();
}

} // namespace certdeck::crypto
