// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/CertbotRenewalConf.h"

#include "common/HostPort.h"

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
                c.errors << QStringLiteral("%1 line %2: malformed section header \"%3\"")
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
            c.errors << QStringLiteral("%1 line %2: \"%3\" is not \"key = value\"")
                            .arg(originName)
                            .arg(line)
                            .arg(l);
            continue;
        }
        const QString key = l.left(eq).trimmed();
        const QString value = l.mid(eq + 1).trimmed();
        const QStringList values = listValue(value);
        const QString single = values.value(0);
        auto bad = [&](const QString& what) {
            c.errors << QStringLiteral("%1 line %2: %3").arg(originName).arg(line).arg(what);
        };
        // Names become endpoints: each must be a host name (or a wildcard
        // certbot can hold, which is noted, never probed).
        auto addDomains = [&](const QStringList& names) {
            for (const QString& n : names) {
                const QString bare = n.startsWith(QLatin1String("*.")) ? n.mid(2) : n;
                auto host = parseHostName(bare);
                if (!host) {
                    bad(QStringLiteral("domain %1").arg(host.error().message));
                    continue;
                }
                addUnique(
                    c.domains,
                    {n.startsWith(QLatin1String("*.")) ? QStringLiteral("*.") + *host : *host});
            }
        };
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
                if (!value.isEmpty() && !intervalDays(value)) {
                    bad(QStringLiteral("renew_before_expiry \"%1\" is not a time interval "
                                       "(\"30 days\", \"2 weeks\")")
                            .arg(value));
                }
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
                static const QRegularExpression digits(QStringLiteral("^[0-9]{1,6}$"));
                if (!digits.match(single).hasMatch()) {
                    bad(QStringLiteral("rsa_key_size \"%1\" is not a number").arg(single));
                }
            } else if (key == QLatin1String("pref_challs")) {
                c.preferredChallenges = values;
            } else if (key == QLatin1String("webroot_path")) {
                addUnique(c.webrootPaths, values);
            } else if (key == QLatin1String("domains")) {
                addDomains(values);
            }
        } else if (section == QLatin1String("webroot_map")) {
            addDomains({key});
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
        static const QStringList ours = {QStringLiteral("2048"), QStringLiteral("3072"),
                                         QStringLiteral("4096")};
        return ours.contains(size) ? QStringLiteral("rsa") + size : QString();
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
    // parse() reported an interval it could not read; 30 is then never used
    // because the import is refused.
    return intervalDays(renewBeforeExpiry).value_or(30);
}

std::optional<int> CertbotRenewalConf::intervalDays(const QString& text)
{
    // certbot reads it with parsedatetime: "N unit" pairs, a bare number
    // meaning days. The units certbot documents, in seconds.
    static const QList<QPair<QStringList, qint64>> units = {
        {{QStringLiteral("s"), QStringLiteral("sec"), QStringLiteral("secs"),
          QStringLiteral("second"), QStringLiteral("seconds")},
         1},
        {{QStringLiteral("min"), QStringLiteral("mins"), QStringLiteral("minute"),
          QStringLiteral("minutes")},
         60},
        {{QStringLiteral("h"), QStringLiteral("hour"), QStringLiteral("hours")}, 3600},
        {{QStringLiteral("d"), QStringLiteral("day"), QStringLiteral("days")}, 86400},
        {{QStringLiteral("w"), QStringLiteral("week"), QStringLiteral("weeks")}, 7 * 86400},
        {{QStringLiteral("month"), QStringLiteral("months")}, 30 * 86400},
        {{QStringLiteral("y"), QStringLiteral("year"), QStringLiteral("years")}, 365 * 86400},
    };
    static const QRegularExpression pair(QStringLiteral("^\\s*([0-9]{1,6})\\s*([a-z]*)"));
    if (text.trimmed().isEmpty()) {
        return std::nullopt; // unset is "certbot's default", never an empty value
    }
    QString rest = text.trimmed().toLower();
    qint64 seconds = 0;
    while (!rest.trimmed().isEmpty()) {
        const auto m = pair.match(rest);
        if (!m.hasMatch()) {
            return std::nullopt;
        }
        qint64 unit = 0;
        if (m.captured(2).isEmpty()) {
            unit = 86400;
        }
        for (const auto& [names, secs] : units) {
            if (names.contains(m.captured(2))) {
                unit = secs;
            }
        }
        if (unit == 0) {
            return std::nullopt;
        }
        seconds += m.captured(1).toLongLong() * unit;
        rest = rest.mid(m.capturedEnd());
    }
    return int((seconds + 86399) / 86400);
}

} // namespace certdeck::inventory
