// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/challenge/Http01Publisher.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QTcpServer>

namespace certdeck::acme {

/// A minimal built-in HTTP/1.x server for HTTP-01: answers
/// GET /.well-known/acme-challenge/TOKEN with the key authorization, 404 to
/// anything else, one request per connection. QTcpServer rather than Qt HTTP
/// Server: this is the whole protocol needed, and Qt 6.4's HTTP server is a
/// technology preview.
class Http01Responder : public QObject, public Http01Publisher
{
    Q_OBJECT
public:
    explicit Http01Responder(QObject* parent = nullptr);
    ~Http01Responder() override;

    /// Starts listening; an error names the address and port (in use, no
    /// permission for ports below 1024).
    [[nodiscard]] Status listen(const QHostAddress& address, quint16 port);
    void close();
    [[nodiscard]] bool isListening() const { return m_server.isListening(); }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }

    void publish(const AcmeIdentifier& identifier, const QByteArray& token,
                 const QByteArray& keyAuthorization, Done done) override;
    void withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                  const QByteArray& keyAuthorization, Done done) override;
    [[nodiscard]] QString describe() const override;

    /// Tokens currently published.
    [[nodiscard]] int publishedCount() const { return static_cast<int>(m_tokens.size()); }
    /// Challenge requests answered with a key authorization so far.
    [[nodiscard]] int answeredCount() const { return m_answered; }

private:
    void onNewConnection();

    QTcpServer m_server;
    QHostAddress m_address;
    QHash<QByteArray, QByteArray> m_tokens;
    int m_answered = 0;
};

} // namespace certdeck::acme
