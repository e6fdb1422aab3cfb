// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/challenge/Http01Publisher.h"

#include <QString>

namespace certdeck::acme {

/// Publishes HTTP-01 key authorizations as files under a local web server's
/// document root: WEBROOT/.well-known/acme-challenge/TOKEN (mode 0644; the
/// content is public by design). withdraw() removes the file; the folders
/// it created stay for the next order.
class WebrootPublisher : public Http01Publisher
{
public:
    explicit WebrootPublisher(QString webroot);

    void publish(const AcmeIdentifier& identifier, const QByteArray& token,
                 const QByteArray& keyAuthorization, Done done) override;
    void withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                  const QByteArray& keyAuthorization, Done done) override;
    [[nodiscard]] QString describe() const override;

    /// The file a token is written to.
    [[nodiscard]] QString tokenPath(const QByteArray& token) const;

private:
    QString m_webroot;
};

} // namespace certdeck::acme
