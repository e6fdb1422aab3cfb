// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/challenge/ChallengePublisher.h"
#include "dns/Rfc2136Updater.h"

#include <QElapsedTimer>
#include <QObject>

namespace certdeck::acme {

/// Where and how DNS-01 records are published through RFC 2136.
struct Dns01Settings
{
    dns::DnsServer server; ///< the zone's primary, which takes the updates
    dns::TsigKey key;
    QString zone; ///< empty: found from the server's SOA answer
    quint32 ttl = 60;
    /// How long to wait for the server to answer the new TXT record.
    int propagationTimeoutMs = 60000;
    int pollIntervalMs = 250;
};

/// DNS-01 (RFC 8555 8.4) through RFC 2136 dynamic updates signed with TSIG:
/// publish() adds TXT _acme-challenge.<name> = base64url(SHA-256(key
/// authorization)) and reports done only once the server answers that record
/// to a plain query, so the CA is never told too early; withdraw() deletes
/// exactly that value (a wildcard and its base name share the record name).
class Dns01Publisher : public QObject, public ChallengePublisher
{
    Q_OBJECT
public:
    explicit Dns01Publisher(Dns01Settings settings, QObject* parent = nullptr);

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

    /// "_acme-challenge.example.com" for example.com and *.example.com.
    [[nodiscard]] static QString recordName(const AcmeIdentifier& identifier);
    /// base64url(SHA-256(keyAuthorization)), the TXT value.
    [[nodiscard]] static QByteArray txtValue(const QByteArray& keyAuthorization);

private:
    void waitForRecord(const QString& name, const QByteArray& value,
                       std::shared_ptr<QElapsedTimer> clock, Done done);

    Dns01Settings m_settings;
    dns::Rfc2136Updater m_updater;
};

} // namespace certdeck::acme
