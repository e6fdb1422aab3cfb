// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerProcess.h"
#include "TestPki.h"

#include <QByteArray>
#include <QMap>
#include <QSslConfiguration>
#include <QString>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace certdeck::test {

/// A real Pebble ACME server (Debian's `pebble` 2.4) and its pebble-challtestsrv
/// mock DNS server, both on free 127.0.0.1 ports, both writing only into one
/// FixtureDir. Pebble resolves every name through the challtestsrv (A records
/// default to 127.0.0.1, no AAAA), so HTTP-01 and TLS-ALPN-01 validations
/// connect to 127.0.0.1:httpPort() and 127.0.0.1:tlsPort(), where the test
/// serves its responders, and DNS-01 reads the TXT records set with setTxt().
/// Pebble's HTTPS listeners use a leaf of a fresh TestPki (SAN localhost and
/// 127.0.0.1): trust only caFile() / sslConfiguration() to talk to them.
/// Validation sleeps are off (PEBBLE_VA_NOSLEEP=1); other PEBBLE_* variables of
/// the test's environment are not passed on. Both processes are stopped by PID
/// in stop() and in the destructor.
class PebbleFixture
{
public:
    struct Options
    {
        /// Directory meta `externalAccountRequired`; newAccount then needs EAB.
        bool externalAccountBindingRequired = false;
        /// EAB keys, key ID -> HMAC key as base64url WITHOUT padding (Pebble 2.4
        /// refuses to start on anything else). May be set without requiring EAB.
        QMap<QString, QString> eabKeys;
        /// PEBBLE_WFE_NONCEREJECT: percentage of good nonces rejected with
        /// badNonce. Unset: Pebble's default (5).
        std::optional<int> nonceRejectPercent;
        /// PEBBLE_AUTHZREUSE: percentage of valid authorizations reused.
        /// Unset: Pebble's default (50); 0 still reuses about 1%.
        std::optional<int> authzReusePercent;
        /// Ports Pebble validates HTTP-01 / TLS-ALPN-01 against on 127.0.0.1.
        /// 0: the fixture picks free ports (nothing listens on them until the
        /// test does).
        quint16 httpPort = 0;
        quint16 tlsPort = 0;
        /// Resolver Pebble asks (-dnsserver) instead of challtestsrv, e.g. a
        /// BindFixture's port on 127.0.0.1: that server must then answer the
        /// ordered names (A 127.0.0.1) and their _acme-challenge TXT records.
        std::optional<quint16> dnsServerPort;
        /// PEBBLE_ALTERNATE_ROOTS: number of extra root hierarchies, each
        /// offered as a Link rel="alternate" chain.
        std::optional<int> alternateRoots;
    };

    /// Pebble's issuing CA, regenerated at every start.
    struct IssuerPem
    {
        QByteArray root;         ///< /roots/0 of the management listener
        QByteArray intermediate; ///< /intermediates/0
    };

    PebbleFixture();
    ~PebbleFixture();
    PebbleFixture(const PebbleFixture&) = delete;
    PebbleFixture& operator=(const PebbleFixture&) = delete;

    /// Makes the PKI, starts challtestsrv, then Pebble; returns once the DNS
    /// server answers over UDP and TCP and all management and ACME listeners
    /// accept. Retries on a port taken meanwhile. On failure errorString()
    /// holds the failing peer's log tail.
    [[nodiscard]] bool start(const Options& options);
    /// start() with default Options.
    [[nodiscard]] bool start();
    /// Stops Pebble and challtestsrv (by PID). Idempotent.
    void stop();

    /// https://127.0.0.1:PORT/dir
    [[nodiscard]] QString directoryUrl() const;
    /// Pebble's management listener, https://127.0.0.1:PORT (no trailing slash).
    [[nodiscard]] QString managementUrl() const;
    /// challtestsrv's management API, http://127.0.0.1:PORT (no trailing slash).
    [[nodiscard]] QString challTestSrvUrl() const;
    [[nodiscard]] quint16 acmePort() const { return m_acmePort; }
    [[nodiscard]] quint16 managementPort() const { return m_managementPort; }
    /// challtestsrv's DNS server (UDP and TCP) on 127.0.0.1.
    [[nodiscard]] quint16 dnsPort() const { return m_dnsPort; }
    [[nodiscard]] quint16 challTestSrvPort() const { return m_challPort; }
    [[nodiscard]] quint16 httpPort() const { return m_httpPort; }
    [[nodiscard]] quint16 tlsPort() const { return m_tlsPort; }

    /// PEM root of the test PKI that signs Pebble's HTTPS listeners (a client's
    /// CA file). Not Pebble's issuing root: see fetchIssuerPem().
    [[nodiscard]] QString caFile() const { return m_pki.rootCert; }
    /// A TLS configuration trusting caFile() and nothing else.
    [[nodiscard]] QSslConfiguration sslConfiguration() const;

    /// Fetches Pebble's issuing root and intermediate from the management
    /// listener (trusting caFile() only); nullopt and errorString() on failure.
    /// `index` picks an alternate hierarchy (/roots/N, /intermediates/N).
    [[nodiscard]] std::optional<IssuerPem> fetchIssuerPem(int index = 0);

    /// GET of a path on the management listener (e.g.
    /// "/cert-status-by-serial/0a1b..."); nullopt and errorString() on
    /// failure.
    [[nodiscard]] std::optional<QByteArray> management(const QString& path);

    /// challtestsrv /add-a: `host` answers A queries with `ip` (instead of the
    /// default 127.0.0.1). Names are made fully qualified.
    [[nodiscard]] bool addA(const QString& host, const QString& ip);
    /// challtestsrv /set-txt: ADDS a TXT value for `host` (e.g.
    /// "_acme-challenge.example.test"); earlier values stay until clearTxt().
    [[nodiscard]] bool setTxt(const QString& host, const QString& value);
    /// challtestsrv /clear-txt: removes every TXT value of `host`.
    [[nodiscard]] bool clearTxt(const QString& host);

    [[nodiscard]] QString dir() const { return m_dir.path(); }
    [[nodiscard]] QString configPath() const;
    [[nodiscard]] qint64 pebblePid() const { return m_pebble.pid(); }
    [[nodiscard]] qint64 challTestSrvPid() const { return m_challtestsrv.pid(); }
    [[nodiscard]] QByteArray pebbleLog() const { return m_pebble.log(); }
    [[nodiscard]] QByteArray challTestSrvLog() const { return m_challtestsrv.log(); }
    [[nodiscard]] QString errorString() const { return m_error; }

    /// CERTDECK_PEBBLE / CERTDECK_CHALLTESTSRV override /usr/bin/pebble and
    /// /usr/bin/pebble-challtestsrv.
    [[nodiscard]] static QString pebbleBinary();
    [[nodiscard]] static QString challTestSrvBinary();

private:
    bool makePki();
    bool startChallTestSrv();
    bool startPebble(const Options& options);
    bool dnsAnswersUdp() const;
    bool challPost(const QString& endpoint, const QByteArray& json);
    std::optional<QByteArray> get(const QString& url, const QSslConfiguration& ssl);
    QNetworkAccessManager& network();

    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_leaf;
    PeerProcess m_challtestsrv;
    PeerProcess m_pebble;
    std::unique_ptr<QNetworkAccessManager> m_network;
    quint16 m_acmePort = 0;
    quint16 m_managementPort = 0;
    quint16 m_dnsPort = 0;
    quint16 m_challPort = 0;
    quint16 m_httpPort = 0;
    quint16 m_tlsPort = 0;
    QString m_error;
};

} // namespace certdeck::test
