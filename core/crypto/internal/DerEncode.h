// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace certdeck::crypto::internal {

/// The DER encoding of an OpenSSL object through its i2d_* function
/// (i2d_X509, i2d_X509_REQ, i2d_X509_PUBKEY...); empty on failure.
template <auto I2d, class T>
[[nodiscard]] QByteArray derOf(const T* object)
{
    if (object == nullptr) {
        return {};
    }
    const int len = I2d(object, nullptr);
    if (len <= 0) {
        return {};
    }
    QByteArray out(len, Qt::Uninitialized);
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    if (I2d(object, &p) != len) {
        return {};
    }
    return out;
}

} // namespace certdeck::crypto::internal
