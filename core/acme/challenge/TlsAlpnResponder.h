// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/challenge/ChallengePublisher.h"
#include "crypto/OpenSslPtr.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QTcpServer>

namespace certdeck::acme {

/// A built-in TLS-ALPN-01 responder (RFC 8737, and RFC 8738 section 6 for IP
/// addresses): on ALPN "acme-tls/1" it presents, for the name in SNI, a
/// self-signed certificate whose only SAN is that identifier and whose
/// critical id-pe-acmeIdentifier extension holds SHA-256 of the key
/// authorization. Connections without acme-tls/1 are refused with an alert.
///
/// TLS runs through OpenSSL on memory BIOs fed by a QTcpSocket, so the
/// handshake lives on the owner's event loop (Qt's server sockets cannot
/// choose a certificate per SNI name).
class TlsAlpnResponder : public QObject, public ChallengePublisher
{
    Q_OBJECT
public:
    explicit TlsAlpnResponder(QObject* parent = nullptr);
    ~TlsAlpnResponder() override;

    /// Starts listening; errors name the address and port.
    [[nodiscard]] Status listen(const QHostAddress& address, quint16 port);
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }

    [[nodiscard]] QString challengeType() const override { return QStringLiteral("tls-alpn-01"); }
    void publish(const AcmeIdentifier& identifier, const QByteArray& token,
                 const QByteArray& keyAuthorization, Done done) override;
    void withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                  const QByteArray& keyAuthorization, Done done) override;
    [[nodiscard]] QString describe() const override;
    [[nodiscard]] bool canProve(const AcmeIdentifier& identifier) const override
    {
        return !identifier.isWildcard();
    }

    /// Handshakes completed with a challenge certificate.
    [[nodiscard]] int answeredCount() const { return m_answered; }
    [[nodiscard]] int publishedCount() const { return static_cast<int>(m_certs.size()); }

    /// The SNI name a validator sends for `identifier`: the DNS name, or the
    /// reverse-mapping name of an IP ("1.0.0.127.in-addr.arpa").
    [[nodiscard]] static QString sniName(const AcmeIdentifier& identifier);

private:
    struct Challenge
    {
        ossl::X509Ptr certificate;
    };
    class Connection;
    void onNewConnection();
    static int selectAlpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                          const unsigned char* in, unsigned int inlen, void* arg);
    static int selectCertificate(SSL* ssl, int* alert, void* arg);

    QTcpServer m_server;
    QHostAddress m_address;
    ossl::SslCtxPtr m_ctx;
    ossl::PKeyPtr m_key;                                ///< one key for every challenge certificate
    QHash<QString, std::shared_ptr<Challenge>> m_certs; ///< by SNI name
    int m_answered = 0;
};

} // namespace certdeck::acme
