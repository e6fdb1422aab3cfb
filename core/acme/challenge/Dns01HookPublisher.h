// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/challenge/ChallengePublisher.h"

#include <QObject>
#include <QStringList>

namespace certdeck::acme {

/// DNS-01 through a program of the user's (for DNS providers without
/// RFC 2136). The program is started directly (no shell) with `arguments`
/// and these environment variables:
///
///  - CERTDECK_ACME_ACTION: "present" (add the record) or "cleanup" (remove it)
///  - CERTDECK_ACME_IDENTIFIER: "dns:example.com" or "dns:*.example.com"
///  - CERTDECK_ACME_DOMAIN: the name without "*." ("example.com")
///  - CERTDECK_ACME_RECORD: the TXT record's name ("_acme-challenge.example.com")
///  - CERTDECK_ACME_VALUE: the TXT value, base64url(SHA-256(key authorization))
///
/// Exit status 0 means done: for "present" the program must return only once
/// the zone's authoritative servers answer the record. Anything else, or
/// running past the time limit (the program is then killed), is an error that
/// quotes the end of its standard error.
class Dns01HookPublisher : public QObject, public ChallengePublisher
{
    Q_OBJECT
public:
    Dns01HookPublisher(QString program, QStringList arguments = {}, int timeoutMs = 300000,
                       QObject* parent = nullptr);

    [[nodiscard]] QString challengeType() const override { return QStringLiteral("dns-01"); }
    void publish(const AcmeIdentifier& identifier, const QByteArray& token,
                 const QByteArray& keyAuthorization, Done done) override;
    void withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                  const QByteArray& keyAuthorization, Done done) override;
    [[nodiscard]] QString describe() const override;
    [[nodiscard]] bool canProve(const AcmeIdentifier& identifier) const override
    {
        return identifier.type == AcmeIdentifier::Type::Dns;
    }

private:
    void run(const QString& action, const AcmeIdentifier& identifier,
             const QByteArray& keyAuthorization, Done done);

    QString m_program;
    QStringList m_arguments;
    int m_timeoutMs;
};

} // namespace certdeck::acme
