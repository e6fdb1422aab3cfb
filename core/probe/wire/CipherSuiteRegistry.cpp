// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/wire/CipherSuiteRegistry.h"

#include "probe/internal/CipherSuiteData.h"

#include <QList>

namespace certdeck::probe {

namespace {

constexpr int kColumns = 10;

std::optional<SuiteStrength> strengthFromName(QByteArrayView name)
{
    for (SuiteStrength s : {SuiteStrength::Insecure, SuiteStrength::Weak, SuiteStrength::Medium,
                            SuiteStrength::Strong}) {
        if (name == suiteStrengthName(s).toLatin1()) {
            return s;
        }
    }
    if (name == "scsv") {
        return SuiteStrength::Signaling;
    }
    return std::nullopt;
}

// "ssl3-tls12" -> {SSLv3, TLS 1.2}; "tls13" -> {TLS 1.3, TLS 1.3}; "any" (SCSV)
// spans everything.
std::optional<std::pair<TlsVersion, TlsVersion>> rangeFromName(QByteArrayView name)
{
    auto one = [](QByteArrayView v) -> std::optional<TlsVersion> {
        if (v == "ssl3") {
            return TlsVersion::Ssl3;
        }
        if (v == "tls10") {
            return TlsVersion::Tls10;
        }
        if (v == "tls11") {
            return TlsVersion::Tls11;
        }
        if (v == "tls12") {
            return TlsVersion::Tls12;
        }
        if (v == "tls13") {
            return TlsVersion::Tls13;
        }
        return std::nullopt;
    };
    if (name == "any") {
        return std::pair{TlsVersion::Ssl3, TlsVersion::Tls13};
    }
    const qsizetype dash = name.indexOf('-');
    const auto lo = one(dash < 0 ? name : name.first(dash));
    const auto hi = one(dash < 0 ? name : name.sliced(dash + 1));
    if (!lo || !hi || static_cast<quint16>(*lo) > static_cast<quint16>(*hi)) {
        return std::nullopt;
    }
    return std::pair{*lo, *hi};
}

} // namespace

const CipherSuiteRegistry& CipherSuiteRegistry::instance()
{
    static const CipherSuiteRegistry registry = [] {
        auto parsed = parse(internal::cipherSuiteTsv(), QStringLiteral("cipher_suites.tsv"));
        if (parsed) {
            return std::move(*parsed);
        }
        CipherSuiteRegistry empty;
        empty.m_loadError = parsed.error().toString();
        return empty;
    }();
    return registry;
}

Result<CipherSuiteRegistry> CipherSuiteRegistry::parse(QByteArrayView tsv, const QString& source)
{
    CipherSuiteRegistry reg;
    int lineNo = 0;
    for (QByteArrayView rest = tsv; !rest.isEmpty();) {
        const qsizetype nl = rest.indexOf('\n');
        const QByteArrayView line = nl < 0 ? rest : rest.first(nl);
        rest = nl < 0 ? QByteArrayView() : rest.sliced(nl + 1);
        ++lineNo;
        if (line.trimmed().isEmpty() || line.startsWith('#')) {
            continue;
        }
        const QList<QByteArray> f = line.toByteArray().split('\t');
        auto bad = [&](const QString& what) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 line %2: %3").arg(source).arg(lineNo).arg(what),
                        QString::fromLatin1(line.toByteArray().left(120)));
        };
        if (f.size() != kColumns) {
            return bad(QStringLiteral("expected %1 tab-separated columns, found %2")
                           .arg(kColumns)
                           .arg(f.size()));
        }
        CipherSuite s;
        bool ok = false;
        const uint code = f[0].startsWith("0x") ? f[0].mid(2).toUInt(&ok, 16) : 0;
        if (!ok || f[0].size() != 6 || code > 0xFFFF) {
            return bad(
                QStringLiteral("code point \"%1\" is not 0xHHHH").arg(QString::fromLatin1(f[0])));
        }
        s.code = static_cast<quint16>(code);
        s.ianaName = QString::fromLatin1(f[1]);
        if (!s.ianaName.startsWith(QLatin1String("TLS_"))) {
            return bad(QStringLiteral("IANA name \"%1\" does not start with TLS_").arg(s.ianaName));
        }
        s.opensslName = f[2] == "-" ? QString() : QString::fromLatin1(f[2]);
        s.keyExchange = QString::fromLatin1(f[3]);
        s.authentication = QString::fromLatin1(f[4]);
        s.cipher = QString::fromLatin1(f[5]);
        s.bits = f[6].toInt(&ok);
        if (!ok || s.bits < 0 || s.bits > 256) {
            return bad(QStringLiteral("bits \"%1\" is not 0..256").arg(QString::fromLatin1(f[6])));
        }
        s.mac = QString::fromLatin1(f[7]);
        const auto range = rangeFromName(f[8]);
        if (!range) {
            return bad(QStringLiteral("protocol range \"%1\" is not like ssl3-tls12 or tls13")
                           .arg(QString::fromLatin1(f[8])));
        }
        s.minVersion = range->first;
        s.maxVersion = range->second;
        const auto strength = strengthFromName(f[9]);
        if (!strength) {
            return bad(QStringLiteral("strength \"%1\" is not insecure, weak, medium, strong or "
                                      "scsv")
                           .arg(QString::fromLatin1(f[9])));
        }
        s.strength = *strength;
        if (reg.m_byCode.contains(s.code)) {
            return bad(QStringLiteral("code point %1 is listed twice").arg(s.codeString()));
        }
        if (reg.m_byIana.contains(s.ianaName)) {
            return bad(QStringLiteral("IANA name %1 is listed twice").arg(s.ianaName));
        }
        if (!reg.m_suites.isEmpty() && reg.m_suites.constLast().code > s.code) {
            return bad(QStringLiteral("code point %1 is out of order").arg(s.codeString()));
        }
        const qsizetype index = reg.m_suites.size();
        reg.m_byCode.insert(s.code, index);
        reg.m_byIana.insert(s.ianaName, index);
        if (!s.opensslName.isEmpty()) {
            reg.m_byOpenssl.insert(s.opensslName, index);
        }
        reg.m_suites.append(std::move(s));
    }
    if (reg.m_suites.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the cipher-suite table has no entries").arg(source));
    }
    return reg;
}

const CipherSuite* CipherSuiteRegistry::find(quint16 code) const
{
    const auto it = m_byCode.constFind(code);
    return it == m_byCode.constEnd() ? nullptr : &m_suites[*it];
}

const CipherSuite* CipherSuiteRegistry::findByIanaName(const QString& name) const
{
    const auto it = m_byIana.constFind(name);
    return it == m_byIana.constEnd() ? nullptr : &m_suites[*it];
}

const CipherSuite* CipherSuiteRegistry::findByOpensslName(const QString& name) const
{
    const auto it = m_byOpenssl.constFind(name);
    return it == m_byOpenssl.constEnd() ? nullptr : &m_suites[*it];
}

QList<quint16> CipherSuiteRegistry::probeSuitesFor(TlsVersion version) const
{
    QList<quint16> codes;
    for (const CipherSuite& s : m_suites) {
        if (s.strength == SuiteStrength::Signaling) {
            continue;
        }
        if (s.isTls13() == (version == TlsVersion::Tls13)) {
            codes.append(s.code);
        }
    }
    return codes;
}

} // namespace certdeck::probe
