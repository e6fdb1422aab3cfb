// SPDX-License-Identifier: GPL-3.0-or-later
#include "OcspFixture.h"

#include "TestPki.h"

#include <QFile>
#include <cstdio>

#ifndef CERTDECK_OCSP_FRONT
#error "CERTDECK_OCSP_FRONT must name the certdeck-ocsp-front binary (tests/support/CMakeLists.txt)"
#endif

namespace certdeck::test {

OcspFixture::OcspFixture()
    : m_process(QStringLiteral("certdeck-ocsp-front"),
                m_dir.filePath(QStringLiteral("ocsp-front.log")))
{}

OcspFixture::~OcspFixture()
{
    stop();
}

QString OcspFixture::binary()
{
    const QString env = qEnvironmentVariable("CERTDECK_OCSP_FRONT");
    return env.isEmpty() ? QStringLiteral(CERTDECK_OCSP_FRONT) : env;
}

QString OcspFixture::url() const
{
    return QStringLiteral("http://127.0.0.1:%1/").arg(m_port);
}

bool OcspFixture::start()
{
    stop();
    m_error.clear();
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create the fixture folder");
        return false;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freeLoopbackPort();
        if (m_port == 0) {
            m_error = QStringLiteral("no free port on 127.0.0.1");
            return false;
        }
        if (!m_process.start(binary(), {QStringLiteral("--port"), QString::number(m_port),
                                        QStringLiteral("--config"), configPath(),
                                        QStringLiteral("--work-dir"),
                                        m_dir.filePath(QStringLiteral("work"))})) {
            m_error = m_process.errorString();
            return false;
        }
        if (m_process.waitForPort(m_port)) {
            return true;
        }
        m_error = m_process.errorString();
        m_process.stop();
        if (!m_error.contains(QLatin1String("cannot listen"))) {
            return false;
        }
    }
    return false;
}

bool OcspFixture::serve(const TestPki& pki, const Signing& signing)
{
    const QString signer = signing.cert.isEmpty() ? pki.intermediateCert : signing.cert;
    const QString key = signing.key.isEmpty() ? pki.intermediateKey : signing.key;
    // Written whole, then renamed over the old one (atomic, unlike
    // QFile::rename): the front reads it per request and must never see half
    // a file or none.
    const QByteArray conf = "openssl=openssl\n"
                            "index=" +
                            pki.caIndex.toUtf8() +
                            "\n"
                            "ca=" +
                            pki.intermediateCert.toUtf8() +
                            "\n"
                            "rsigner=" +
                            signer.toUtf8() +
                            "\n"
                            "rkey=" +
                            key.toUtf8() +
                            "\n"
                            "ndays=" +
                            QByteArray::number(signing.ndays) + "\n";
    const QString tmp = configPath() + QStringLiteral(".new");
    if (!m_dir.write(QStringLiteral("responder.conf.new"), conf) ||
        std::rename(QFile::encodeName(tmp).constData(),
                    QFile::encodeName(configPath()).constData()) != 0) {
        m_error = QStringLiteral("cannot write %1").arg(configPath());
        return false;
    }
    return true;
}

void OcspFixture::stop()
{
    m_process.stop();
}

} // namespace certdeck::test
