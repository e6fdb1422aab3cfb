// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/TlsPolicy.h"

namespace certdeck::config {

namespace {

// The TLS 1.3 suites are the same in every policy, and are OpenSSL's default.
QStringList tls13()
{
    return {QStringLiteral("TLS_AES_128_GCM_SHA256"), QStringLiteral("TLS_AES_256_GCM_SHA384"),
            QStringLiteral("TLS_CHACHA20_POLY1305_SHA256")};
}

// ECDHE with AEAD only: the intermediate set, which old starts with too.
QStringList ecdheAead()
{
    return {QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256"),
            QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256"),
            QStringLiteral("ECDHE-ECDSA-AES256-GCM-SHA384"),
            QStringLiteral("ECDHE-RSA-AES256-GCM-SHA384"),
            QStringLiteral("ECDHE-ECDSA-CHACHA20-POLY1305"),
            QStringLiteral("ECDHE-RSA-CHACHA20-POLY1305")};
}

QStringList dheAead()
{
    return {QStringLiteral("DHE-RSA-AES128-GCM-SHA256"),
            QStringLiteral("DHE-RSA-AES256-GCM-SHA384"),
            QStringLiteral("DHE-RSA-CHACHA20-POLY1305")};
}

} // namespace

QString TlsPolicy::id() const
{
    switch (name) {
    case TlsPolicyName::Modern:
        return QStringLiteral("modern");
    case TlsPolicyName::Intermediate:
        return QStringLiteral("intermediate");
    case TlsPolicyName::Old:
        return QStringLiteral("old");
    }
    return {};
}

QString TlsPolicy::cipherString(bool withDhe) const
{
    QStringList all = ciphers;
    if (withDhe) {
        all += dheCiphers;
    }
    if (all.isEmpty()) {
        return {};
    }
    if (needsSecurityLevel0) {
        all << QStringLiteral("@SECLEVEL=0");
    }
    return all.join(u':');
}

QString TlsPolicy::tls13String() const
{
    return tls13Suites.join(u':');
}

TlsPolicy tlsPolicy(TlsPolicyName name)
{
    TlsPolicy p;
    p.name = name;
    p.tls13Suites = tls13();
    switch (name) {
    case TlsPolicyName::Modern:
        p.protocols = {QStringLiteral("TLSv1.3")};
        break;
    case TlsPolicyName::Intermediate:
        p.protocols = {QStringLiteral("TLSv1.2"), QStringLiteral("TLSv1.3")};
        p.ciphers = ecdheAead();
        p.dheCiphers = dheAead();
        break;
    case TlsPolicyName::Old:
        p.protocols = {QStringLiteral("TLSv1"), QStringLiteral("TLSv1.1"),
                       QStringLiteral("TLSv1.2"), QStringLiteral("TLSv1.3")};
        // AEAD first, then CBC with ECDHE, then static RSA. The DHE ones come
        // after all of these (only with a dhparam file), where the guideline
        // puts them in the middle: a server-order policy then prefers ECDHE.
        p.ciphers =
            ecdheAead() +
            QStringList{
                QStringLiteral("ECDHE-ECDSA-AES128-SHA256"),
                QStringLiteral("ECDHE-RSA-AES128-SHA256"), QStringLiteral("ECDHE-ECDSA-AES128-SHA"),
                QStringLiteral("ECDHE-RSA-AES128-SHA"), QStringLiteral("ECDHE-ECDSA-AES256-SHA384"),
                QStringLiteral("ECDHE-RSA-AES256-SHA384"), QStringLiteral("ECDHE-ECDSA-AES256-SHA"),
                QStringLiteral("ECDHE-RSA-AES256-SHA"), QStringLiteral("AES128-GCM-SHA256"),
                QStringLiteral("AES256-GCM-SHA384"), QStringLiteral("AES128-SHA256"),
                QStringLiteral("AES256-SHA256"), QStringLiteral("AES128-SHA"),
                QStringLiteral("AES256-SHA"),
                // Debian's OpenSSL 3 has no 3DES: servers skip it.
                QStringLiteral("DES-CBC3-SHA")};
        p.dheCiphers = dheAead() + QStringList{QStringLiteral("DHE-RSA-AES128-SHA256"),
                                               QStringLiteral("DHE-RSA-AES256-SHA256")};
        p.serverOrder = true;
        p.needsSecurityLevel0 = true;
        p.legacy = true;
        break;
    }
    return p;
}

Result<TlsPolicyName> parseTlsPolicyName(const QString& text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("modern")) {
        return TlsPolicyName::Modern;
    }
    if (t == QLatin1String("intermediate")) {
        return TlsPolicyName::Intermediate;
    }
    if (t == QLatin1String("old")) {
        return TlsPolicyName::Old;
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("unknown TLS policy '%1' (allowed: %2)")
                    .arg(text, tlsPolicyNames().join(QStringLiteral(", "))));
}

QStringList tlsPolicyNames()
{
    return {QStringLiteral("modern"), QStringLiteral("intermediate"), QStringLiteral("old")};
}

QString legacyWarning()
{
    return QStringLiteral(
        "the old policy is for legacy clients only (TLS 1.0 and 1.1, CBC and static-RSA "
        "suites, OpenSSL security level 0): it is weaker than intermediate; use it only where "
        "such clients must still be served");
}

} // namespace certdeck::config
