// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/challenge/Dns01Publisher.h"

#include "acme/protocol/Base64Url.h"

#include <QCryptographicHash>
#include <QPointer>
#include <QTimer>

namespace certdeck::acme {

Dns01Publisher::Dns01Publisher(Dns01Settings settings, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_updater(m_settings.server, m_settings.key, m_settings.zone)
{}

QString Dns01Publisher::recordName(const AcmeIdentifier& identifier)
{
    const QString base = identifier.isWildcard() ? identifier.value.mid(2) : identifier.value;
    return QStringLiteral("_acme-challenge.") + base;
}

QByteArray Dns01Publisher::txtValue(const QByteArray& keyAuthorization)
{
    return base64Url(QCryptographicHash::hash(keyAuthorization, QCryptographicHash::Sha256));
}

QString Dns01Publisher::describe() const
{
    return QStringLiteral("RFC 2136 updates to %1 (TSIG key %2)")
        .arg(m_settings.server.toString(), m_settings.key.name);
}

void Dns01Publisher::publish(const AcmeIdentifier& identifier, const QByteArray& token,
                             const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(token)
    if (identifier.type != AcmeIdentifier::Type::Dns) {
        done(fail(ErrorCode::Unsupported,
                  QStringLiteral("%1: DNS-01 proves DNS names only, not IP addresses")
                      .arg(identifier.toString())));
        return;
    }
    const QString name = recordName(identifier);
    const QByteArray value = txtValue(keyAuthorization);
    QPointer<Dns01Publisher> self(this);
    m_updater.addTxt(name, value, m_settings.ttl, [self, name, value, done](const Status& s) {
        if (!self) {
            return;
        }
        if (!s) {
            done(s);
            return;
        }
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        self->waitForRecord(name, value, clock, done);
    });
}

void Dns01Publisher::waitForRecord(const QString& name, const QByteArray& value,
                                   std::shared_ptr<QElapsedTimer> clock, Done done)
{
    QPointer<Dns01Publisher> self(this);
    m_updater.queryTxt(
        name, [self, name, value, clock, done](const Result<QList<QByteArray>>& values) {
            if (!self) {
                return;
            }
            if (values && values->contains(value)) {
                done({});
                return;
            }
            if (clock->elapsed() > self->m_settings.propagationTimeoutMs) {
                done(fail(ErrorCode::Timeout,
                          QStringLiteral("TXT %1 did not appear on %2 within %3 s")
                              .arg(name, self->m_settings.server.toString())
                              .arg(self->m_settings.propagationTimeoutMs / 1000),
                          values ? QStringLiteral("%1 other value(s) seen").arg(values->size())
                                 : values.error().toString()));
                return;
            }
            QTimer::singleShot(self->m_settings.pollIntervalMs, self.data(),
                               [self, name, value, clock, done] {
                                   if (self) {
                                       self->waitForRecord(name, value, clock, done);
                                   }
                               });
        });
}

void Dns01Publisher::withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                              const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(token)
    if (identifier.type != AcmeIdentifier::Type::Dns) {
        done({});
        return;
    }
    m_updater.deleteTxt(recordName(identifier), txtValue(keyAuthorization), std::move(done));
}

} // namespace certdeck::acme
