// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/protocol/AcmeProblem.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace certdeck::acme {

namespace {

constexpr QLatin1StringView kAcmeUrn("urn:ietf:params:acme:error:");

QString stripUrn(const QString& type)
{
    return type.startsWith(kAcmeUrn) ? type.mid(kAcmeUrn.size()) : type;
}

ErrorCode codeFor(const QString& shortType)
{
    static const QStringList input = {"malformed",
                                      "badCSR",
                                      "invalidContact",
                                      "unsupportedContact",
                                      "unsupportedIdentifier",
                                      "rejectedIdentifier",
                                      "badRevocationReason",
                                      "badSignatureAlgorithm",
                                      "badPublicKey",
                                      "caa"};
    static const QStringList denied = {"unauthorized", "externalAccountRequired",
                                       "userActionRequired"};
    static const QStringList network = {"connection", "dns", "tls", "incorrectResponse"};
    if (input.contains(shortType)) {
        return ErrorCode::InvalidInput;
    }
    if (denied.contains(shortType)) {
        return ErrorCode::PermissionDenied;
    }
    if (network.contains(shortType)) {
        return ErrorCode::Network;
    }
    if (shortType == QLatin1String("accountDoesNotExist")) {
        return ErrorCode::NotFound;
    }
    return ErrorCode::Protocol;
}

QString identifierLabel(const AcmeSubproblem& s)
{
    if (s.identifierValue.isEmpty()) {
        return QStringLiteral("an unnamed identifier");
    }
    return s.identifierType.isEmpty() ? s.identifierValue
                                      : s.identifierType + u':' + s.identifierValue;
}

QString wordsOrDetail(const QString& type, const QString& detail)
{
    const QString words = AcmeProblem::plainWords(type);
    if (words.isEmpty()) {
        return detail.isEmpty() ? stripUrn(type) : detail;
    }
    return detail.isEmpty() ? words : words + QStringLiteral(": ") + detail;
}

} // namespace

std::optional<AcmeProblem> AcmeProblem::parse(const QByteArray& body, int httpStatus)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    if (!o.value(QStringLiteral("type")).isString() &&
        !o.value(QStringLiteral("detail")).isString()) {
        return std::nullopt;
    }
    AcmeProblem p;
    p.type = o.value(QStringLiteral("type")).toString(QStringLiteral("about:blank"));
    p.title = o.value(QStringLiteral("title")).toString();
    p.detail = o.value(QStringLiteral("detail")).toString();
    p.status = o.value(QStringLiteral("status")).toInt(httpStatus);
    const QJsonArray subs = o.value(QStringLiteral("subproblems")).toArray();
    for (const QJsonValue& v : subs) {
        const QJsonObject so = v.toObject();
        AcmeSubproblem s;
        s.type = so.value(QStringLiteral("type")).toString();
        s.detail = so.value(QStringLiteral("detail")).toString();
        const QJsonObject id = so.value(QStringLiteral("identifier")).toObject();
        s.identifierType = id.value(QStringLiteral("type")).toString();
        s.identifierValue = id.value(QStringLiteral("value")).toString();
        if (!s.type.isEmpty() || !s.detail.isEmpty()) {
            p.subproblems << s;
        }
    }
    return p;
}

QString AcmeProblem::shortType() const
{
    return stripUrn(type);
}

bool AcmeProblem::is(const char* acmeShortType) const
{
    return shortType() == QLatin1String(acmeShortType);
}

QString AcmeProblem::plainWords(const QString& type)
{
    const QString t = stripUrn(type);
    struct Entry
    {
        const char* type;
        const char* words;
    };
    static constexpr Entry table[] = {
        {"accountDoesNotExist", "no ACME account exists for this key"},
        {"alreadyRevoked", "the certificate is already revoked"},
        {"badCSR", "the CA refused the certificate signing request"},
        {"badNonce", "the CA rejected the request's anti-replay nonce"},
        {"badPublicKey", "the CA does not accept this public key"},
        {"badRevocationReason", "the CA does not accept this revocation reason"},
        {"badSignatureAlgorithm", "the CA does not accept this key's signature algorithm"},
        {"caa", "a DNS CAA record forbids this CA to issue for the name"},
        {"compound", "several problems"},
        {"connection", "the CA could not connect to the challenge responder"},
        {"dns", "the CA's DNS lookup failed"},
        {"externalAccountRequired",
         "this CA requires external account binding (an EAB key ID and HMAC key from the CA)"},
        {"incorrectResponse", "the challenge responder answered with the wrong content"},
        {"invalidContact", "the CA refused a contact address"},
        {"malformed", "the CA considers the request malformed"},
        {"orderNotReady", "the order is not ready to be finalized"},
        {"rateLimited", "the CA's rate limit was reached"},
        {"rejectedIdentifier", "the CA will not issue for this identifier"},
        {"serverInternal", "the CA had an internal error"},
        {"tls", "the CA's TLS connection to the responder failed"},
        {"unauthorized",
         "the CA did not accept the proof of control, or the account may not do this"},
        {"unsupportedContact", "the CA does not support this kind of contact address"},
        {"unsupportedIdentifier", "the CA does not issue for this kind of identifier"},
        {"userActionRequired", "the CA needs you to act first (for example accept new terms)"},
    };
    for (const Entry& e : table) {
        if (t == QLatin1String(e.type)) {
            return QString::fromLatin1(e.words);
        }
    }
    return {};
}

Error AcmeProblem::toError(const QString& action) const
{
    QString message = action + QStringLiteral(": ") + wordsOrDetail(type, detail);
    for (const AcmeSubproblem& s : subproblems) {
        message += QStringLiteral("; for ") + identifierLabel(s) + QStringLiteral(": ") +
                   wordsOrDetail(s.type, s.detail);
    }
    QString evidence = QStringLiteral("HTTP %1, %2").arg(status).arg(type);
    if (!title.isEmpty()) {
        evidence += QStringLiteral(", title \"%1\"").arg(title);
    }
    for (const AcmeSubproblem& s : subproblems) {
        evidence += QStringLiteral("; %1 %2").arg(identifierLabel(s), s.type);
    }
    return Error{codeFor(shortType()), message, evidence};
}

} // namespace certdeck::acme
