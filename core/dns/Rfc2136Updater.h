// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dns/DnsExchange.h"
#include "dns/DnsMessage.h"
#include "dns/Tsig.h"

#include <QList>
#include <QObject>
#include <functional>

namespace certdeck::dns {

/// Adds and deletes TXT records with RFC 2136 dynamic updates signed with
/// TSIG, and reads TXT records back, all against one server (the zone's
/// primary). Asynchronous on the caller's event loop; callbacks run only while
/// the updater exists.
class Rfc2136Updater : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const Status&)>;
    using TxtDone = std::function<void(const Result<QList<QByteArray>>&)>;

    /// `zone` empty: found per name by asking the server for the SOA.
    Rfc2136Updater(DnsServer server, TsigKey key, QString zone = {}, QObject* parent = nullptr);

    /// Adds `value` to the TXT set of `name` (others stay).
    void addTxt(const QString& name, const QByteArray& value, quint32 ttl, Done done);
    /// Deletes exactly this TXT value of `name`; deleting a missing one
    /// succeeds (RFC 2136 3.4.2.4).
    void deleteTxt(const QString& name, const QByteArray& value, Done done);
    /// The TXT values the server answers for `name` (no recursion asked);
    /// empty for NXDOMAIN or no data.
    void queryTxt(const QString& name, TxtDone done);
    /// The zone holding `name`: the owner of the SOA the server answers.
    void findZone(const QString& name, std::function<void(const Result<QString>&)> done);

    [[nodiscard]] const DnsServer& server() const { return m_server; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

private:
    void update(const QString& name, const DnsRecord& record, const QString& action, Done done);

    DnsServer m_server;
    TsigKey m_key;
    QString m_zone;
    int m_timeoutMs = 5000;
};

} // namespace certdeck::dns
