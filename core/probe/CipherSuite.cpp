// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/CipherSuite.h"

namespace certdeck::probe {

QString suiteStrengthName(SuiteStrength strength)
{
    switch (strength) {
    case SuiteStrength::Insecure:
        return QStringLiteral("insecure");
    case SuiteStrength::Weak:
        return QStringLiteral("weak");
    case SuiteStrength::Medium:
        return QStringLiteral("medium");
    case SuiteStrength::Strong:
        return QStringLiteral("strong");
    case SuiteStrength::Signaling:
        return QStringLiteral("signaling");
    }
    return QStringLiteral("unknown");
}

bool CipherSuite::forwardSecret() const
{
    static const QStringList ephemeral = {QStringLiteral("DHE"),     QStringLiteral("ECDHE"),
                                          QStringLiteral("DHE_PSK"), QStringLiteral("ECDHE_PSK"),
                                          QStringLiteral("ECCPWD"),  QStringLiteral("GOST"),
                                          QStringLiteral("any")};
    return ephemeral.contains(keyExchange);
}

QString CipherSuite::codeString() const
{
    return QStringLiteral("0x%1")
        .arg(code, 4, 16, QLatin1Char('0'))
        .toUpper()
        .replace(QLatin1String("0X"), QLatin1String("0x"));
}

} // namespace certdeck::probe
