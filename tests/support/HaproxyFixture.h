// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerProcess.h"
#include "TestPki.h"

namespace certdeck::test {

/// A real HAProxy on a free 127.0.0.1 port, run in the foreground as one
/// process (`-db`, no master-worker, one thread), with its config, combined
/// PEM and log in its fixture folder. It has one TLS frontend whose bind
/// options the test gives and that answers every request itself with 200
/// text/plain "certdeck-fixture haproxy"; no backend, no stats socket, no
/// other listener.
class HaproxyFixture
{
public:
    HaproxyFixture();
    ~HaproxyFixture();
    HaproxyFixture(const HaproxyFixture&) = delete;
    HaproxyFixture& operator=(const HaproxyFixture&) = delete;

    /// Writes `leaf`'s fullchain followed by its key to certificatePath()
    /// (mode 0600: HAProxy's `crt` wants both in one file), then starts
    /// HAProxy and waits until the port answers. `bindTls` is appended to the
    /// `bind 127.0.0.1:PORT ssl crt FILE` line (ssl-min-ver, ciphers,
    /// ciphersuites, alpn...); `globalExtra` goes into the global section
    /// (ssl-default-bind-*, tune.ssl.*). `{port}` and `{dir}` in both are
    /// replaced. Retries on a port taken meanwhile.
    [[nodiscard]] bool start(const TestPki::Leaf& leaf, const QString& bindTls = {},
                             const QString& globalExtra = {});
    void stop();

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString dir() const { return m_dir.path(); }
    [[nodiscard]] qint64 pid() const { return m_process.pid(); }
    [[nodiscard]] QString errorString() const { return m_error; }
    /// The haproxy.cfg it runs, for `haproxy -c -f` checks.
    [[nodiscard]] QString configPath() const
    {
        return m_dir.filePath(QStringLiteral("haproxy.cfg"));
    }
    /// The combined PEM (chain, then key) named by `crt`. HAProxy also loads
    /// "<this>.ocsp", ".issuer" and ".sctl" files placed next to it.
    [[nodiscard]] QString certificatePath() const
    {
        return m_dir.filePath(QStringLiteral("haproxy.pem"));
    }

    /// The haproxy binary (CERTDECK_HAPROXY overrides /usr/sbin/haproxy).
    [[nodiscard]] static QString binary();

private:
    bool writeCombinedPem(const TestPki::Leaf& leaf);

    FixtureDir m_dir;
    PeerProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace certdeck::test
