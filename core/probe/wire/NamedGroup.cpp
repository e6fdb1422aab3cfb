// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/wire/NamedGroup.h"

#include <QRandomGenerator>

namespace certdeck::probe {

namespace {

struct GroupName
{
    quint16 code;
    const char* name;
};

// Names as OpenSSL and nmap print them; the legacy curves are here so a
// ServerHello or report naming them is readable.
constexpr GroupName kGroupNames[] = {
    {19, "secp192r1"},
    {21, "secp224r1"},
    {22, "secp256k1"},
    {23, "secp256r1"},
    {24, "secp384r1"},
    {25, "secp521r1"},
    {26, "brainpoolP256r1"},
    {27, "brainpoolP384r1"},
    {28, "brainpoolP512r1"},
    {29, "x25519"},
    {30, "x448"},
    {256, "ffdhe2048"},
    {257, "ffdhe3072"},
    {258, "ffdhe4096"},
    {259, "ffdhe6144"},
    {260, "ffdhe8192"},
};

} // namespace

QList<quint16> probedGroups()
{
    return {29, 30, 23, 24, 25, 256, 257, 258, 259, 260};
}

QString namedGroupName(quint16 group)
{
    for (const GroupName& g : kGroupNames) {
        if (g.code == group) {
            return QString::fromLatin1(g.name);
        }
    }
    return QStringLiteral("0x%1").arg(group, 4, 16, QLatin1Char('0'));
}

std::optional<quint16> namedGroupFromName(const QString& name)
{
    for (const GroupName& g : kGroupNames) {
        if (name.compare(QLatin1String(g.name), Qt::CaseInsensitive) == 0) {
            return g.code;
        }
    }
    return std::nullopt;
}

std::optional<QByteArray> randomKeyShare(quint16 group)
{
    qsizetype size = 0;
    if (group == static_cast<quint16>(NamedGroup::X25519)) {
        size = 32;
    } else if (group == static_cast<quint16>(NamedGroup::X448)) {
        size = 56;
    } else {
        return std::nullopt;
    }
    QByteArray share(size, '\0');
    for (qsizetype i = 0; i < size; ++i) {
        share[i] = static_cast<char>(QRandomGenerator::system()->bounded(256));
    }
    return share;
}

} // namespace certdeck::probe
