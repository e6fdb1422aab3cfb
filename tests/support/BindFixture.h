// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerProcess.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::test {

/// A real BIND 9 `named` on a free 127.0.0.1 port (UDP and TCP), in its own
/// folder, authoritative for one zone that accepts RFC 2136 updates signed
/// with a TSIG key (hmac-sha256) the fixture generates. No recursion, no
/// DNSSEC validation, no NOTIFY, no zone transfers, no rndc listener, no IPv6:
/// nothing listens anywhere but 127.0.0.1:port(). Unsigned updates are
/// REFUSED; updates signed with another secret are refused with NOTAUTH.
class BindFixture
{
public:
    BindFixture();
    ~BindFixture();
    BindFixture(const BindFixture&) = delete;
    BindFixture& operator=(const BindFixture&) = delete;

    /// Starts named for `zone` (no trailing dot needed) and returns once it
    /// answers the zone's SOA. The zone holds SOA (serial 1), NS ns1.<zone>,
    /// and A 127.0.0.1 at the apex, ns1 and www; `extraRecords` are zone-file
    /// lines appended as given (relative names, e.g. `mail 60 IN A 127.0.0.2`).
    /// Retries on a port taken meanwhile; on failure errorString() carries
    /// named's log tail.
    [[nodiscard]] bool start(const QString& zone = QStringLiteral("example.test"),
                             const QStringList& extraRecords = {});
    /// Stops named by PID. Idempotent; the destructor calls it.
    void stop();

    [[nodiscard]] quint16 port() const { return m_port; }
    /// The zone's name without trailing dot, e.g. "example.test".
    [[nodiscard]] QString zone() const { return m_zone; }

    /// The TSIG key's name (a DNS name, no trailing dot).
    [[nodiscard]] QString keyName() const { return m_keyName; }
    /// Always "hmac-sha256".
    [[nodiscard]] static QString keyAlgorithm() { return QStringLiteral("hmac-sha256"); }
    /// The key's 32-byte secret, base64, fresh for each fixture.
    [[nodiscard]] QByteArray keySecretBase64() const { return m_secret; }
    /// A BIND key file (mode 0600) holding the key, for `nsupdate -k`.
    [[nodiscard]] QString keyFilePath() const { return m_dir.filePath(QStringLiteral("tsig.key")); }

    /// Asks this server with dig (an independent client, no recursion): the
    /// rdata of the answer's records of that type in presentation form (as
    /// `dig +short` prints it, e.g. `"token"` for TXT), empty for NOERROR
    /// without data or NXDOMAIN; nullopt when there was no answer or it was
    /// REFUSED/SERVFAIL (e.g. a name outside the zone).
    [[nodiscard]] std::optional<QStringList> query(const QString& name, const QString& type) const;

    [[nodiscard]] QString dir() const { return m_dir.path(); }
    [[nodiscard]] QString configPath() const
    {
        return m_dir.filePath(QStringLiteral("named.conf"));
    }
    [[nodiscard]] QString zoneFilePath() const
    {
        return m_dir.filePath(m_zone + QStringLiteral(".zone"));
    }
    [[nodiscard]] qint64 pid() const { return m_process.pid(); }
    [[nodiscard]] QByteArray log() const { return m_process.log(); }
    [[nodiscard]] QString errorString() const { return m_error; }

    /// The named binary (CERTDECK_NAMED overrides /usr/sbin/named).
    [[nodiscard]] static QString binary();

private:
    bool writeFiles(const QStringList& extraRecords);
    QString logPath() const { return m_dir.filePath(QStringLiteral("named.log")); }

    FixtureDir m_dir;
    PeerProcess m_process;
    quint16 m_port = 0;
    QString m_zone;
    QString m_keyName = QStringLiteral("certdeck-test-key");
    QByteArray m_secret;
    QString m_error;
};

} // namespace certdeck::test
