// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/CertbotRenewalConf.h"

#include <QRegularExpression>

namespace certdeck::inventory {

namespace {

QStringList listValue(const QString& v)
{
    QStringList out;
    for (const QString& part : v.split(u',')) {
        QString p = part.trimmed();
        if (p.size() >= 2 && (p.front() == u'"' || p.front() == u'\'') && p.back() == p.front()) {
            p = p.mid(1, p.size() - 2);
        }
        if (!p.isEmpty()) {
            out << p;
        }
    }
    return out;
}

void addUnique(QStringList& into, const QStringList& values)
{
    for (const QString& v : values) {
        if (!into.contains(v)) {
            into << v;
        }
    }
}

} // namespace

CertbotRenewalConf CertbotRenewalConf::parse(const QByteArray& text, const QString& originName)
{
    CertbotRenewalConf c;
    QString section;
    int line = 0;
    static const QRegularExpression sectionRe(QStringLiteral("^(\\[+)\\s*([^\\]]+?)\\s*\\]+$"));
    for (const QByteArray& raw : text.split('\n')) {
        ++line;
        const QString l = QString::fromUtf8(raw).trimmed();
        if (l.isEmpty() || l.startsWith(u'#')) {
            continue;
        }
        if (l.startsWith(u'[')) {
            const auto m = sectionRe.match(l);
            if (!m.hasMatch()) {
                c.warnings << QStringLiteral("%1 line %2: malformed section header \"%3\"")
                                  .arg(originName)
                                  .arg(line)
                                  .arg(l);
                continue;
            }
            section = m.captured(2);
            continue;
        }
        const qsizetype eq = l.indexOf(u'=');
        if (eq <= 0) {
            c.warnings << QStringLiteral("%1 line %2: not \"key = value\"; ignored")
                              .arg(originName)
                              .arg(line);
            continue;
        }
        const QString key = l.left(eq).trimmed();
        const QString value = l.mid(eq + 1).trimmed();
        const QStringList values = listValue(value);
        const QString single = values.value(0);
        if (section.isEmpty()) {
            if (key == QLatin1String("cert")) {
                c.certPath = single;
            } else if (key == QLatin1String("chain")) {
                c.chainPath = single;
            } else if (key == QLatin1String("fullchain")) {
                c.fullchainPath = single;
            } else if (key == QLatin1String("privkey")) {
                c.privkeyPath = single;
            } else if (key == QLatin1String("renew_before_expiry")) {
                c.renewBeforeExpiry = value;
            }
        } else if (section == QLatin1String("renewalparams")) {
            if (key == QLatin1String("authenticator")) {
                c.authenticator = single;
            } else if (key == QLatin1String("installer")) {
                c.installer = single;
            } else if (key == QLatin1String("server")) {
                c.server = single;
            } else if (key == QLatin1String("account")) {
                c.account = single;
            } else if (key == QLatin1String("key_type")) {
                c.keyType = single.toLower();
            } else if (key == QLatin1String("elliptic_curve")) {
                c.ellipticCurve = single.toLower();
            } else if (key == QLatin1String("rsa_key_size")) {
                c.rsaKeySize = single;
            } else if (key == QLatin1String("pref_challs")) {
                c.preferredChallenges = values;
            } else if (key == QLatin1String("webroot_path")) {
                addUnique(c.webrootPaths, values);
            } else if (key == QLatin1String("domains")) {
                addUnique(c.domains, values);
            }
        } else if (section == QLatin1String("webroot_map")) {
            addUnique(c.domains, {key.toLower()});
            addUnique(c.webrootPaths, values);
        }
    }
    return c;
}

QString CertbotRenewalConf::certdeckKeyType() const
{
    if (keyType == QLatin1String("ecdsa")) {
        if (ellipticCurve == QLatin1String("secp384r1")) {
            return QStringLiteral("p384");
        }
        if (ellipticCurve.isEmpty() || ellipticCurve == QLatin1String("secp256r1")) {
            return QStringLiteral("p256");
        }
        return {};
    }
    if (keyType.isEmpty() || keyType == QLatin1String("rsa")) {
        // certbot before 2.0 wrote no key_type and made RSA keys.
        const QString size = rsaKeySize.isEmpty() ? QStringLiteral("2048") : rsaKeySize;
        return QStringLiteral("rsa") + size;
    }
    return {};
}

QString CertbotRenewalConf::challenge() const
{
    for (const QString& p : preferredChallenges) {
        const QString c = p.toLower();
        if (c.startsWith(QLatin1String("dns"))) {
            return QStringLiteral("dns-01");
        }
        if (c.startsWith(QLatin1String("tls-alpn"))) {
            return QStringLiteral("tls-alpn-01");
        }
        if (c.startsWith(QLatin1String("http"))) {
            return QStringLiteral("http-01");
        }
    }
    if (authenticator.startsWith(QLatin1String("dns"))) {
        return QStringLiteral("dns-01");
    }
    return QStringLiteral("http-01");
}

int CertbotRenewalConf::renewBeforeDays() const
{
    static const QRegularExpression days(QStringLiteral("^(\\d+)\\s*(d|days?)?$"));
    const auto m = days.match(renewBeforeExpiry.trimmed().toLower());
    return m.hasMatch() ? m.captured(1).toInt() : 30;
}

} // namespace certdeck::inventory
