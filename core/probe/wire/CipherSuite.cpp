// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/wire/CipherSuite.h"

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

QString cipherSuiteCode(quint16 code)
{
    return QStringLiteral("0x") +
           QString::number(code, 16).toUpper().rightJustified(4, QLatin1Char('0'));
}

QString CipherSuite::codeString() const
{
    return cipherSuiteCode(code);
}

} // namespace certdeck::probe
