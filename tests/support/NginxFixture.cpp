// SPDX-License-Identifier: GPL-3.0-or-later
#include "NginxFixture.h"

#include <QDir>

namespace certdeck::test {

NginxFixture::NginxFixture()
    : m_process(QStringLiteral("nginx"), m_dir.filePath(QStringLiteral("nginx.log")))
{}

NginxFixture::~NginxFixture()
{
    stop();
}

QString NginxFixture::binary()
{
    const QString env = qEnvironmentVariable("CERTDECK_NGINX");
    return env.isEmpty() ? QStringLiteral("/usr/sbin/nginx") : env;
}

bool NginxFixture::start(const QString& serverTls, const QString& httpExtra,
                         const QString& listenExtra)
{
    const QString d = m_dir.path();
    QDir(d).mkpath(QStringLiteral("tmp"));
    const bool fixed = m_fixedPort != 0 && !m_listen.isEmpty();
    const QString extra = listenExtra.isEmpty() ? QString() : QLatin1Char(' ') + listenExtra;
    for (int attempt = 0; attempt < (fixed ? 1 : 5); ++attempt) {
        m_port = fixed ? m_fixedPort : freeLoopbackPort();
        QString listen;
        for (const QHostAddress& a : fixed ? m_listen : QList<QHostAddress>{}) {
            listen += QStringLiteral("    listen %1:%2 ssl%3;\n")
                          .arg(a.protocol() == QAbstractSocket::IPv6Protocol
                                   ? QStringLiteral("[%1]").arg(a.toString())
                                   : a.toString())
                          .arg(m_port)
                          .arg(extra);
        }
        if (listen.isEmpty()) {
            listen = QStringLiteral("    listen 127.0.0.1:%1 ssl%2;\n").arg(m_port).arg(extra);
        }
        QString tls = serverTls;
        tls.replace(QStringLiteral("{port}"), QString::number(m_port))
            .replace(QStringLiteral("{dir}"), d);
        // master_process off: one process, so killing it by PID leaves nothing.
        const QString conf = QStringLiteral("daemon off;\n"
                                            "master_process off;\n"
                                            "worker_processes 1;\n"
                                            "pid %1/nginx.pid;\n"
                                            "error_log %1/error.log info;\n"
                                            "events { worker_connections 1024; }\n"
                                            "http {\n"
                                            "  access_log %1/access.log;\n"
                                            "  client_body_temp_path %1/tmp/body;\n"
                                            "  proxy_temp_path %1/tmp/proxy;\n"
                                            "  fastcgi_temp_path %1/tmp/fastcgi;\n"
                                            "  uwsgi_temp_path %1/tmp/uwsgi;\n"
                                            "  scgi_temp_path %1/tmp/scgi;\n"
                                            "  %3\n"
                                            "  server {\n"
                                            "%2"
                                            "    server_name localhost;\n"
                                            "    %4\n"
                                            "    location / { default_type text/plain; return 200 "
                                            "\"certdeck-fixture nginx\\n\"; }\n"
                                            "  }\n"
                                            "}\n")
                                 .arg(d, listen, httpExtra, tls);
        m_dir.write(QStringLiteral("nginx.conf"), conf.toUtf8());
        if (!m_process.start(binary(), {QStringLiteral("-p"), d, QStringLiteral("-e"),
                                        d + QStringLiteral("/error.log"), QStringLiteral("-c"),
                                        configPath()})) {
            m_error = m_process.errorString();
            return false;
        }
        if (m_process.waitForPort(
                fixed ? m_listen.constFirst() : QHostAddress(QHostAddress::LocalHost), m_port)) {
            return true;
        }
        m_error = m_process.errorString() + QStringLiteral("\nerror.log ends with:\n") +
                  QString::fromUtf8(fileTail(d + QStringLiteral("/error.log")));
        m_process.stop();
        if (!m_error.contains(QLatin1String("Address already in use"))) {
            return false;
        }
    }
    return false;
}

void NginxFixture::stop()
{
    m_process.stop();
}

} // namespace certdeck::test
