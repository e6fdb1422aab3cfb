// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerProcess.h"

namespace certdeck::test {

/// A real nginx on a free 127.0.0.1 port, in its own prefix folder, serving
/// one TLS server block whose TLS directives the test gives.
class NginxFixture
{
public:
    NginxFixture();
    ~NginxFixture();

    /// `serverTls` goes inside `server { }` (ssl_certificate, ssl_protocols...);
    /// `{port}` and `{dir}` in it are replaced. The server answers every path
    /// with 200 "certdeck-fixture nginx\n". Retries on a port taken meanwhile.
    /// `listenExtra` is appended to the listen directive ("http2").
    [[nodiscard]] bool start(const QString& serverTls, const QString& httpExtra = {},
                             const QString& listenExtra = {});
    /// Before start(): listen on these addresses (loopback only: 127.0.0.2,
    /// ::1...) on this port instead of a free 127.0.0.1 port, for several
    /// nodes of one name on one port (see freePortOnAll()). No retry then.
    void setListen(const QList<QHostAddress>& addresses, quint16 port)
    {
        m_listen = addresses;
        m_fixedPort = port;
    }
    void stop();

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString dir() const { return m_dir.path(); }
    [[nodiscard]] qint64 pid() const { return m_process.pid(); }
    [[nodiscard]] QString errorString() const { return m_error; }
    /// The nginx.conf it runs, for `nginx -t` checks.
    [[nodiscard]] QString configPath() const
    {
        return m_dir.filePath(QStringLiteral("nginx.conf"));
    }

    /// The nginx binary (CERTDECK_NGINX overrides /usr/sbin/nginx).
    [[nodiscard]] static QString binary();

private:
    FixtureDir m_dir;
    PeerProcess m_process;
    quint16 m_port = 0;
    QString m_error;
    QList<QHostAddress> m_listen;
    quint16 m_fixedPort = 0;
};

} // namespace certdeck::test
