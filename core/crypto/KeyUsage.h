// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFlags>
#include <QtGlobal>

namespace certdeck::crypto {

/// RFC 5280 4.2.1.3 keyUsage bits (bit n of the BIT STRING is `1 << n`),
/// shared by certificate decoding and CSR building.
enum class KeyUsage : quint16
{
    DigitalSignature = 1 << 0,
    ContentCommitment = 1 << 1, ///< formerly nonRepudiation
    KeyEncipherment = 1 << 2,
    DataEncipherment = 1 << 3,
    KeyAgreement = 1 << 4,
    KeyCertSign = 1 << 5,
    CrlSign = 1 << 6,
    EncipherOnly = 1 << 7,
    DecipherOnly = 1 << 8,
};
Q_DECLARE_FLAGS(KeyUsages, KeyUsage)
Q_DECLARE_OPERATORS_FOR_FLAGS(KeyUsages)

} // namespace certdeck::crypto
