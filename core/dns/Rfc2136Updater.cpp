// SPDX-License-Identifier: GPL-3.0-or-later
#include "dns/Rfc2136Updater.h"

#include "dns/DnsMessage.h"
#include "dns/internal/Log.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QRandomGenerator>

namespace certdeck::dns {

namespace {

quint16 randomId()
{
    return static_cast<quint16>(QRandomGenerator::system()->bounded(1, 65536));
}

} // namespace

Rfc2136Updater::Rfc2136Updater(DnsServer server, TsigKey key, QString zone, QObject* parent)
    : QObject(parent)
    , m_server(std::move(server))
    , m_key(std::move(key))
    , m_zone(std::move(zone))
{}

void Rfc2136Updater::addTxt(const QString& name, const QByteArray& value, quint32 ttl, Done done)
{
    update(name, DnsRecord{name, RrType::Txt, RrClass::In, ttl, DnsRecord::txtRdata(value)},
           QStringLiteral("adding TXT %1").arg(name), std::move(done));
}

void Rfc2136Updater::deleteTxt(const QString& name, const QByteArray& value, Done done)
{
    update(name, DnsRecord{name, RrType::Txt, RrClass::None, 0, DnsRecord::txtRdata(value)},
           QStringLiteral("deleting TXT %1").arg(name), std::move(done));
}

void Rfc2136Updater::findZone(const QString& name, std::function<void(const Result<QString>&)> done)
{
    if (!m_zone.isEmpty()) {
        done(m_zone);
        return;
    }
    DnsMessage q;
    q.id = randomId();
    q.questions << DnsQuestion{name, RrType::Soa, RrClass::In};
    auto wire = q.encode();
    if (!wire) {
        done(tl::unexpected(wire.error()));
        return;
    }
    const DnsServer server = m_server;
    DnsExchange::run(
        m_server, *wire, m_timeoutMs, this, [done, name, server](const Result<QByteArray>& answer) {
            if (!answer) {
                done(tl::unexpected(answer.error()));
                return;
            }
            auto msg = DnsMessage::decode(*answer);
            if (!msg) {
                done(tl::unexpected(msg.error()));
                return;
            }
            // The apex answers its SOA; a name below it gets the
            // zone's SOA in the authority section.
            for (const auto* section : {&msg->answers, &msg->authorities}) {
                for (const DnsRecord& r : *section) {
                    if (r.type == RrType::Soa) {
                        qCDebug(lcDns).noquote() << QStringLiteral("zone of %1 is %2 (SOA from %3)")
                                                        .arg(name, r.name, server.toString());
                        done(r.name);
                        return;
                    }
                }
            }
            done(fail(ErrorCode::NotFound,
                      QStringLiteral("the DNS server at %1 is not authoritative for "
                                     "%2 (no SOA in its answer, %3)")
                          .arg(server.toString(), name, DnsMessage::rcodeName(msg->rcode()))));
        });
}

void Rfc2136Updater::update(const QString& name, const DnsRecord& record, const QString& action,
                            Done done)
{
    findZone(name, [this, name, record, action, done](const Result<QString>& zone) {
        if (!zone) {
            done(tl::unexpected(zone.error()));
            return;
        }
        DnsMessage m;
        m.id = randomId();
        m.flags = DnsMessage::OpcodeUpdate;
        m.questions << DnsQuestion{*zone, RrType::Soa, RrClass::In};
        m.authorities << record;
        auto wire = m.encode();
        if (!wire) {
            done(tl::unexpected(wire.error()));
            return;
        }
        QByteArray requestMac;
        const quint64 now = static_cast<quint64>(QDateTime::currentSecsSinceEpoch());
        auto signedWire = Tsig::sign(*wire, m_key, now, &requestMac);
        if (!signedWire) {
            done(tl::unexpected(signedWire.error()));
            return;
        }
        const TsigKey key = m_key;
        const QString where = m_server.toString();
        // The TSIG key's name only; its secret and the MAC stay out.
        qCDebug(lcDns).noquote() << "UPDATE" << action << "in zone" << *zone << "to" << where
                                 << "signed with TSIG key" << key.name;
        QElapsedTimer clock;
        clock.start();
        DnsExchange::run(
            m_server, *signedWire, m_timeoutMs, this,
            [done, key, requestMac, action, where, zoneName = *zone,
             clock](const Result<QByteArray>& a) {
                if (!a) {
                    qCDebug(lcDns).noquote()
                        << "UPDATE" << action << "to" << where << "failed:" << a.error().message;
                    done(fail(a.error().code, action + QStringLiteral(": ") + a.error().message,
                              a.error().detail));
                    return;
                }
                auto msg = DnsMessage::decode(*a);
                if (!msg) {
                    done(tl::unexpected(msg.error()));
                    return;
                }
                const quint64 t = static_cast<quint64>(QDateTime::currentSecsSinceEpoch());
                const Status sig = Tsig::verify(*a, key, requestMac, t);
                qCDebug(lcDns).noquote()
                    << "UPDATE" << action << "answered" << DnsMessage::rcodeName(msg->rcode())
                    << "in" << clock.elapsed() << "ms; answer's TSIG"
                    << (sig ? QStringLiteral("verified") : sig.error().message);
                if (msg->rcode() != 0) {
                    QString detail = QStringLiteral("zone %1 at %2").arg(zoneName, where);
                    if (!sig) {
                        detail += QStringLiteral("; ") + sig.error().message;
                    }
                    done(fail(msg->rcode() == 9 || msg->rcode() == 5 ? ErrorCode::PermissionDenied
                                                                     : ErrorCode::Protocol,
                              QStringLiteral("%1: the DNS server refused the update (%2)")
                                  .arg(action, DnsMessage::rcodeName(msg->rcode())),
                              detail));
                    return;
                }
                if (!sig) {
                    done(fail(sig.error().code, action + QStringLiteral(": ") + sig.error().message,
                              sig.error().detail));
                    return;
                }
                done({});
            });
    });
}

void Rfc2136Updater::queryTxt(const QString& name, TxtDone done)
{
    DnsMessage q;
    q.id = randomId();
    q.questions << DnsQuestion{name, RrType::Txt, RrClass::In};
    auto wire = q.encode();
    if (!wire) {
        done(tl::unexpected(wire.error()));
        return;
    }
    DnsExchange::run(
        m_server, *wire, m_timeoutMs, this, [done, name](const Result<QByteArray>& answer) {
            if (!answer) {
                done(tl::unexpected(answer.error()));
                return;
            }
            auto msg = DnsMessage::decode(*answer);
            if (!msg) {
                done(tl::unexpected(msg.error()));
                return;
            }
            if (msg->rcode() != 0 && msg->rcode() != 3) {
                done(fail(ErrorCode::Protocol,
                          QStringLiteral("the DNS server answered %1 for TXT %2")
                              .arg(DnsMessage::rcodeName(msg->rcode()), name)));
                return;
            }
            QList<QByteArray> values;
            const QString wanted =
                name.toLower().endsWith(u'.') ? name.toLower().chopped(1) : name.toLower();
            for (const DnsRecord& r : std::as_const(msg->answers)) {
                if (r.type != RrType::Txt || r.name != wanted) {
                    continue;
                }
                auto text = DnsRecord::txtText(r.rdata);
                if (!text) {
                    done(tl::unexpected(text.error()));
                    return;
                }
                values << *text;
            }
            done(values);
        });
}

} // namespace certdeck::dns
