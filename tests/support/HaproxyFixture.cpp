// SPDX-License-Identifier: GPL-3.0-or-later
#include "HaproxyFixture.h"

#include <QFile>

namespace certdeck::test {

namespace {

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray withNewline(QByteArray pem)
{
    if (!pem.endsWith('\n')) {
        pem.append('\n');
    }
    return pem;
}

} // namespace

HaproxyFixture::HaproxyFixture()
    : m_process(QStringLiteral("haproxy"), m_dir.filePath(QStringLiteral("haproxy.log")))
{}

HaproxyFixture::~HaproxyFixture()
{
    stop();
}

QString HaproxyFixture::binary()
{
    const QString env = qEnvironmentVariable("CERTDECK_HAPROXY");
    return env.isEmpty() ? QStringLiteral("/usr/sbin/haproxy") : env;
}

bool HaproxyFixture::writeCombinedPem(const TestPki::Leaf& leaf)
{
    const QByteArray chain = readFile(leaf.fullchain);
    const QByteArray key = readFile(leaf.key);
    if (chain.isEmpty() || key.isEmpty()) {
        m_error = QStringLiteral("cannot read %1 or %2").arg(leaf.fullchain, leaf.key);
        return false;
    }
    const QByteArray pem = withNewline(chain) + withNewline(key);
    QFile f(certificatePath());
    // Restrict the file before the key goes in.
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        f.write(pem) != pem.size()) {
        m_error = QStringLiteral("cannot write %1").arg(certificatePath());
        return false;
    }
    return true;
}

bool HaproxyFixture::start(const TestPki::Leaf& leaf, const QString& bindTls,
                           const QString& globalExtra)
{
    stop();
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create the fixture folder");
        return false;
    }
    if (!writeCombinedPem(leaf)) {
        return false;
    }
    const QString d = m_dir.path();
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freeLoopbackPort();
        QString tls = bindTls;
        tls.replace(QStringLiteral("{port}"), QString::number(m_port))
            .replace(QStringLiteral("{dir}"), d);
        QString global = globalExtra;
        global.replace(QStringLiteral("{port}"), QString::number(m_port))
            .replace(QStringLiteral("{dir}"), d);
        // Logs go to stderr, which is the fixture's log file. No chroot, user,
        // daemon or stats socket: nothing outside the fixture folder.
        const QString conf =
            QStringLiteral("global\n"
                           "    nbthread 1\n"
                           "    log stderr format raw local0 info\n"
                           "    %3\n"
                           "defaults\n"
                           "    mode http\n"
                           "    log global\n"
                           "    option httplog\n"
                           "    timeout connect 5s\n"
                           "    timeout client 30s\n"
                           "    timeout server 30s\n"
                           "frontend certdeck_fixture\n"
                           "    bind 127.0.0.1:%1 ssl crt %2 %4\n"
                           "    http-request return status 200 content-type text/plain string "
                           "\"certdeck-fixture haproxy\"\n")
                .arg(m_port)
                .arg(certificatePath(), global, tls);
        if (!m_dir.write(QStringLiteral("haproxy.cfg"), conf.toUtf8())) {
            m_error = QStringLiteral("cannot write %1").arg(configPath());
            return false;
        }
        // -db: foreground, no master-worker, so the PID we hold is HAProxy itself.
        if (!m_process.start(binary(),
                             {QStringLiteral("-db"), QStringLiteral("-f"), configPath()})) {
            m_error = m_process.errorString();
            return false;
        }
        if (m_process.waitForPort(m_port)) {
            return true;
        }
        m_error = m_process.errorString();
        m_process.stop();
        if (!m_error.contains(QLatin1String("Address already in use"))) {
            return false;
        }
    }
    return false;
}

void HaproxyFixture::stop()
{
    m_process.stop();
}

} // namespace certdeck::test
