// SPDX-License-Identifier: GPL-3.0-or-later
#include "CsrSpec.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>
#include <array>
#include <utility>

namespace certdeck::crypto {

namespace {

const std::array<std::pair<KeyUsage, const char*>, 7> kKeyUsageNames{{
    {KeyUsage::DigitalSignature, "digitalSignature"},
    {KeyUsage::ContentCommitment, "nonRepudiation"},
    {KeyUsage::KeyEncipherment, "keyEncipherment"},
    {KeyUsage::DataEncipherment, "dataEncipherment"},
    {KeyUsage::KeyAgreement, "keyAgreement"},
    {KeyUsage::KeyCertSign, "keyCertSign"},
    {KeyUsage::CrlSign, "cRLSign"},
}};

const std::array<std::pair<ExtendedKeyUsage, const char*>, 6> kEkuNames{{
    {ExtendedKeyUsage::ServerAuth, "serverAuth"},
    {ExtendedKeyUsage::ClientAuth, "clientAuth"},
    {ExtendedKeyUsage::CodeSigning, "codeSigning"},
    {ExtendedKeyUsage::EmailProtection, "emailProtection"},
    {ExtendedKeyUsage::TimeStamping, "timeStamping"},
    {ExtendedKeyUsage::OcspSigning, "OCSPSigning"},
}};

bool isAscii(const QString& s)
{
    for (const QChar c : s) {
        if (c.unicode() > 0x7e || c.unicode() < 0x20) {
            return false;
        }
    }
    return true;
}

/// A host name of LDH labels; `allowWildcard` permits "*" as the whole
/// left-most label (RFC 6125 6.4.3, what browsers and OpenSSL accept).
Status checkDnsName(const QString& name, bool allowWildcard)
{
    if (name.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("the DNS name is empty"));
    }
    if (!isAscii(name)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not ASCII; use the A-label (xn--) form of an "
                                   "internationalised name")
                        .arg(name));
    }
    if (name.size() > 253) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is longer than 253 characters").arg(name.left(40)));
    }
    const QStringList labels = name.split(u'.');
    for (qsizetype i = 0; i < labels.size(); ++i) {
        const QString& label = labels.at(i);
        if (label.isEmpty()) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("'%1' has an empty label (two dots, or a dot at an end)").arg(name));
        }
        if (label.contains(u'*')) {
            if (!allowWildcard) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("'%1': a wildcard is not allowed here").arg(name));
            }
            if (i != 0 || label != QLatin1String("*")) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("'%1': a wildcard is only allowed as the whole "
                                           "left-most label (*.example.com)")
                                .arg(name));
            }
            if (labels.size() < 3) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("'%1': a wildcard needs at least two labels after it "
                                           "(*.example.com)")
                                .arg(name));
            }
            continue;
        }
        if (label.size() > 63) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("'%1': label '%2' is longer than 63 characters")
                            .arg(name, label.left(20)));
        }
        if (label.startsWith(u'-') || label.endsWith(u'-')) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("'%1': label '%2' starts or ends with a hyphen").arg(name, label));
        }
        for (const QChar c : label) {
            if (!(c.isLetterOrNumber() || c == u'-' || c == u'_')) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("'%1': '%2' is not allowed in a host name (letters, "
                                           "digits and hyphens only)")
                                .arg(name, QString(c)));
            }
        }
    }
    return {};
}

Status checkEmail(const QString& email)
{
    if (!isAscii(email)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not ASCII; use the A-label (xn--) form of the domain")
                        .arg(email));
    }
    const qsizetype at = email.lastIndexOf(u'@');
    if (at <= 0 || at == email.size() - 1 || email.contains(u' ')) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not an e-mail address (local@domain)").arg(email));
    }
    return checkDnsName(email.mid(at + 1), false);
}

Status checkUri(const QString& uri)
{
    if (!isAscii(uri)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not ASCII; percent-encode it or use the A-label (xn--) "
                                   "form of the host")
                        .arg(uri));
    }
    const QUrl url(uri, QUrl::StrictMode);
    if (!url.isValid() || url.scheme().isEmpty() || url.isRelative()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not an absolute URI (scheme:...)").arg(uri));
    }
    return {};
}

Status checkLength(const QString& what, const QString& value, int max)
{
    if (value.size() > max) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is longer than %2 characters").arg(what).arg(max));
    }
    return {};
}

template <class T, std::size_t N>
Result<T> lookupName(const std::array<std::pair<T, const char*>, N>& table, const QString& name,
                     const QString& what)
{
    for (const auto& [value, n] : table) {
        if (name.compare(QLatin1String(n), Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    QStringList known;
    for (const auto& entry : table) {
        known << QLatin1String(entry.second);
    }
    return fail(ErrorCode::InvalidInput, QStringLiteral("unknown %1 '%2'").arg(what, name),
                QStringLiteral("known: ") + known.join(QStringLiteral(", ")));
}

} // namespace

Result<SubjectAltName> SubjectAltName::parse(const QString& typed)
{
    const QString t = typed.trimmed();
    const qsizetype colon = t.indexOf(u':');
    if (colon <= 0) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("SAN '%1' has no type; write DNS:name, IP:address, "
                                   "email:address or URI:uri")
                        .arg(typed));
    }
    const QString type = t.left(colon);
    SubjectAltName san;
    san.value = t.mid(colon + 1);
    if (type.compare(QLatin1String("DNS"), Qt::CaseInsensitive) == 0) {
        san.type = Type::Dns;
    } else if (type.compare(QLatin1String("IP"), Qt::CaseInsensitive) == 0) {
        san.type = Type::Ip;
    } else if (type.compare(QLatin1String("email"), Qt::CaseInsensitive) == 0) {
        san.type = Type::Email;
    } else if (type.compare(QLatin1String("URI"), Qt::CaseInsensitive) == 0) {
        san.type = Type::Uri;
    } else {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("SAN '%1': unknown type '%2' (DNS, IP, email or URI)").arg(typed, type));
    }
    if (auto s = san.validate(); !s) {
        return tl::unexpected(s.error());
    }
    if (san.type == Type::Ip) {
        san.value = QHostAddress(san.value).toString();
    }
    return san;
}

Result<QList<SubjectAltName>> SubjectAltName::parseList(const QString& commaSeparated)
{
    QList<SubjectAltName> out;
    for (const QString& part : commaSeparated.split(u',', Qt::SkipEmptyParts)) {
        auto san = parse(part);
        if (!san) {
            return tl::unexpected(san.error());
        }
        out << *san;
    }
    return out;
}

Status SubjectAltName::validate() const
{
    Status s;
    switch (type) {
    case Type::Dns:
        s = checkDnsName(value, true);
        break;
    case Type::Ip: {
        QHostAddress addr;
        // QHostAddress also takes inet_aton's short forms ("1.2.3" = 1.2.0.3),
        // which are almost always typos in a certificate request.
        static const QRegularExpression dotted(
            QStringLiteral("^[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$"));
        const bool v4Shape = value.contains(u':') || dotted.match(value).hasMatch();
        if (!v4Shape || value.contains(u'/') || !addr.setAddress(value) ||
            (addr.protocol() != QAbstractSocket::IPv4Protocol &&
             addr.protocol() != QAbstractSocket::IPv6Protocol)) {
            s = fail(ErrorCode::InvalidInput,
                     QStringLiteral("'%1' is not an IPv4 or IPv6 address").arg(value));
        } else if (!addr.scopeId().isEmpty()) {
            s = fail(
                ErrorCode::InvalidInput,
                QStringLiteral("'%1' has a scope id, which a certificate cannot hold").arg(value));
        }
        break;
    }
    case Type::Email:
        s = checkEmail(value);
        break;
    case Type::Uri:
        s = checkUri(value);
        break;
    }
    if (!s) {
        Error e = s.error();
        e.message = QStringLiteral("SAN '%1': %2").arg(toString(), e.message);
        return tl::unexpected(e);
    }
    return {};
}

QString SubjectAltName::toString() const
{
    switch (type) {
    case Type::Dns:
        return QStringLiteral("DNS:") + value;
    case Type::Ip:
        return QStringLiteral("IP:") + value;
    case Type::Email:
        return QStringLiteral("email:") + value;
    case Type::Uri:
        return QStringLiteral("URI:") + value;
    }
    return value;
}

bool CsrSubject::isEmpty() const
{
    return commonName.isEmpty() && organization.isEmpty() && organizationalUnit.isEmpty() &&
           country.isEmpty() && state.isEmpty() && locality.isEmpty() && emailAddress.isEmpty();
}

Status CsrSpec::validate() const
{
    // Upper bounds from RFC 5280 appendix A (ub-common-name etc.).
    for (auto [what, value, max] :
         {std::tuple{QStringLiteral("CN"), subject.commonName, 64},
          std::tuple{QStringLiteral("O"), subject.organization, 64},
          std::tuple{QStringLiteral("OU"), subject.organizationalUnit, 64},
          std::tuple{QStringLiteral("ST"), subject.state, 128},
          std::tuple{QStringLiteral("L"), subject.locality, 128},
          std::tuple{QStringLiteral("emailAddress"), subject.emailAddress, 255}}) {
        if (auto s = checkLength(what, value, max); !s) {
            return s;
        }
    }
    if (subject.commonName.trimmed().isEmpty() && sans.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the CSR needs a common name or at least one SAN"));
    }
    if (!subject.country.isEmpty()) {
        const QString& c = subject.country;
        if (c.size() != 2 || !c.at(0).isUpper() || !c.at(1).isUpper() || !isAscii(c)) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("country '%1' must be two upper-case letters (ISO 3166, "
                                       "e.g. DE)")
                            .arg(c));
        }
    }
    if (!subject.emailAddress.isEmpty()) {
        if (auto s = checkEmail(subject.emailAddress); !s) {
            return s;
        }
    }
    for (const SubjectAltName& san : sans) {
        if (auto s = san.validate(); !s) {
            return s;
        }
    }
    if (keyUsage.testFlag(KeyUsage::KeyCertSign) || keyUsage.testFlag(KeyUsage::CrlSign)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("keyCertSign and cRLSign are for CA certificates; a CSR for a "
                                   "server or client does not ask for them"));
    }
    return {};
}

Result<KeyUsages> parseKeyUsages(const QString& commaSeparated)
{
    KeyUsages out;
    for (const QString& part : commaSeparated.split(u',', Qt::SkipEmptyParts)) {
        auto ku = lookupName(kKeyUsageNames, part.trimmed(), QStringLiteral("key usage"));
        if (!ku) {
            return tl::unexpected(ku.error());
        }
        out |= *ku;
    }
    return out;
}

Result<QList<ExtendedKeyUsage>> parseExtendedKeyUsages(const QString& commaSeparated)
{
    QList<ExtendedKeyUsage> out;
    for (const QString& part : commaSeparated.split(u',', Qt::SkipEmptyParts)) {
        auto eku = lookupName(kEkuNames, part.trimmed(), QStringLiteral("extended key usage"));
        if (!eku) {
            return tl::unexpected(eku.error());
        }
        if (!out.contains(*eku)) {
            out << *eku;
        }
    }
    return out;
}

QStringList keyUsageNames(KeyUsages usages)
{
    QStringList out;
    for (const auto& [bit, name] : kKeyUsageNames) {
        if (usages.testFlag(bit)) {
            out << QLatin1String(name);
        }
    }
    return out;
}

QString extendedKeyUsageName(ExtendedKeyUsage usage)
{
    for (const auto& [value, name] : kEkuNames) {
        if (value == usage) {
            return QLatin1String(name);
        }
    }
    return {};
}

} // namespace certdeck::crypto
