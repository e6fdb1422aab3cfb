// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QtGlobal>
#include <optional>

namespace certdeck::probe {

/// TLS supported_groups code points (RFC 8446 4.2.7, RFC 7919) the prober
/// enumerates; other values travel as plain quint16.
enum class NamedGroup : quint16
{
    Secp256r1 = 23,
    Secp384r1 = 24,
    Secp521r1 = 25,
    X25519 = 29,
    X448 = 30,
    Ffdhe2048 = 256,
    Ffdhe3072 = 257,
    Ffdhe4096 = 258,
    Ffdhe6144 = 259,
    Ffdhe8192 = 260,
};

/// The groups an enumeration tries, in the order a report lists them.
[[nodiscard]] QList<quint16> probedGroups();
/// "x25519", "secp256r1", "ffdhe2048", "brainpoolP256r1"...; "0x1234" when unknown.
[[nodiscard]] QString namedGroupName(quint16 group);
/// The group of a name namedGroupName() gives, or nullopt.
[[nodiscard]] std::optional<quint16> namedGroupFromName(const QString& name);
/// A valid TLS 1.3 key_share for `group` where any bytes of the right size are
/// one (x25519: 32, x448: 56; RFC 7748 clamps the scalar side, and a peer
/// cannot tell random bytes from a public key). nullopt for the other groups:
/// the prober sends them no share and lets the server ask with a
/// HelloRetryRequest.
[[nodiscard]] std::optional<QByteArray> randomKeyShare(quint16 group);

} // namespace certdeck::probe
